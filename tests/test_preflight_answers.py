"""Preflights through real Flask apps and the test client: the answer granted, the 403
refused, and the policy that decides."""

from __future__ import annotations

import pytest
from flask import Flask, abort, request

from flask_preflight import Preflight, cors

from .helpers import ADMIN, EVIL, SHOP, cors_headers, make_app, send_preflight

PREFLIGHT_VARY = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"


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
