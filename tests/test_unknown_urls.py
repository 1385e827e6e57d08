"""A 404 the page can read: a URL no rule matches follows the policy of the blueprint whose
URL prefix holds its path (the longest prefix, nested blueprints included), else the app's."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Blueprint, Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from flask_preflight import Preflight, cors

from .helpers import ADMIN, EVIL, cors_headers, send_preflight

PAGE = "https://app.example.com"


def make_app(app_policy: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)

    api = Blueprint("api", __name__, url_prefix="/api")
    v2 = Blueprint("v2", __name__, url_prefix="/v2")
    admin = Blueprint("admin", __name__, url_prefix="/api/admin")
    plain = Blueprint("plain", __name__, url_prefix="/plain")

    @api.get("/items")
    def items() -> str:
        return "items"

    @v2.get("/items")
    def items_v2() -> str:
        return "items v2"

    @admin.route("/users", methods=["GET", "DELETE"])
    def users() -> str:
        return "users"

    @plain.get("/x")
    def x() -> str:
        return "x"

    cors(origins=[PAGE], methods=["GET", "POST", "DELETE"], allow_headers=["X-Token"])(api)
    cors(origins=[PAGE], methods=["GET", "PATCH"])(v2)
    cors(origins=[ADMIN], credentials=True)(admin)
    api.register_blueprint(v2)
    app.register_blueprint(api)
    app.register_blueprint(admin)
    app.register_blueprint(plain)
    Preflight(app, **(app_policy or {}))
    return app


@pytest.mark.parametrize(
    ("path", "origin", "method", "granted"),
    [
        ("/api/missing", PAGE, "DELETE", True),  # the api blueprint's policy
        ("/api/missing", PAGE, "PUT", False),  # not in the api blueprint's methods
        ("/api/missing", ADMIN, "DELETE", False),
        ("/api", PAGE, "POST", True),  # the prefix itself
        ("/apiary", PAGE, "POST", False),  # not under /api/: the app's (empty) policy
        ("/api/v2/missing", PAGE, "PATCH", True),  # nested: the longer prefix wins
        ("/api/v2/missing", PAGE, "DELETE", False),
        ("/api/admin/missing", ADMIN, "PUT", True),  # any method: no methods list, no rule
        ("/api/admin/missing", PAGE, "GET", False),  # longest prefix, not the api one
        ("/plain/missing", PAGE, "GET", False),  # a blueprint without a policy: the app's
        ("/nowhere", PAGE, "DELETE", False),
    ],
)
def test_preflight_to_unknown_url_follows_the_owning_policy(
    path: str, origin: str, method: str, granted: bool
) -> None:
    client = make_app().test_client()
    response = send_preflight(client, path, origin, method)
    if granted:
        assert response.status_code == 204
        assert response.headers["Access-Control-Allow-Origin"] == origin
        assert response.headers["Access-Control-Allow-Methods"] == method
    else:
        assert response.status_code == 403
        assert cors_headers(response) == {}


def test_requested_headers_are_checked_against_the_owning_policy() -> None:
    client = make_app().test_client()
    ok = send_preflight(client, "/api/missing", PAGE, "POST", "content-type,x-token")
    assert ok.status_code == 204
    refused = send_preflight(client, "/api/missing", PAGE, "POST", "x-other")
    assert refused.status_code == 403


def test_the_404_itself_is_readable() -> None:
    client = make_app().test_client()
    response = client.delete("/api/missing", headers={"Origin": PAGE})
    assert response.status_code == 404
    assert response.headers["Access-Control-Allow-Origin"] == PAGE
    assert response.headers["Vary"] == "Origin"
    admin = client.get("/api/admin/missing", headers={"Origin": ADMIN})
    assert admin.headers["Access-Control-Allow-Credentials"] == "true"
    other = client.get("/api/missing", headers={"Origin": EVIL})
    assert other.status_code == 404
    assert cors_headers(other) == {}


def test_a_405_under_a_blueprint_follows_its_policy() -> None:
    client = make_app().test_client()
    response = client.post("/api/items", headers={"Origin": PAGE})
    assert response.status_code == 405
    assert response.headers["Access-Control-Allow-Origin"] == PAGE


def test_outside_every_prefix_the_app_policy_applies() -> None:
    client = make_app({"origins": [ADMIN]}).test_client()
    assert send_preflight(client, "/nowhere", ADMIN, "DELETE").status_code == 204
    assert (
        client.get("/nowhere", headers={"Origin": ADMIN}).headers["Access-Control-Allow-Origin"]
        == ADMIN
    )
    # /plain has no policy of its own: the app's applies under it too.
    assert send_preflight(client, "/plain/nope", ADMIN, "GET").status_code == 204


def test_redirects_stay_flasks() -> None:
    app = Flask(__name__)
    api = Blueprint("api", __name__, url_prefix="/api")

    @api.get("/dir/")
    def directory() -> str:
        return "dir"

    cors(origins=[PAGE])(api)
    app.register_blueprint(api)
    Preflight(app)
    response = send_preflight(app.test_client(), "/api/dir", PAGE, "GET")
    assert response.status_code == 308  # Flask's redirect, not a granted preflight
    assert response.headers["Location"].endswith("/api/dir/")
    assert "access-control-allow-methods" not in cors_headers(response)


# PATH_INFO exactly as a server hands it to the app (servers decode %2F to "/"; one that
# does not leaves it in the path, and Werkzeug then matches it literally).
WERKZEUG_PATHS = [
    # (PATH_INFO, whose policy: Werkzeug matches "/" + path.lstrip("/"), then retries with
    # runs of slashes merged)
    ("//api/admin/missing", "admin"),
    ("///api/admin/missing", "admin"),
    ("/api/admin/missing/", "admin"),  # a trailing slash
    ("//api/admin/missing/", "admin"),
    ("/api//admin/missing", "admin"),  # merged: /api/admin/missing, not the api prefix's
    ("//api//admin//missing", "admin"),
    ("//api/admin", "admin"),  # the prefix itself
    ("/%2Fapi/admin/missing", "app"),  # not decoded by the server: matched literally
    ("/./api/admin/missing", "app"),  # dot segments are the browser's job, not Werkzeug's
    ("/api/./admin/missing", "api"),
]


def raw_preflight(client: FlaskClient, path_info: str, origin: str, method: str) -> TestResponse:
    """A preflight whose PATH_INFO is exactly ``path_info``."""
    environ = {
        "PATH_INFO": path_info,
        "HTTP_ORIGIN": origin,
        "HTTP_ACCESS_CONTROL_REQUEST_METHOD": method,
    }
    return client.options("/", environ_overrides=environ)


def app_with_star() -> Flask:
    """The app-level policy grants every origin, without credentials: the escape target."""
    return make_app({"origins": "*"})


@pytest.mark.parametrize(("path_info", "owner"), WERKZEUG_PATHS)
def test_the_owner_is_read_from_the_path_werkzeug_routes(path_info: str, owner: str) -> None:
    client = app_with_star().test_client()
    raw = {"PATH_INFO": path_info}
    pre = raw_preflight(client, path_info, EVIL, "POST")
    actual = client.post("/", headers={"Origin": EVIL}, environ_overrides=raw)
    assert actual.status_code == 404
    if owner == "app":
        assert pre.status_code == 204 and pre.headers["Access-Control-Allow-Origin"] == "*"
        assert actual.headers["Access-Control-Allow-Origin"] == "*"
    else:  # admin (ADMIN only, with credentials) and api (PAGE only) both refuse EVIL
        assert pre.status_code == 403 and cors_headers(pre) == {}
        assert cors_headers(actual) == {}
    # The blueprint that owns it is the one whose policy the admin origin gets.
    admin = client.get("/", headers={"Origin": ADMIN}, environ_overrides=raw)
    granted = "true" if owner == "admin" else None
    assert admin.headers.get("Access-Control-Allow-Credentials") == granted


@pytest.mark.parametrize("path", ["//api/admin/missing", "/%2Fapi/admin/missing"])
def test_a_browser_url_with_leading_slashes_does_not_escape_the_blueprint(path: str) -> None:
    # What the issue reported: `https://host//admin/...` (or `/%2Fadmin/...`, which the server
    # decodes) got the app's `*` where `/admin/...` is refused. The test client decodes %2F
    # as servers do; a leading "//" must go in PATH_INFO, or the client reads it as a host.
    client = app_with_star().test_client()
    if path.startswith("//"):
        pre = raw_preflight(client, path, EVIL, "PUT")
    else:
        pre = send_preflight(client, path, EVIL, "PUT")
    assert pre.status_code == 403
    assert cors_headers(pre) == {}


@pytest.mark.parametrize(
    ("path_info", "origin", "readable"),
    [
        ("//api/admin/users", EVIL, False),  # a 405 under /api/admin: its policy
        ("//api/admin/users", ADMIN, True),
        ("/api//admin/users", PAGE, False),  # Werkzeug's 405 comes from the merged path
        ("/api//admin/users", ADMIN, True),
    ],
)
def test_a_405_reached_through_extra_slashes_follows_the_blueprint(
    path_info: str, origin: str, readable: bool
) -> None:
    client = app_with_star().test_client()
    response = client.post(
        "/", headers={"Origin": origin}, environ_overrides={"PATH_INFO": path_info}
    )
    assert response.status_code == 405
    assert (response.headers.get("Access-Control-Allow-Origin") == origin) is readable
    assert "*" not in cors_headers(response).values()
