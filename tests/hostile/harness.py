"""Plumbing shared by the hostile tests: raw WSGI requests and the apps under test."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, Response, abort
from werkzeug.test import EnvironBuilder, run_wsgi_app

from flask_preflight import Preflight, cors

from .model import PolicyModel, Send, WireRequest, WireResponse

#: The API's own origin. Generated page origins never equal it, so every page is cross-origin.
BASE_URL = "https://api.internal.test"


def environ_for(
    method: str,
    path: str,
    headers: Iterable[tuple[str, str]] = (),
    join: str = ",",
) -> dict[str, Any]:
    """A WSGI environ with ``headers`` copied in verbatim.

    Nothing is validated or stripped, so values can hold bytes no HTTP server would pass on
    (CR, LF, NUL, non-latin-1 characters). Repeated names are joined with ``join``, which is
    what the Werkzeug and Gunicorn servers do with duplicate header lines. ``REQUEST_METHOD`` is
    kept as given (a browser sends ``patch`` as is).
    """
    path_only, _, query = path.partition("?")
    environ: dict[str, Any] = EnvironBuilder(
        path=path_only, query_string=query, base_url=BASE_URL
    ).get_environ()
    environ["REQUEST_METHOD"] = method
    for name, value in headers:
        key = name.upper().replace("-", "_")
        if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            key = "HTTP_" + key
        environ[key] = f"{environ[key]}{join}{value}" if key in environ else value
    return environ


def call_environ(app: Flask, environ: dict[str, Any]) -> WireResponse:
    """Run one request through the app's full WSGI stack (extension middleware included)."""
    app_iter, status, headers = run_wsgi_app(app, environ, buffered=True)
    try:
        body = b"".join(app_iter)
    finally:
        close = getattr(app_iter, "close", None)
        if close is not None:
            close()
    return WireResponse(int(status.split(" ", 1)[0]), tuple(headers.to_wsgi_list()), body)


def call(
    app: Flask, method: str, path: str, headers: Iterable[tuple[str, str]] = ()
) -> WireResponse:
    return call_environ(app, environ_for(method, path, headers))


def sender(app: Flask) -> Send:
    """The browser model's transport: one WSGI call per wire request."""

    def send(request: WireRequest) -> WireResponse:
        return call(app, request.method, request.path, request.headers)

    return send


def preflight(
    app: Flask,
    path: str,
    origin: str | None,
    method: str | None = "PUT",
    request_headers: str | None = None,
    extra: Sequence[tuple[str, str]] = (),
) -> WireResponse:
    headers: list[tuple[str, str]] = []
    if origin is not None:
        headers.append(("Origin", origin))
    if method is not None:
        headers.append(("Access-Control-Request-Method", method))
    if request_headers is not None:
        headers.append(("Access-Control-Request-Headers", request_headers))
    return call(app, "OPTIONS", path, [*headers, *extra])


def granted(response: WireResponse) -> bool:
    """Did the server grant anything CORS-wise (any Access-Control-Allow-* header)?"""
    return any(name.lower().startswith("access-control-allow-") for name, _ in response.headers)


# --------------------------------------------------------------------------------------------
# The app the differential tests run against
# --------------------------------------------------------------------------------------------

ITEM_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
LEVELS = ("app", "config", "blueprint", "view")


@dataclass(frozen=True)
class Endpoint:
    path: str
    route_methods: frozenset[str]  # as Werkzeug reports them (HEAD and OPTIONS added)
    policy: PolicyModel | None  # None: CORS off for this endpoint
    vary_rule: bool  # whether the Vary rule of issue 2 applies to it


def _route_methods(methods: Iterable[str]) -> frozenset[str]:
    out = set(methods) | {"OPTIONS"}
    if "GET" in out:
        out.add("HEAD")
    return frozenset(out)


def build_app(policy: PolicyModel, level: str) -> tuple[Flask, list[Endpoint]]:
    """An app with the policy applied at ``level`` and a few endpoints around it.

    * ``/items/<id>``: five methods; its response already carries ``Vary: Accept-Encoding``
      and the headers a policy may expose;
    * ``/ro``: GET only (so PUT/PATCH/DELETE must be refused whatever the policy says);
    * ``/conflict``: GET and PUT, always ``abort(409)`` (CORS headers on error responses);
    * ``/plain``: CORS off (no policy at view level, ``origins=[]`` under an app policy).
    """
    kwargs = policy.kwargs()
    app = Flask(f"hostile_{level}")
    app.testing = True  # an exception anywhere propagates and fails the test
    bp = Blueprint("bp", __name__)
    target: Flask | Blueprint = bp if level in ("blueprint", "view") else app
    view_cors = cors(**kwargs) if level == "view" else None

    def items(id: int) -> Response:
        response = Response("item", mimetype="text/plain")
        response.headers["Vary"] = "Accept-Encoding"
        response.headers["X-Total"] = "1"
        response.headers["ETag"] = '"1"'
        return response

    def ro() -> str:
        return "ro"

    def conflict() -> str:
        abort(409)

    items_view = view_cors(items) if view_cors else items
    conflict_view = view_cors(conflict) if view_cors else conflict
    target.add_url_rule("/items/<int:id>", view_func=items_view, methods=list(ITEM_METHODS))
    target.add_url_rule("/ro", view_func=ro, methods=["GET"])
    target.add_url_rule("/conflict", view_func=conflict_view, methods=["GET", "PUT"])

    def plain() -> str:
        return "plain"

    app_wide = level in ("app", "config")
    app.add_url_rule(
        "/plain", view_func=cors(origins=[])(plain) if app_wide else plain, methods=["GET", "PUT"]
    )
    if level == "blueprint":
        cors(**kwargs)(bp)
    if target is bp:
        app.register_blueprint(bp)
    if level == "app":
        Preflight(app, **kwargs)
    elif level == "config":
        for key, value in kwargs.items():
            app.config[f"PREFLIGHT_{key.upper()}"] = value
        Preflight(app)
    else:
        Preflight(app)

    covered_ro = level != "view"
    endpoints = [
        Endpoint("/items/1", _route_methods(ITEM_METHODS), policy, True),
        Endpoint("/ro", _route_methods(["GET"]), policy if covered_ro else None, covered_ro),
        Endpoint("/conflict", _route_methods(["GET", "PUT"]), policy, True),
        Endpoint("/plain", _route_methods(["GET", "PUT"]), None, False),
    ]
    return app, endpoints
