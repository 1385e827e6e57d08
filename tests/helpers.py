"""Shared names for the behaviour tests: the origins they play, requests the way a
browser sends them, and the app most of them drive (``make_app``). Tests import from here;
``conftest.py`` holds fixtures only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask, abort
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from flask_preflight import Preflight, cors

# The origins the tests play: two allowed sites, one attacker.
SHOP = "https://shop.example.com"
ADMIN = "https://admin.example.com"
EVIL = "https://evil.example.net"
# Two neighbouring subdomains, for policies at several levels.
A = "https://a.example.com"
B = "https://b.example.com"
# flask-cors's own test origins, for the compat tests.
FOO = "https://foo.com"
BAR = "https://bar.com"


def send_preflight(
    client: FlaskClient,
    path: str,
    origin: str,
    method: str,
    headers: str | None = None,
    **extra: str,
) -> TestResponse:
    """An OPTIONS preflight as Chromium sends it (no cookies, ACRH lowercase and sorted).

    Values go straight into the WSGI environ, so tests can send bytes (CR, LF) that the
    test client's header validation would refuse to send.
    """
    environ = {"HTTP_ORIGIN": origin, "HTTP_ACCESS_CONTROL_REQUEST_METHOD": method}
    if headers is not None:
        environ["HTTP_ACCESS_CONTROL_REQUEST_HEADERS"] = headers
    for name, value in extra.items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    return client.options(path, environ_overrides=environ)


def cors_headers(response: TestResponse) -> dict[str, str]:
    """The response's Access-Control-* headers, by lowercase name."""
    return {
        name.lower(): value
        for name, value in response.headers.items()
        if name.lower().startswith("access-control-")
    }


def make_app(**policy: Any) -> Flask:
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
