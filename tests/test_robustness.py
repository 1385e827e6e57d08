"""Robustness: bounded caches, escaped logs, debug explanations, deferring middleware and
views that set their own CORS headers."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flask import Flask, request
from flask.views import MethodView

from flask_preflight import Preflight, cors
from flask_preflight.extension import get_state
from flask_preflight.routing import ROUTE_CACHE_SIZE

from .helpers import ADMIN, EVIL, SHOP, cors_headers, make_app, send_preflight


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
