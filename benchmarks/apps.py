"""Contenders: the same Flask app with no CORS, with flask-cors, and with Flask-Preflight.

Every contender is configured for the same policy: a list of allowed origins (exact origins
and ``https://*.domain`` subdomain patterns), the methods GET/PUT/POST/DELETE, any requested
header granted, no credentials, ``max_age=600``. Apps have ``routes`` routes of the shape
``/api/res<i>/<int:item_id>`` (GET and PUT) and requests go to the last one registered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from flask import Flask

BARE = "bare Flask"
FLASK_CORS = "flask-cors"
PREFLIGHT = "Flask-Preflight"
CONTENDERS = (BARE, FLASK_CORS, PREFLIGHT)
# flask_preflight.compat: flask-cors's API on Flask-Preflight (its own table, next to
# flask-cors on the same configuration).
COMPAT = "compat"

ALLOWED_ORIGIN = "https://app.example.com"
REFUSED_ORIGIN = "https://evil.example.net"
METHODS = ("GET", "PUT", "POST", "DELETE")
MAX_AGE = 600


@dataclass(frozen=True)
class Shape:
    """The size of an app: how many routes, exact origins and subdomain patterns."""

    routes: int = 1
    origins: int = 1
    patterns: int = 0
    resources: int = 0  # flask-cors resources (0: app-wide options); the last one matches
    # Not part of the app: the same app measured in another suite (micro.SplitSuite), such
    # as the base shape as the baseline of the scaling rows, measured with them.
    suite: str = ""

    def origin_list(self) -> list[str]:
        """Allowed origins: exact ones, then patterns. The request origin matches the last."""
        if self.patterns:
            return [f"https://*.t{i}.example.com" for i in range(self.patterns)]
        extra = [f"https://app{i}.example.org" for i in range(self.origins - 1)]
        return [*extra, ALLOWED_ORIGIN]

    def request_origin(self) -> str:
        """An allowed origin that matches the last configured entry (worst case for a scan)."""
        if self.patterns:
            return f"https://app.t{self.patterns - 1}.example.com"
        return ALLOWED_ORIGIN

    def target_path(self) -> str:
        """The path requested: the last route registered."""
        return f"/api/res{self.routes - 1}/42"

    def resource_list(self) -> list[str]:
        """flask-cors resources: regexes for the last ``resources`` routes, in order, so the
        request matches the last one (worst case for a scan)."""
        return [f"/api/res{i}/.*" for i in range(self.routes - self.resources, self.routes)]

    def label(self) -> str:
        """A short human-readable description."""
        if self.resources:
            return f"{self.routes} routes, {self.resources} resources"
        if self.patterns:
            return f"{self.routes} routes, {self.patterns} subdomain patterns"
        return f"{self.routes} routes, {self.origins} origins"


def _view(item_id: int) -> str:
    return "ok"


def _base_app(shape: Shape) -> Flask:
    app = Flask("benchmark_app")
    for i in range(shape.routes):
        app.add_url_rule(
            f"/api/res{i}/<int:item_id>",
            endpoint=f"res{i}",
            view_func=_view,
            methods=["GET", "PUT"],
        )
    return app


def _pattern_to_regex(origin: str) -> str | re.Pattern[str]:
    """flask-cors takes regexes, not ``*.`` patterns: give it the equivalent compiled regex."""
    if "*" not in origin:
        return origin
    scheme, rest = origin.split("://", 1)
    host = re.escape(rest[2:])
    return re.compile(rf"{re.escape(scheme)}://[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.{host}\Z", re.I)


def make_bare(shape: Shape) -> Flask:
    """The app with no CORS at all."""
    return _base_app(shape)


def _flask_cors_options(shape: Shape) -> dict[str, Any]:
    options: dict[str, object] = dict(
        origins=[_pattern_to_regex(o) for o in shape.origin_list()],
        methods=list(METHODS),
        allow_headers="*",
        supports_credentials=False,
        max_age=MAX_AGE,
    )
    if shape.resources:
        options["resources"] = shape.resource_list()
    return options


def make_flask_cors(shape: Shape) -> Flask:
    """The app with flask-cors, app-wide (or on ``shape.resources``), same policy."""
    from flask_cors import CORS

    app = _base_app(shape)
    CORS(app, **_flask_cors_options(shape))
    return app


def make_compat(shape: Shape) -> Flask:
    """The flask-cors app with the import switched to flask_preflight.compat."""
    from flask_preflight.compat import CORS

    app = _base_app(shape)
    CORS(app, **_flask_cors_options(shape))
    return app


def make_preflight(shape: Shape, app: Flask | None = None) -> Flask:
    """The app with Flask-Preflight, app-wide, same policy (on ``app`` when given)."""
    from flask_preflight import Preflight

    app = _base_app(shape) if app is None else app
    Preflight(
        app,
        origins=shape.origin_list(),
        methods=list(METHODS),
        allow_headers="*",
        credentials=False,
        max_age=MAX_AGE,
    )
    return app


# Reference apps: a second bare app (the null check: identical to the bare app, so its ratio
# must come out at 1 within the noise), the floor of actual requests (a WSGI wrapper that
# does nothing but append three precomputed headers in start_response) and the least a
# per-route CORS wrapper does (LEAST, below).
BARE_NULL = "bare Flask, second instance (null check)"
FLOOR = "bare Flask + a WSGI wrapper appending 3 precomputed headers (floor)"
_FLOOR_HEADERS = (
    ("Access-Control-Allow-Origin", ALLOWED_ORIGIN),
    ("Access-Control-Max-Age", str(MAX_AGE)),
    ("Vary", "Origin"),
)


def make_floor(shape: Shape) -> Flask:
    """The bare app behind the cheapest possible header-adding WSGI wrapper."""
    app = make_bare(shape)
    inner = app.wsgi_app

    def floor_wsgi_app(environ: Any, start_response: Any) -> Any:
        def start_floor_response(status: str, headers: Any, exc_info: Any = None) -> Any:
            headers.extend(_FLOOR_HEADERS)
            return start_response(status, headers, exc_info)

        return inner(environ, start_floor_response)

    app.wsgi_app = floor_wsgi_app  # type: ignore[method-assign]
    return app


# The least any per-route CORS wrapper must do on an actual request, whatever its design: the
# floor's wrapper plus reading the request context (is it this app's request? which
# endpoint?), one dict lookup for the endpoint's plan and one for the Origin, and a scan of
# the response's header names (did the view set Vary or CORS headers itself?). The distance
# from the floor to it is what keeping per-route policies costs; the distance from it to
# Flask-Preflight is what Flask-Preflight spends beyond that.
LEAST = "bare Flask + the least a per-route CORS wrapper does"
_NO_ORIGIN_HEADERS = (("Vary", "Origin"),)
# Response header names a view sets that are never Vary or Access-Control-* (the scan's set).
_PLAIN_HEADERS = frozenset({"Content-Type", "Content-Length"})


def make_least(shape: Shape) -> Flask:
    """The bare app behind the least per-route CORS wrapper: each endpoint's plan maps each
    allowed exact origin to its headers (the floor's three) and no Origin to ``Vary``."""
    from flask.globals import _cv_request  # the request context, as Flask-Preflight reads it

    app = make_bare(shape)
    inner = app.wsgi_app
    answers: dict[str | None, tuple[tuple[str, str], ...]] = {None: _NO_ORIGIN_HEADERS}
    for origin in shape.origin_list():
        if "*" not in origin:
            answers[origin] = (("Access-Control-Allow-Origin", origin), *_FLOOR_HEADERS[1:])
    plans = {endpoint: answers for endpoint in app.view_functions}
    current = _cv_request.get

    def least_wsgi_app(environ: Any, start_response: Any) -> Any:
        def start_least_response(status: str, headers: Any, exc_info: Any = None) -> Any:
            ctx = current(None)
            if ctx is None or ctx.app is not app:
                return start_response(status, headers, exc_info)
            request = ctx.request
            rule = request.url_rule
            plan = plans.get(rule.endpoint) if rule is not None else None
            if plan is not None:
                cors = plan.get(request.environ.get("HTTP_ORIGIN"))
                if cors is not None:
                    for name, _ in headers:
                        if name not in _PLAIN_HEADERS:
                            break  # (where a real wrapper merges with the view's own)
                    headers.extend(cors)
            return start_response(status, headers, exc_info)

        return inner(environ, start_least_response)

    app.wsgi_app = least_wsgi_app  # type: ignore[method-assign]
    return app


class EnvironTagMiddleware:
    """A custom class-based WSGI middleware, as apps write them: it keeps the app it wraps
    in ``.app`` and sets an environ key."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: Any, start_response: Any) -> Any:
        environ["benchmark.tag"] = "1"
        return self.app(environ, start_response)


# WSGI middleware installed before Preflight(app) (between it and Flask) and after it, for
# the middleware-order rows: P1-P3 against the bare app's GET behind the same middleware.
MIDDLEWARES: dict[str, Callable[[Any], Any]] = {
    "ProxyFix": lambda inner: _proxy_fix(inner),
    "DispatcherMiddleware": lambda inner: _dispatcher(inner),
    "custom class middleware": EnvironTagMiddleware,
}
ORDERS = ("before", "after")  # the middleware installed before / after Preflight(app)


def _proxy_fix(inner: Any) -> Any:
    from werkzeug.middleware.proxy_fix import ProxyFix

    return ProxyFix(inner, x_proto=1, x_host=1)


def _dispatcher(inner: Any) -> Any:
    """This app as the default app, another one mounted under a prefix."""
    from werkzeug.exceptions import NotFound
    from werkzeug.middleware.dispatcher import DispatcherMiddleware

    return DispatcherMiddleware(inner, {"/other": NotFound()})


def order_contender(middleware: str, order: str) -> str:
    """The name of Flask-Preflight with ``middleware`` installed before or after it."""
    return f"Flask-Preflight, {middleware} installed {order}"


def bare_behind(middleware: str) -> str:
    """The name of the bare app behind ``middleware`` (the order rows' reference)."""
    return f"bare Flask, {middleware}"


def _make_bare_behind(middleware: str) -> Callable[[Shape], Flask]:
    def make(shape: Shape) -> Flask:
        app = make_bare(shape)
        app.wsgi_app = MIDDLEWARES[middleware](app.wsgi_app)  # type: ignore[method-assign]
        return app

    return make


def _make_ordered(middleware: str, order: str) -> Callable[[Shape], Flask]:
    def make(shape: Shape) -> Flask:
        wrap = MIDDLEWARES[middleware]
        if order == "after":
            app = make_preflight(shape)
            app.wsgi_app = wrap(app.wsgi_app)  # type: ignore[method-assign]
            return app
        app = _base_app(shape)
        app.wsgi_app = wrap(app.wsgi_app)  # type: ignore[method-assign]
        return make_preflight(shape, app)

    return make


FACTORIES: dict[str, Callable[[Shape], Flask]] = {
    BARE: make_bare,
    FLASK_CORS: make_flask_cors,
    PREFLIGHT: make_preflight,
    COMPAT: make_compat,
    BARE_NULL: make_bare,
    FLOOR: make_floor,
    LEAST: make_least,
}
for _middleware in MIDDLEWARES:
    FACTORIES[bare_behind(_middleware)] = _make_bare_behind(_middleware)
    for _order in ORDERS:
        FACTORIES[order_contender(_middleware, _order)] = _make_ordered(_middleware, _order)


def preflight_status() -> str | None:
    """None if Flask-Preflight can be benchmarked, else the reason it cannot."""
    try:
        import flask_preflight
    except Exception as exc:  # the package is being written; report why, never crash
        return f"import failed: {exc!r}"
    if not hasattr(flask_preflight, "Preflight"):
        return "flask_preflight.Preflight does not exist yet"
    try:
        make_preflight(Shape())
    except Exception as exc:
        return f"Preflight(app, ...) failed: {exc!r}"
    return None


def available_contenders() -> tuple[list[str], dict[str, str]]:
    """The contenders that can run, and the reason for each one that cannot."""
    missing: dict[str, str] = {}
    reason = preflight_status()
    if reason is not None:
        missing[PREFLIGHT] = reason
    return [c for c in CONTENDERS if c not in missing], missing
