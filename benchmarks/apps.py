"""Contenders: the same Flask app with no CORS, with flask-cors, and with Flask-Preflight.

Every contender is configured for the same policy: a list of allowed origins (exact origins
and ``https://*.domain`` subdomain patterns), the methods GET/PUT/POST/DELETE, any requested
header granted, no credentials, ``max_age=600``. Apps have ``routes`` routes of the shape
``/api/res<i>/<int:item_id>`` (GET and PUT) and requests go to the last one registered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

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


def _flask_cors_options(shape: Shape) -> dict[str, object]:
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


# Flask-Preflight with WSGI middleware (ProxyFix) installed after Preflight(app), which keeps
# the fast path (preflights answered in the wrapper), and before it, which moves preflights
# inside Flask's dispatch. Measured for P1-P3 only, against the same bare GET.
PREFLIGHT_MIDDLEWARE_AFTER = "Flask-Preflight, middleware installed after"
PREFLIGHT_MIDDLEWARE_BEFORE = "Flask-Preflight, middleware installed before"
ORDER_CONTENDERS = (PREFLIGHT_MIDDLEWARE_AFTER, PREFLIGHT_MIDDLEWARE_BEFORE)
BARE_MIDDLEWARE = "bare Flask, middleware"


def make_bare_with_middleware(shape: Shape) -> Flask:
    """The bare app behind the same middleware: the reference of the order rows."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    app = make_bare(shape)
    app.wsgi_app = ProxyFix(app.wsgi_app, x_proto=1, x_host=1)  # type: ignore[method-assign]
    return app


def _make_preflight_with_middleware(before: bool) -> Callable[[Shape], Flask]:
    def make(shape: Shape) -> Flask:
        from werkzeug.middleware.proxy_fix import ProxyFix

        if not before:
            app = make_preflight(shape)
            app.wsgi_app = ProxyFix(app.wsgi_app, x_proto=1, x_host=1)  # type: ignore[method-assign]
            return app
        app = _base_app(shape)
        app.wsgi_app = ProxyFix(app.wsgi_app, x_proto=1, x_host=1)  # type: ignore[method-assign]
        return make_preflight(shape, app)

    return make


FACTORIES: dict[str, Callable[[Shape], Flask]] = {
    BARE: make_bare,
    FLASK_CORS: make_flask_cors,
    PREFLIGHT: make_preflight,
    PREFLIGHT_MIDDLEWARE_AFTER: _make_preflight_with_middleware(before=False),
    PREFLIGHT_MIDDLEWARE_BEFORE: _make_preflight_with_middleware(before=True),
    BARE_MIDDLEWARE: make_bare_with_middleware,
    COMPAT: make_compat,
}


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
