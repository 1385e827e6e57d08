"""The route cache: its key holds everything Werkzeug's routing reads, websocket rules never
answer HTTP preflights, and its memory has a fixed bound."""

from __future__ import annotations

import pytest
from flask import Blueprint, Flask, abort, request

from flask_preflight import Preflight, cors
from flask_preflight.cache import MAX_CACHED_HOST_LENGTH, MAX_CACHED_PATH_LENGTH
from flask_preflight.extension import get_state
from flask_preflight.routing import MAX_CACHED_KEY_LENGTH, ROUTE_CACHE_SIZE, ROUTING_ENVIRON_KEYS

from .helpers import ADMIN, EVIL, send_preflight

UPGRADE = {"connection": "Upgrade", "upgrade": "websocket"}


def make_app(websocket_rule: bool = False) -> Flask:
    app = Flask(__name__)

    @app.before_request
    def require_token() -> None:
        if request.method != "OPTIONS" and request.headers.get("Authorization") != "ok":
            abort(401)

    @app.route("/items/<int:item_id>", methods=["PUT"])
    @cors(origins=[ADMIN])
    def put_item(item_id: int) -> str:
        return "put"

    if websocket_rule:

        @app.route("/items/<int:item_id>", websocket=True, endpoint="socket")
        @cors(origins="*")
        def socket(item_id: int) -> str:
            return "socket"

    Preflight(app)
    return app


@pytest.mark.parametrize("websocket_rule", [False, True], ids=["no-ws-rule", "ws-rule"])
def test_upgrade_preflight_does_not_poison_the_route_cache(websocket_rule: bool) -> None:
    app = make_app(websocket_rule)
    client = app.test_client()
    crafted = send_preflight(client, "/items/1", ADMIN, "PUT", **UPGRADE)
    assert crafted.status_code == 403  # refused, never handed to the app's hooks
    assert "Access-Control-Allow-Origin" not in crafted.headers
    real = send_preflight(client, "/items/1", ADMIN, "PUT")
    assert real.status_code == 204
    assert real.headers["Access-Control-Allow-Origin"] == ADMIN


def test_a_websocket_rule_never_answers_an_http_preflight() -> None:
    client = make_app(websocket_rule=True).test_client()
    evil = "https://evil.example.net"
    for extra in (UPGRADE, {}):
        response = send_preflight(client, "/items/1", evil, "PUT", **extra)
        assert "Access-Control-Allow-Origin" not in response.headers


def test_the_cache_key_holds_every_value_werkzeug_routing_reads() -> None:
    # bind_to_environ reads these (and REQUEST_METHOD, replaced by the requested method, and
    # QUERY_STRING, which only shapes redirects): a key without one of them can be poisoned.
    names = {name for name, _ in ROUTING_ENVIRON_KEYS}
    assert names == {
        "HTTP_HOST",
        "SERVER_NAME",
        "SERVER_PORT",
        "SCRIPT_NAME",
        "PATH_INFO",
        "wsgi.url_scheme",
        "HTTP_CONNECTION",
        "HTTP_UPGRADE",
    }


def test_oversized_hosts_and_paths_are_routed_but_never_cached() -> None:
    app = make_app()
    client = app.test_client()
    cache = get_state(app).router._cache
    long_host = "a" * (MAX_CACHED_HOST_LENGTH + 1)
    response = send_preflight(client, "/items/1", ADMIN, "PUT", host=long_host)
    assert response.status_code in (204, 400, 403, 404)
    long_path = "/items/1" + "/" * MAX_CACHED_PATH_LENGTH
    send_preflight(client, long_path, ADMIN, "PUT")
    assert all(len(str(key[1])) <= MAX_CACHED_HOST_LENGTH for key in cache)
    assert all(len(str(key[3])) <= MAX_CACHED_PATH_LENGTH for key in cache)
    assert all(cache.fits(key) for key in cache)
    assert not any(long_host in str(key) for key in cache)
    # A real request of the same URL is still answered (and cached).
    assert send_preflight(client, "/items/1", ADMIN, "PUT").status_code == 204
    assert [key[3] for key in cache] == ["/items/1"]


def test_cache_memory_has_a_fixed_bound() -> None:
    app = make_app()
    client = app.test_client()
    cache = get_state(app).router._cache
    host = "h" * 240 + ".example"
    for i in range(ROUTE_CACHE_SIZE + 20):
        send_preflight(client, f"/items/{i}", ADMIN, "PUT", host=host + str(i))
        send_preflight(client, f"/items/{i}", ADMIN, "PUT", host="x" * 4096)
    assert len(cache) == ROUTE_CACHE_SIZE
    stored = sum(len(str(v)) for key in cache for v in key if v is not None)
    assert stored <= ROUTE_CACHE_SIZE * MAX_CACHED_KEY_LENGTH
    assert MAX_CACHED_KEY_LENGTH < 4096  # so the whole cache holds under 4 MiB of text


def test_the_documentation_states_the_cache_bound() -> None:
    from pathlib import Path

    page = (Path(__file__).resolve().parent.parent / "docs" / "requests.md").read_text()
    times = "\N{MULTIPLICATION SIGN}"
    assert f"{ROUTE_CACHE_SIZE:,} {times}\n  {MAX_CACHED_KEY_LENGTH:,} characters" in page
    assert f"a host over {MAX_CACHED_HOST_LENGTH} characters" in page


# (PATH_INFO as the server hands it over, the preflight's status for a PUT from EVIL and
# from ADMIN) on an app whose /admin blueprint admits ADMIN only and whose app level admits
# every origin: the answer follows the path Werkzeug routes (urlpath.py).
SLASH_VARIANTS = [
    ("/admin/items/1", 403, 204),
    ("//admin/items/1", 403, 204),  # Werkzeug matches "/" + path.lstrip("/")
    ("/%2Fadmin/items/1", 204, 204),  # a %2F the server left alone: matched literally, 404
    ("/./admin/items/1", 204, 204),  # no dot-segment removal in Werkzeug: 404, app level
    ("/admin/items/1/", 403, 204),  # a trailing slash: 404 under /admin
    ("/admin//items/1", 308, 308),  # merged slashes: Flask's redirect
    ("//admin/missing", 403, 204),
    ("/admin/missing/", 403, 204),
]


def admin_app() -> Flask:
    app = Flask(__name__)
    admin = Blueprint("admin", __name__)

    @admin.put("/items/<int:item_id>")
    def put_item(item_id: int) -> str:
        return "put"

    cors(origins=[ADMIN], credentials=True)(admin)
    app.register_blueprint(admin, url_prefix="/admin")
    Preflight(app, origins="*")
    return app


def raw_preflight(app: Flask, path_info: str, origin: str) -> int:
    environ = {
        "PATH_INFO": path_info,
        "HTTP_ORIGIN": origin,
        "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "PUT",
    }
    return app.test_client().options("/", environ_overrides=environ).status_code


@pytest.mark.parametrize("order", [1, -1], ids=["forward", "backward"])
def test_slash_variants_are_routed_as_werkzeug_routes_them_cached_or_not(order: int) -> None:
    # One app sees every variant twice (the second answer from the cache), in both orders,
    # so a key that ignored a difference Werkzeug sees would serve another path's answer.
    app = admin_app()
    variants = SLASH_VARIANTS[::order]
    for _ in range(2):
        for path_info, evil, admin in variants:
            assert raw_preflight(app, path_info, EVIL) == evil, path_info
            assert raw_preflight(app, path_info, ADMIN) == admin, path_info
    assert len(get_state(app).router._cache) == len(variants)
