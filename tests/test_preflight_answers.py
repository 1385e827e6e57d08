"""Behaviour through real Flask apps and the test client: every rule of the core issue."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
from flask import Blueprint, Flask, abort, request
from flask.views import MethodView

from flask_preflight import Preflight, cors
from flask_preflight.extension import get_state
from flask_preflight.routing import ROUTE_CACHE_SIZE

from .helpers import ADMIN, EVIL, SHOP, cors_headers, send_preflight

PREFLIGHT_VARY = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"


def make_app(**policy: object) -> Flask:
    """An app with one URL served by separate GET and PUT/PATCH/DELETE views with
    different policies, a view without its own policy, and error-producing views."""
    app = Flask(__name__)

    @app.get("/items/<int:item_id>")
    @cors(origins=[SHOP, ADMIN], expose_headers=["X-Total"])
    def get_item(item_id: int) -> tuple[str, int, dict[str, str]]:
        return f"item {item_id}", 200, {"X-Total": "1"}

    @cors(origins=[ADMIN], credentials=True, max_age=timedelta(minutes=1))
    @app.route("/items/<int:item_id>", methods=["PUT", "PATCH", "DELETE"])
    def change_item(item_id: int) -> str:
        return f"changed {item_id}"

    @app.get("/plain")
    def plain() -> str:
        return "plain"

    @app.get("/forbidden")
    @cors(origins=[SHOP])
    def forbidden() -> str:
        abort(403)

    @app.get("/crash")
    @cors(origins=[SHOP])
    def crash() -> str:
        raise RuntimeError("boom")

    @app.get("/teapot")
    @cors(origins=[SHOP])
    def teapot() -> str:
        raise LookupError("handled")

    @app.errorhandler(LookupError)
    def on_lookup_error(error: LookupError) -> tuple[str, int]:
        return "handled", 418

    @app.get("/vary")
    @cors(origins=[SHOP])
    def vary() -> tuple[str, int, dict[str, str]]:
        return "vary", 200, {"Vary": "Accept-Encoding"}

    Preflight(app, **policy)
    return app


# --- preflights ---------------------------------------------------------------------------


def test_allowed_preflight_is_204_with_exactly_the_granted_headers() -> None:
    client = make_app().test_client()
    response = send_preflight(client, "/items/1", ADMIN, "PUT", "content-type,x-token")
    assert response.status_code == 204
    assert response.data == b""
    assert cors_headers(response) == {
        "access-control-allow-origin": ADMIN,
        "access-control-allow-methods": "PUT",
        "access-control-allow-headers": "content-type,x-token",
        "access-control-allow-credentials": "true",
        "access-control-max-age": "60",
    }
    assert response.headers["Vary"] == PREFLIGHT_VARY


def test_lowercase_patch_is_echoed_verbatim() -> None:
    client = make_app().test_client()
    response = send_preflight(client, "/items/1", ADMIN, "patch")
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Methods"] == "patch"
    assert "Access-Control-Allow-Headers" not in response.headers


def test_preflight_uses_the_policy_of_the_view_serving_the_requested_method() -> None:
    client = make_app().test_client()
    # SHOP may GET /items/1 but not PUT it: the PUT view's own policy decides.
    assert send_preflight(client, "/items/1", SHOP, "PUT").status_code == 403
    granted = send_preflight(client, "/items/1", SHOP, "GET", "x-token")
    assert granted.status_code == 204
    assert granted.headers["Access-Control-Allow-Origin"] == SHOP
    assert "Access-Control-Allow-Credentials" not in granted.headers


@pytest.mark.parametrize(
    ("path", "origin", "method", "headers", "reason"),
    [
        pytest.param("/items/1", EVIL, "PUT", None, "origin not allowed", id="origin"),
        pytest.param(
            "/items/1",
            ADMIN,
            "POST",
            None,
            "method not accepted by this URL",
            id="route-does-not-accept",
        ),
        pytest.param("/plain", ADMIN, "GET", None, "origin not allowed", id="no-policy"),
        pytest.param("/items/1", ADMIN, "GET, DELETE", None, "malformed", id="method-list"),
        pytest.param("/items/1", ADMIN, "", None, "malformed", id="method-empty"),
        pytest.param("/items/1", ADMIN, "P\u00dcT", None, "malformed", id="method-non-token"),
        pytest.param("/items/1", ADMIN, "PUT", "x-a, bad name", "malformed", id="header-syntax"),
        pytest.param("/items/1", ADMIN, "PUT", "," * 10_000, "malformed", id="header-commas"),
        pytest.param("/items/1", ADMIN, "PUT", "x" * 40_000, "malformed", id="header-40KB"),
        pytest.param(
            "/items/1",
            "https://admin.example.com, " + EVIL,
            "PUT",
            None,
            "origin not allowed",
            id="two-origins",
        ),
        pytest.param(
            "/items/1",
            ADMIN + "\r\nX-Injected: 1",
            "PUT",
            None,
            "origin not allowed",
            id="origin-crlf",
        ),
        pytest.param(
            "/items/1",
            "https://" + "a" * 10_000 + ".com",
            "PUT",
            None,
            "origin not allowed",
            id="origin-10KB",
        ),
    ],
)
def test_refused_preflight_is_a_plain_403_naming_the_check(
    path: str, origin: str, method: str, headers: str | None, reason: str
) -> None:
    client = make_app().test_client()
    response = send_preflight(client, path, origin, method, headers)
    assert response.status_code == 403
    assert response.mimetype == "text/plain"
    body = response.get_data(as_text=True)
    assert body.startswith("CORS preflight refused: ") and reason in body
    assert body.count("\n") == 1 and body.endswith("\n")
    assert not any(name.startswith("access-control-allow") for name in cors_headers(response))
    # No request bytes and no allowlist leak into the body.
    assert origin not in body and ADMIN not in body and SHOP not in body


def test_policy_with_a_header_list_refuses_other_headers() -> None:
    app = Flask(__name__)

    @app.put("/x")
    @cors(origins=[ADMIN], allow_headers=["X-Token"])
    def x() -> str:
        return ""

    Preflight(app)
    client = app.test_client()
    assert send_preflight(client, "/x", ADMIN, "PUT", "x-token").status_code == 204
    # The CORS-safelisted names are always allowed, so a JSON body works.
    assert send_preflight(client, "/x", ADMIN, "PUT", "content-type,x-token").status_code == 204
    refused = send_preflight(client, "/x", ADMIN, "PUT", "authorization,x-token")
    assert refused.status_code == 403
    assert "header not allowed" in refused.get_data(as_text=True)


def test_default_allow_headers_grants_authorization_with_credentials() -> None:
    client = make_app().test_client()
    response = send_preflight(client, "/items/1", ADMIN, "DELETE", "authorization")
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Headers"] == "authorization"
    assert response.headers["Access-Control-Allow-Credentials"] == "true"


def test_methods_are_never_wider_than_the_route() -> None:
    app = Flask(__name__)

    @app.route("/x", methods=["GET", "PUT"])
    @cors(origins=[ADMIN], methods=["GET", "PUT", "DELETE"])
    def x() -> str:
        return ""

    @app.route("/y", methods=["GET", "PUT"])
    @cors(origins=[ADMIN], methods=["GET"])
    def y() -> str:
        return ""

    Preflight(app)
    client = app.test_client()
    assert send_preflight(client, "/x", ADMIN, "DELETE").status_code == 403
    assert send_preflight(client, "/x", ADMIN, "PUT").status_code == 204
    refused = send_preflight(client, "/y", ADMIN, "PUT")
    assert refused.status_code == 403
    assert "method not allowed" in refused.get_data(as_text=True)
    # An actual PUT the policy does not allow gets no CORS headers (the view still runs).
    actual = client.put("/y", headers={"Origin": ADMIN})
    assert actual.status_code == 200
    assert cors_headers(actual) == {}


def test_unknown_url_follows_the_app_policy() -> None:
    # No app-level policy: the preflight is refused, as for any endpoint without CORS.
    response = send_preflight(make_app().test_client(), "/nowhere", ADMIN, "PUT")
    assert response.status_code == 403
    assert "Access-Control-Allow-Origin" not in response.headers
    # An app-level policy admitting the origin: granted, so the page can read the 404.
    client = make_app(origins=[ADMIN]).test_client()
    response = send_preflight(client, "/nowhere", ADMIN, "PUT")
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Methods"] == "PUT"
    response = client.put("/nowhere", headers={"Origin": ADMIN})
    assert response.status_code == 404
    assert response.headers["Access-Control-Allow-Origin"] == ADMIN


def test_options_without_request_method_is_not_a_preflight() -> None:
    client = make_app().test_client()
    response = client.options("/items/1", headers={"Origin": ADMIN})
    assert response.status_code == 200
    assert "PUT" in response.headers["Allow"]


def test_preflights_skip_before_request_hooks_and_views() -> None:
    app = Flask(__name__)
    calls: list[str] = []

    @app.before_request
    def require_token() -> None:
        calls.append("hook")
        if request.headers.get("Authorization") != "Bearer ok":
            abort(401)

    @app.put("/secret")
    @cors(origins=[ADMIN], credentials=True)
    def secret() -> str:
        calls.append("view")
        return "secret"

    Preflight(app)
    client = app.test_client()
    response = send_preflight(client, "/secret", ADMIN, "PUT", "authorization")
    assert response.status_code == 204
    assert calls == []
    # The actual request still meets the hook, and its 401 is readable cross-origin.
    denied = client.put("/secret", headers={"Origin": ADMIN})
    assert denied.status_code == 401
    assert denied.headers["Access-Control-Allow-Origin"] == ADMIN
    allowed = client.put("/secret", headers={"Origin": ADMIN, "Authorization": "Bearer ok"})
    assert allowed.get_data(as_text=True) == "secret"
    assert calls == ["hook", "hook", "view"]


def test_private_network_is_answered_only_when_enabled_and_asked() -> None:
    app = Flask(__name__)

    @app.put("/on")
    @cors(origins=[ADMIN], private_network=True)
    def on() -> str:
        return ""

    @app.put("/off")
    @cors(origins=[ADMIN])
    def off() -> str:
        return ""

    Preflight(app)
    client = app.test_client()
    ask = {"Access-Control-Request-Private-Network": "true"}
    granted = send_preflight(client, "/on", ADMIN, "PUT", **ask)
    assert granted.headers["Access-Control-Allow-Private-Network"] == "true"
    assert granted.headers["Vary"].endswith("Access-Control-Request-Private-Network")
    not_asked = send_preflight(client, "/on", ADMIN, "PUT")
    assert "Access-Control-Allow-Private-Network" not in not_asked.headers
    refused = send_preflight(client, "/off", ADMIN, "PUT", **ask)
    assert refused.status_code == 403
    assert "private network" in refused.get_data(as_text=True)


def test_max_age_none_omits_the_header() -> None:
    client = make_app(max_age=None).test_client()
    response = send_preflight(client, "/items/1", SHOP, "GET", "x-a")
    assert response.status_code == 204
    assert "Access-Control-Max-Age" not in response.headers


def test_star_policy_answers_with_a_literal_star() -> None:
    client = make_app(origins="*").test_client()
    response = send_preflight(client, "/plain", "https://anyone.example", "GET", "x-a")
    assert response.headers["Access-Control-Allow-Origin"] == "*"


# --- actual requests ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "status"),
    [
        pytest.param("/items/1", 200, id="view"),
        pytest.param("/forbidden", 403, id="abort"),
        pytest.param("/teapot", 418, id="error-handler"),
        pytest.param("/crash", 500, id="unhandled-exception"),
    ],
)
def test_actual_responses_from_an_allowed_origin_carry_cors_headers(path: str, status: int) -> None:
    client = make_app().test_client()
    response = client.get(path, headers={"Origin": SHOP})
    assert response.status_code == status
    assert response.headers["Access-Control-Allow-Origin"] == SHOP
    assert response.headers["Vary"] == "Origin"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/nowhere", 404), ("POST", "/plain", 405)],
)
def test_unrouted_responses_use_the_app_policy(method: str, path: str, status: int) -> None:
    client = make_app(origins=[SHOP]).test_client()
    response = client.open(path, method=method, headers={"Origin": SHOP})
    assert response.status_code == status
    assert response.headers["Access-Control-Allow-Origin"] == SHOP
    assert response.headers["Vary"] == "Origin"


def test_exposed_headers_and_credentials_on_actual_responses() -> None:
    client = make_app().test_client()
    read = client.get("/items/1", headers={"Origin": ADMIN})
    assert cors_headers(read) == {
        "access-control-allow-origin": ADMIN,
        "access-control-expose-headers": "x-total",
    }
    write = client.put("/items/1", headers={"Origin": ADMIN})
    assert cors_headers(write) == {
        "access-control-allow-origin": ADMIN,
        "access-control-allow-credentials": "true",
    }


def test_disallowed_origin_gets_no_cors_headers_but_the_view_runs() -> None:
    client = make_app().test_client()
    response = client.get("/items/7", headers={"Origin": EVIL})
    assert response.get_data(as_text=True) == "item 7"
    assert cors_headers(response) == {}
    assert response.headers["Vary"] == "Origin"


def test_vary_is_merged_and_sent_without_origin() -> None:
    client = make_app().test_client()
    with_origin = client.get("/vary", headers={"Origin": SHOP})
    assert with_origin.headers.getlist("Vary") == ["Accept-Encoding, Origin"]
    without_origin = client.get("/vary")
    assert without_origin.headers.getlist("Vary") == ["Accept-Encoding, Origin"]
    assert cors_headers(without_origin) == {}


def test_star_policy_sends_star_everywhere_and_no_vary() -> None:
    client = make_app(origins="*").test_client()
    for headers in ({}, {"Origin": EVIL}, {"Origin": "null"}):
        response = client.get("/plain", headers=headers)
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "Vary" not in response.headers


def test_view_without_cors_under_no_app_policy_is_untouched() -> None:
    client = make_app().test_client()
    response = client.get("/plain", headers={"Origin": SHOP})
    assert cors_headers(response) == {}
    assert "Vary" not in response.headers


def test_empty_origins_shuts_cors_off_for_one_view() -> None:
    app = Flask(__name__)

    @app.get("/open")
    def open_view() -> str:
        return ""

    @app.get("/closed")
    @cors(origins=[])
    def closed() -> str:
        return ""

    Preflight(app, origins=[SHOP])
    client = app.test_client()
    assert client.get("/open", headers={"Origin": SHOP}).headers["Access-Control-Allow-Origin"]
    closed_response = client.get("/closed", headers={"Origin": SHOP})
    assert cors_headers(closed_response) == {}
    assert send_preflight(client, "/closed", SHOP, "GET", "x-a").status_code == 403


def test_configured_origins_are_normalized_and_requests_compared_exactly() -> None:
    client = make_app(origins=["HTTPS://Shop.Example.com:443"]).test_client()
    assert (
        client.get("/plain", headers={"Origin": SHOP}).headers.get("Access-Control-Allow-Origin")
        == SHOP
    )
    for variant in ("HTTPS://SHOP.EXAMPLE.COM", SHOP + ":443", SHOP + "/", SHOP + "."):
        assert cors_headers(client.get("/plain", headers={"Origin": variant})) == {}


# --- declaring policies -------------------------------------------------------------------


def test_decorator_above_and_below_route() -> None:
    app = Flask(__name__)

    @cors(origins=[ADMIN])
    @app.get("/above")
    def above() -> str:
        return ""

    @app.get("/below")
    @cors(origins=[ADMIN])
    def below() -> str:
        return ""

    Preflight(app)
    client = app.test_client()
    for path in ("/above", "/below"):
        assert client.get(path, headers={"Origin": ADMIN}).headers["Access-Control-Allow-Origin"]
        assert send_preflight(client, path, ADMIN, "GET", "x-a").status_code == 204


def test_nested_blueprints_override_field_by_field() -> None:
    app = Flask(__name__)
    outer = Blueprint("outer", __name__, url_prefix="/outer")
    inner = Blueprint("inner", __name__, url_prefix="/inner")
    cors(origins=[ADMIN, SHOP], max_age=30)(outer)
    cors(credentials=True, origins=[ADMIN])(inner)

    @outer.get("/a")
    def outer_view() -> str:
        return ""

    @inner.get("/b")
    def inner_view() -> str:
        return ""

    @inner.get("/c")
    @cors(max_age=5, credentials=False)
    def inner_override() -> str:
        return ""

    outer.register_blueprint(inner)
    app.register_blueprint(outer)
    Preflight(app, max_age=99)
    client = app.test_client()

    a = send_preflight(client, "/outer/a", SHOP, "GET", "x-a")
    assert (a.status_code, a.headers["Access-Control-Max-Age"]) == (204, "30")
    assert "Access-Control-Allow-Credentials" not in a.headers
    b = send_preflight(client, "/outer/inner/b", ADMIN, "GET", "x-a")
    assert b.headers["Access-Control-Allow-Credentials"] == "true"
    assert b.headers["Access-Control-Max-Age"] == "30"
    assert send_preflight(client, "/outer/inner/b", SHOP, "GET", "x-a").status_code == 403
    c = send_preflight(client, "/outer/inner/c", ADMIN, "GET", "x-a")
    assert c.headers["Access-Control-Max-Age"] == "5"
    assert "Access-Control-Allow-Credentials" not in c.headers


def test_method_view_class() -> None:
    app = Flask(__name__)

    @cors(origins=[ADMIN], methods=["GET", "POST"])
    class ItemAPI(MethodView):
        def get(self) -> str:
            return "list"

        def post(self) -> str:
            return "created"

        def delete(self) -> str:
            return "deleted"

    app.add_url_rule("/items", view_func=ItemAPI.as_view("items"))
    Preflight(app)
    client = app.test_client()
    assert send_preflight(client, "/items", ADMIN, "POST", "content-type").status_code == 204
    assert send_preflight(client, "/items", ADMIN, "DELETE").status_code == 403
    response = client.post("/items", headers={"Origin": ADMIN})
    assert response.get_data(as_text=True) == "created"
    assert response.headers["Access-Control-Allow-Origin"] == ADMIN


def test_async_view() -> None:
    app = Flask(__name__)

    @app.put("/async")
    @cors(origins=[ADMIN])
    async def async_view() -> str:
        return "async"

    Preflight(app)
    client = app.test_client()
    assert send_preflight(client, "/async", ADMIN, "PUT").status_code == 204
    response = client.put("/async", headers={"Origin": ADMIN})
    assert response.get_data(as_text=True) == "async"
    assert response.headers["Access-Control-Allow-Origin"] == ADMIN


def test_one_extension_on_two_apps_keeps_their_state_apart() -> None:
    preflight = Preflight(max_age=10)
    first, second = Flask("first"), Flask("second")
    for app in (first, second):

        @app.get("/x")
        def x() -> str:
            return ""

    preflight.init_app(first, origins=[ADMIN])
    preflight.init_app(second, origins=[SHOP], max_age=20)
    assert get_state(first) is not get_state(second)
    a = send_preflight(first.test_client(), "/x", ADMIN, "GET", "x-a")
    assert (a.status_code, a.headers["Access-Control-Max-Age"]) == (204, "10")
    assert send_preflight(first.test_client(), "/x", SHOP, "GET", "x-a").status_code == 403
    b = send_preflight(second.test_client(), "/x", SHOP, "GET", "x-a")
    assert (b.status_code, b.headers["Access-Control-Max-Age"]) == (204, "20")


def test_init_app_twice_on_one_app_is_an_error() -> None:
    app = Flask(__name__)
    preflight = Preflight(app)
    with pytest.raises(RuntimeError, match="already registered"):
        preflight.init_app(app)


def test_config_keys_form_the_app_policy_under_keywords() -> None:
    app = Flask(__name__)
    app.config.update(PREFLIGHT_ORIGINS=[SHOP], PREFLIGHT_MAX_AGE=7, PREFLIGHT_CREDENTIALS=True)

    @app.get("/x")
    def x() -> str:
        return ""

    Preflight(app, max_age=8)
    response = send_preflight(app.test_client(), "/x", SHOP, "GET", "x-a")
    assert response.headers["Access-Control-Max-Age"] == "8"
    assert response.headers["Access-Control-Allow-Credentials"] == "true"


def test_routes_added_after_the_first_request_are_refused_by_flask() -> None:
    app = make_app()
    send_preflight(app.test_client(), "/items/1", ADMIN, "PUT")
    with pytest.raises(AssertionError, match="first request"):
        app.add_url_rule("/late", "late", lambda: "")


# --- robustness ---------------------------------------------------------------------------


def test_route_cache_is_bounded() -> None:
    app = make_app()
    client = app.test_client()
    for i in range(ROUTE_CACHE_SIZE + 50):
        send_preflight(client, f"/items/{i}", ADMIN, "PUT")
    assert len(get_state(app).router._cache) == ROUTE_CACHE_SIZE


def test_refusals_are_logged_with_request_bytes_escaped(caplog: pytest.LogCaptureFixture) -> None:
    client = make_app().test_client()
    hostile = "https://evil.example\x1b[31m\r\nFAKE LOG LINE"
    with caplog.at_level(logging.DEBUG, logger="flask_preflight"):
        send_preflight(client, "/items/1", hostile, "PUT")
    (record,) = caplog.records
    message = record.getMessage()
    assert "origin check failed" in message
    assert "\x1b" not in message and "\r" not in message and "\n" not in message
    assert "\\x1b[31m\\r\\nFAKE LOG LINE" in message


def test_debug_mode_explains_the_refusal_and_the_field_to_change() -> None:
    app = make_app()
    app.debug = True
    response = send_preflight(app.test_client(), "/items/1", SHOP, "PUT")
    body = response.get_data(as_text=True)
    assert "endpoint 'change_item'" in body
    assert "change 'origins' (set by view 'change_item')" in body
    assert ADMIN not in body
    app.debug = False
    quiet = send_preflight(app.test_client(), "/items/2", SHOP, "PUT").get_data(as_text=True)
    assert quiet == "CORS preflight refused: origin not allowed.\n"


def test_headers_are_added_when_an_inner_middleware_copies_environ_and_defers() -> None:
    app = Flask(__name__)

    @app.get("/x")
    @cors(origins=[ADMIN])
    def x() -> str:
        return "x"

    inner = app.wsgi_app

    def deferring(environ: Any, start_response: Any) -> list[bytes]:
        captured: list[Any] = []

        def capture(status: str, headers: Any, exc_info: Any = None) -> Any:
            captured.extend([status, headers])

        body = b"".join(inner(dict(environ), capture))  # a copy: Flask's request is not ours
        start_response(*captured)  # after Flask popped its request context
        return [body]

    app.wsgi_app = deferring  # type: ignore[method-assign]
    Preflight(app)
    client = app.test_client()
    response = client.get("/x", headers={"Origin": ADMIN})
    assert response.headers["Access-Control-Allow-Origin"] == ADMIN
    assert response.headers["Vary"] == "Origin"


def test_a_view_setting_its_own_cors_headers_is_overridden_not_doubled() -> None:
    app = Flask(__name__)

    @app.get("/x")
    @cors(origins=[ADMIN])
    def x() -> tuple[str, dict[str, str]]:
        return "x", {"Access-Control-Allow-Origin": "*", "access-control-allow-credentials": "true"}

    Preflight(app)
    response = app.test_client().get("/x", headers={"Origin": ADMIN})
    assert response.headers.getlist("Access-Control-Allow-Origin") == [ADMIN]
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_endpoints_with_the_same_levels_share_one_compiled_policy() -> None:
    app = Flask(__name__)
    origins = [f"https://tenant{i}.example.com" for i in range(2000)]
    for i in range(200):
        app.add_url_rule(f"/r{i}", f"r{i}", lambda: "")

    @app.get("/own")
    @cors(max_age=1)
    def own() -> str:
        return ""

    Preflight(app, origins=origins)
    state = get_state(app)
    state.freeze()
    distinct = {id(policy) for policy in state.policies.values()}
    assert len(state.policies) == 203  # 201 views, static, and the app level
    assert len(distinct) == 2  # the app policy, shared; and the one view with its own


@pytest.mark.parametrize("origin", [EVIL, None], ids=["refused-origin", "no-origin"])
def test_a_views_own_cors_headers_never_reach_a_refused_origin(origin: str | None) -> None:
    # Security review, point 4: a legacy view echoing Origin into its own headers.
    app = Flask(__name__)

    @app.get("/legacy")
    @cors(origins=[ADMIN])
    def legacy() -> tuple[str, dict[str, str]]:
        return "data", {
            "Access-Control-Allow-Origin": request.headers.get("Origin", "*"),
            "Access-Control-Expose-Headers": "X-Secret",
            "Access-Control-Allow-Credentials": "true",
            "Access-Control-Allow-Methods": "GET",
        }

    @app.get("/off")
    @cors(origins=[])
    def off() -> tuple[str, dict[str, str]]:
        return "off", {"Access-Control-Allow-Origin": "*"}

    Preflight(app)
    client = app.test_client()
    headers = {} if origin is None else {"Origin": origin}
    response = client.get("/legacy", headers=headers)
    assert cors_headers(response) == {}
    assert response.headers["Vary"] == "Origin"
    granted = client.get("/legacy", headers={"Origin": ADMIN})
    assert cors_headers(granted) == {"access-control-allow-origin": ADMIN}
    # An endpoint with CORS off is left alone: its own headers are its business.
    assert client.get("/off", headers=headers).headers["Access-Control-Allow-Origin"] == "*"


def test_view_class_policy_overrides_its_view_functions_field_by_field() -> None:
    """A policy on the function ``as_view`` returned (set by a decorator applied to every view,
    like flask-restx's ``Api(decorators=[...])``) is the outer level; the ``View`` class's
    own ``cors()`` overrides it field by field instead of being ignored."""

    @cors(origins=[ADMIN], credentials=True)
    class ItemAPI(MethodView):
        def get(self) -> str:
            return "item"

        def delete(self) -> str:
            return "deleted"

    app = Flask(__name__)
    view = cors(origins=[SHOP, ADMIN], expose_headers=["X-Total"])(ItemAPI.as_view("item"))
    app.add_url_rule("/item", view_func=view)
    Preflight(app)
    client = app.test_client()
    assert cors_headers(client.get("/item", headers={"Origin": SHOP})) == {}
    assert send_preflight(client, "/item", SHOP, "DELETE").status_code == 403
    assert cors_headers(client.get("/item", headers={"Origin": ADMIN})) == {
        "access-control-allow-origin": ADMIN,
        "access-control-allow-credentials": "true",
        "access-control-expose-headers": "x-total",
    }
