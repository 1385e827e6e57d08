"""The apps the edge differential runs: the demo's API and a generated app of 1,000
routes, each wrapped (outside Flask-Preflight) by ``counted``, which records the probe id
of every request that reaches the app, so the test can tell what nginx answered itself."""

from __future__ import annotations

import importlib
import os
import random
import re
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Flask

from flask_preflight import Preflight, cors

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

PROBE_HEADER = "X-Edge-Probe"
SEEN_PATH = "/__edge_seen__"  # answered by the wrapper itself, never by the app
FACTORY_ENV = "EDGE_APP_FACTORY"


def counted(app: WSGIApplication) -> WSGIApplication:
    """``app`` recording the ``X-Edge-Probe`` of each request; ``GET /__edge_seen__``
    returns (and forgets) the ids seen, one a line."""
    seen: list[str] = []
    lock = threading.Lock()

    def wrapper(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == SEEN_PATH:
            with lock:
                body = "\n".join(seen).encode()
                seen.clear()
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [body]
        probe = environ.get("HTTP_X_EDGE_PROBE")
        if probe is not None:
            with lock:
                seen.append(probe)
        return app(environ, start_response)

    return wrapper


def load(spec: str) -> Flask:
    """The app ``module:function`` returns."""
    module, _, name = spec.partition(":")
    app = getattr(importlib.import_module(module), name)()
    assert isinstance(app, Flask)
    return app


def served() -> WSGIApplication:
    """gunicorn's entry point: the app named by $EDGE_APP_FACTORY, counted."""
    return counted(load(os.environ[FACTORY_ENV]))


def demo_api() -> Flask:
    from examples.spa.api import create_api_app

    return create_api_app("http://127.0.0.1:5000")


# --- the generated app ----------------------------------------------------------------

EXACT = (
    "https://app.example.com",
    "https://admin.example.com",
    "https://shop.example.org:8443",
    "http://localhost:3000",
    "http://127.0.0.1:5000",
    "null",
)
PATTERNS = ("https://*.example.com", "https://*.tenant.example.net", "http://localhost:*")
REGEXES = (r"https://[a-z0-9]+\.regex\.test", r"https://(?:eu|us)-[0-9]{1,3}\.example\.io")
HEADERS = ("x-token", "x-request-id", "authorization", "x-csrf-token", "if-match")
CONVERTERS = (
    "",
    "/<int:item_id>",
    "/<name>",
    "/files/<path:rest>",
    "/<uuid:key>",
    "/<any(a,b):kind>",
)
METHOD_SETS = (("GET",), ("GET", "POST"), ("PUT", "PATCH", "DELETE"), ("POST",), ("GET", "PATCH"))


def _approve(origin: str) -> bool:
    return origin.endswith(".callable.test")


def _policy(rng: random.Random) -> dict[str, Any]:
    """A random policy (possibly empty: the level inherits everything)."""
    policy: dict[str, Any] = {}
    kind = rng.randrange(8)
    credentials = rng.random() < 0.3
    if kind == 0:
        return policy
    if kind == 1 and not credentials:
        policy["origins"] = "*"
    elif kind == 2:
        policy["origins"] = [rng.choice(PATTERNS[:2]), rng.choice(EXACT[:3])]
    elif kind == 3:
        policy["origins"] = [re.compile(rng.choice(REGEXES)), rng.choice(EXACT[:3])]
    elif kind == 4 and not credentials:
        policy["origins"] = [PATTERNS[2], "null", rng.choice(EXACT)]
    elif kind == 5 and rng.random() < 0.2:
        policy["origins"] = [_approve, rng.choice(EXACT[:3])]  # a callable: passed to the app
    else:
        policy["origins"] = rng.sample(EXACT[:3], rng.randint(1, 3))
    policy["credentials"] = credentials
    if rng.random() < 0.4:
        policy["methods"] = list(rng.choice(METHOD_SETS))
    if rng.random() < 0.4:
        policy["allow_headers"] = "*" if rng.random() < 0.3 else rng.sample(HEADERS, 2)
    if rng.random() < 0.3:
        policy["max_age"] = rng.choice((None, 0, 60, 86400))
    if rng.random() < 0.2:
        policy["private_network"] = True
    return policy


def generated_app(routes: int = 1000, seed: int = 21) -> Flask:
    """Nested blueprints, converters, exact origins, subdomain and port patterns, regexes,
    credentials, methods, allow_headers, max_age and private_network, drawn from ``seed``."""
    rng = random.Random(seed)
    app = Flask("generated")
    blueprints: list[tuple[Blueprint, Blueprint | None]] = []
    for index in range(12):
        bp = Blueprint(f"b{index}", __name__, url_prefix=f"/b{index}")
        parent = blueprints[rng.randrange(len(blueprints))][0] if index >= 3 else None
        policy = _policy(rng)
        if policy:
            cors(**policy)(bp)
        blueprints.append((bp, parent))
    owners: list[Blueprint | None] = [None] + [bp for bp, _ in blueprints]
    for index in range(routes):
        owner = owners[rng.randrange(len(owners))]
        methods = list(rng.choice(METHOD_SETS))
        converter = rng.choice(CONVERTERS)
        slash = "/" if rng.random() < 0.1 and "path:" not in converter else ""
        path = f"/r{index}{converter}{slash}"
        policy = _policy(rng) if rng.random() < 0.6 else {}

        def view(**_: Any) -> str:
            return "ok"

        view.__name__ = f"r{index}"
        if policy:
            view = cors(**policy)(view)
        target: Any = owner if owner is not None else app
        target.add_url_rule(path, view_func=view, methods=methods)
    # Capitals in a path segment: nginx hashes exact map keys case-insensitively.
    upper = cors(origins=[EXACT[2]], max_age=7)(lambda n: "ok")
    app.add_url_rule("/Upper/<int:n>", "upper", upper, methods=["PUT"])
    # A literal segment beside a converter: Werkzeug tries the literal first.
    literal = cors(origins=[EXACT[0]], max_age=11)(lambda: "ok")
    app.add_url_rule("/things/new", "thing_new", literal, methods=["GET", "POST"])
    thing = cors(origins=[EXACT[1]], max_age=12)(lambda name: "ok")
    app.add_url_rule("/things/<name>", "thing", thing, methods=["GET", "DELETE"])
    for bp, parent in reversed(blueprints):
        if parent is not None:
            parent.register_blueprint(bp)
    for bp, parent in blueprints:
        if parent is None:
            app.register_blueprint(bp)
    Preflight(app, origins=list(EXACT[:2]), allow_headers=list(HEADERS[:2]))
    return app


PAGE_ORIGIN_ENV = "EDGE_PAGE_ORIGIN"


def demo_api_for_page() -> Flask:
    """The demo's API allowing the page origin in $EDGE_PAGE_ORIGIN (the browser test's)."""
    from examples.spa.api import create_api_app

    return create_api_app(os.environ[PAGE_ORIGIN_ENV])


# Factories whose apps carry WSGI middleware installed after Preflight(app) that changes no
# request and answers none (the demo's TrafficCounter): exported with
# --outer-middleware-changes-nothing, as docs/edge.md shows for the demo.
COUNTED_ONLY = frozenset({"tests.edge.apps:demo_api", "tests.edge.apps:demo_api_for_page"})
