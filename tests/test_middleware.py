"""Any WSGI middleware order: a preflight is routed on the environ exactly as Flask sees it and
answered before every before_request hook, whether the middleware was installed before
``Preflight(app)`` (it then sits between the extension and Flask) or after it; and only a
request this app's own URL map routed picks one of its policies."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from flask import Flask, abort, request, request_started
from werkzeug.datastructures import Headers
from werkzeug.exceptions import NotFound
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.middleware.lint import LintMiddleware
from werkzeug.middleware.profiler import ProfilerMiddleware
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.middleware.shared_data import SharedDataMiddleware
from werkzeug.test import EnvironBuilder

from flask_preflight import Preflight, cors
from flask_preflight.cli import preflight_cli
from flask_preflight.extension import get_state

from .helpers import ADMIN, SHOP, cors_headers, send_preflight

PARTNER = "https://partner.example"
ORDERS = ["middleware-first", "preflight-first"]

Middleware = Callable[[Any], Any]


def install(app: Flask, middleware: Middleware, order: str) -> None:
    """Install ``middleware`` around ``app.wsgi_app`` before or after ``Preflight(app)``."""
    if order == "middleware-first":
        app.wsgi_app = middleware(app.wsgi_app)  # type: ignore[method-assign]
        Preflight(app)
    else:
        Preflight(app)
        app.wsgi_app = middleware(app.wsgi_app)  # type: ignore[method-assign]


def items_app(hooks: list[str], **config: Any) -> Flask:
    """An API whose auth hook answers 401 to anything without a token."""
    app = Flask(__name__)
    app.config.update(config)

    @app.before_request
    def require_token() -> None:
        hooks.append(request.method)
        if request.headers.get("Authorization") != "Bearer ok":
            abort(401)

    @app.route("/items/<int:item_id>", methods=["PUT"])
    @cors(origins=[ADMIN], allow_headers=["Authorization"])
    def put_item(item_id: int) -> str:
        return f"put {item_id} at {request.host}{request.script_root}"

    return app


def assert_granted(response: Any, origin: str = ADMIN) -> None:
    assert response.status_code == 204, response.get_data(as_text=True)
    assert response.headers["Access-Control-Allow-Origin"] == origin
    assert response.headers["Access-Control-Allow-Methods"] == "PUT"


@pytest.mark.parametrize("order", ORDERS)
def test_proxy_fix_x_host_with_trusted_hosts(order: str) -> None:
    hooks: list[str] = []
    app = items_app(hooks, TRUSTED_HOSTS=["api.example.com"])
    install(app, lambda inner: ProxyFix(inner, x_for=1, x_proto=1, x_host=1), order)
    client = app.test_client()
    forwarded = {"x-forwarded-host": "api.example.com", "x-forwarded-proto": "https"}
    response = send_preflight(
        client, "/items/7", ADMIN, "PUT", "authorization", host="127.0.0.1:8000", **forwarded
    )
    assert_granted(response)
    assert hooks == []  # no before_request hook saw the preflight
    actual = client.put(
        "/items/7",
        headers={"Origin": ADMIN, "Authorization": "Bearer ok", "Host": "127.0.0.1:8000"}
        | {k.title(): v for k, v in forwarded.items()},
    )
    assert actual.get_data(as_text=True) == "put 7 at api.example.com"
    assert actual.headers["Access-Control-Allow-Origin"] == ADMIN
    if "TRUSTED_HOSTS" in Flask.default_config:  # Flask >= 3.1 checks it when routing
        # Without the forwarded host, the host is untrusted: Flask answers (its hooks run, as
        # for any request to an untrusted host), and nothing is granted.
        bare = send_preflight(client, "/items/7", ADMIN, "PUT", host="127.0.0.1:8000")
        assert "Access-Control-Allow-Origin" not in bare.headers


@pytest.mark.parametrize("order", ORDERS)
def test_proxy_fix_x_prefix(order: str) -> None:
    hooks: list[str] = []
    app = items_app(hooks)
    install(app, lambda inner: ProxyFix(inner, x_prefix=1), order)
    client = app.test_client()
    response = send_preflight(client, "/items/7", ADMIN, "PUT", x_forwarded_prefix="/api")
    assert_granted(response)
    assert hooks == []


@pytest.mark.parametrize("order", ORDERS)
def test_dispatcher_prefix_recipe(order: str) -> None:
    hooks: list[str] = []
    app = items_app(hooks)
    install(app, lambda inner: DispatcherMiddleware(NotFound(), {"/api": inner}), order)
    client = app.test_client()
    assert_granted(send_preflight(client, "/api/items/7", ADMIN, "PUT"))
    assert hooks == []
    actual = client.put("/api/items/7", headers={"Origin": ADMIN, "Authorization": "Bearer ok"})
    assert actual.get_data(as_text=True) == "put 7 at localhost/api"
    assert actual.headers["Access-Control-Allow-Origin"] == ADMIN
    # Outside the mount, the NotFound app answers; it is no response of this app's.
    outside = client.get("/items/7", headers={"Origin": ADMIN})
    assert outside.status_code == 404
    assert cors_headers(outside) == {}


def strip_version(inner: Any) -> Any:
    """A custom middleware that serves /v1/... as /...: it rewrites PATH_INFO."""

    def middleware(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith("/v1/"):
            environ = {**environ, "PATH_INFO": path[3:]}
        result: Iterable[bytes] = inner(environ, start_response)
        return result

    return middleware


@pytest.mark.parametrize("order", ORDERS)
def test_custom_path_rewriting_middleware(order: str) -> None:
    hooks: list[str] = []
    app = items_app(hooks)
    install(app, strip_version, order)
    client = app.test_client()
    assert_granted(send_preflight(client, "/v1/items/7", ADMIN, "PUT"))
    assert hooks == []
    actual = client.put("/v1/items/7", headers={"Origin": ADMIN, "Authorization": "Bearer ok"})
    assert actual.status_code == 200
    assert actual.headers["Access-Control-Allow-Origin"] == ADMIN


@pytest.mark.parametrize("order", ["factory-middleware-first", "factory-extension-first"])
def test_app_factory_whatever_the_order_of_setup(order: str) -> None:
    preflight = Preflight()
    hooks: list[str] = []

    def create_app() -> Flask:
        app = items_app(hooks)
        if order == "factory-middleware-first":
            app.wsgi_app = ProxyFix(app.wsgi_app, x_prefix=1)  # type: ignore[method-assign]
            preflight.init_app(app)
        else:
            preflight.init_app(app)
            app.wsgi_app = ProxyFix(app.wsgi_app, x_prefix=1)  # type: ignore[method-assign]
        return app

    client = create_app().test_client()
    assert_granted(send_preflight(client, "/items/7", ADMIN, "PUT", x_forwarded_prefix="/api"))
    assert hooks == []


@pytest.mark.parametrize("order", ORDERS)
def test_host_matching_vhosts_behind_proxy_fix(order: str) -> None:
    # Security review, point 7: the preflight must be routed on the forwarded host, as the
    # actual request will be, never on the backend's own Host.
    app = Flask(__name__, host_matching=True, static_folder=None)

    @app.route("/items/<int:item_id>", host="api.example.com", methods=["PUT"])
    @cors(origins=[SHOP])
    def shop_put(item_id: int) -> str:
        return "shop"

    @app.route("/items/<int:item_id>", host="backend:8000", methods=["PUT"], endpoint="admin")
    @cors(origins=[ADMIN], credentials=True)
    def admin_put(item_id: int) -> str:
        return "admin"

    install(app, lambda inner: ProxyFix(inner, x_host=1), order)
    client = app.test_client()
    via = {"host": "backend:8000", "x_forwarded_host": "api.example.com"}
    shop = send_preflight(client, "/items/1", SHOP, "PUT", **via)
    assert shop.status_code == 204
    assert shop.headers["Access-Control-Allow-Origin"] == SHOP
    admin = send_preflight(client, "/items/1", ADMIN, "PUT", **via)
    assert admin.status_code == 403
    assert cors_headers(admin) == {}
    actual = client.put(
        "/items/1",
        headers={"Origin": SHOP, "Host": "backend:8000", "X-Forwarded-Host": "api.example.com"},
    )
    assert actual.get_data(as_text=True) == "shop"
    assert actual.headers["Access-Control-Allow-Origin"] == SHOP


@pytest.mark.parametrize("order", ORDERS)
def test_another_apps_request_never_picks_this_apps_policy(order: str) -> None:
    # Security review, point 3: both apps have an endpoint named "index".
    inner_app = Flask("inner")

    @inner_app.get("/")
    def index() -> str:
        return "internal data"

    app = Flask(__name__)

    @app.get("/", endpoint="index")
    @cors(origins=[PARTNER], credentials=True)
    def outer_index() -> str:
        return "public"

    install(app, lambda inner: DispatcherMiddleware(inner, {"/internal": inner_app}), order)
    client = app.test_client()
    internal = client.get("/internal/", headers={"Origin": PARTNER})
    assert internal.get_data(as_text=True) == "internal data"
    assert cors_headers(internal) == {}
    missing = client.get("/internal/nowhere", headers={"Origin": PARTNER})
    assert missing.status_code == 404
    assert cors_headers(missing) == {}
    public = client.get("/", headers={"Origin": PARTNER})
    assert public.headers["Access-Control-Allow-Origin"] == PARTNER
    assert public.headers["Access-Control-Allow-Credentials"] == "true"


def test_preflight_answered_inside_flask_keeps_exactly_its_cors_headers() -> None:
    """With middleware between whose chain cannot be read (a closure), preflights are
    answered from the hook and after_request hooks run on the preflight's response; they
    cannot add or change its Access-Control-* headers, and their Vary is merged."""
    hooks: list[str] = []
    app = items_app(hooks)

    @app.after_request
    def legacy_cors(response: Any) -> Any:
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Allow-Methods"] = "GET, PUT, DELETE"
        response.vary.add("Cookie")
        return response

    install(app, strip_version, "middleware-first")
    assert not get_state(app).direct
    assert get_state(app).preflights == "hook"
    client = app.test_client()
    evil = send_preflight(client, "/items/1", "https://evil.example.net", "PUT")
    assert evil.status_code == 403
    assert cors_headers(evil) == {}
    granted = send_preflight(client, "/items/1", ADMIN, "PUT")
    assert_granted(granted)
    assert cors_headers(granted)["access-control-allow-methods"] == "PUT"
    (vary,) = granted.headers.getlist("Vary")  # one line, each field once
    assert sorted(vary.split(", ")) == sorted(
        ["Cookie", "Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"]
    )
    assert hooks == []


def test_direct_wrapping_is_detected() -> None:
    app = items_app([])
    Preflight(app)
    assert get_state(app).direct
    other = items_app([])
    other.wsgi_app = ProxyFix(other.wsgi_app)  # type: ignore[method-assign]
    Preflight(other)
    assert not get_state(other).direct


def test_the_preflight_hook_stays_first_among_before_request_hooks() -> None:
    hooks: list[str] = []
    app = items_app(hooks)
    app.wsgi_app = ProxyFix(app.wsgi_app, x_prefix=1)  # type: ignore[method-assign]
    Preflight(app)

    def added_later_at_the_front() -> None:
        hooks.append("later")
        abort(401)

    app.before_request_funcs[None].insert(0, added_later_at_the_front)
    assert_granted(send_preflight(app.test_client(), "/items/1", ADMIN, "PUT"))
    assert hooks == []


class ErrorPage:
    """A middleware that serves its own page when an exception escapes the app."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        try:
            return self.app(environ, start_response)
        except Exception:
            start_response("500 INTERNAL SERVER ERROR", [("Content-Type", "text/plain")])
            return [b"Traceback (most recent call last): ..."]


class Buffering:
    """A middleware that starts the app's response only after the app returned (Flask's
    request context is gone by then), as buffering and compressing middleware do."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        started: list[Any] = []
        body = b"".join(self.app(environ, lambda *args: started.append(args)))
        start_response(*started[0])
        return [body]


def failing_app(**config: Any) -> Flask:
    app = Flask(__name__)
    app.config.update(config)

    @app.get("/boom")
    @cors(origins=[ADMIN], credentials=True)
    def boom() -> str:
        raise RuntimeError("boom")

    @app.get("/ok")
    @cors(origins=[ADMIN], credentials=True)
    def ok() -> str:
        return "ok"

    return app


def assert_left_alone(response: Any) -> None:
    assert response.status_code == 500
    assert response.get_data(as_text=True).startswith("Traceback")
    assert cors_headers(response) == {}
    assert "Vary" not in response.headers


ERROR_PAGES = {
    "error-page": ErrorPage,
    "error-page-around-buffering": lambda inner: ErrorPage(Buffering(inner)),
}


@pytest.mark.parametrize("middleware", list(ERROR_PAGES))
@pytest.mark.parametrize("order", ORDERS)
def test_a_middlewares_own_error_page_is_left_alone(order: str, middleware: str) -> None:
    # Issue 16.5: with PROPAGATE_EXCEPTIONS the exception escapes Flask, the middleware
    # answers with its own page, and that page got the endpoint's CORS headers (with
    # credentials) from the route noted while Flask dispatched the request.
    app = failing_app(PROPAGATE_EXCEPTIONS=True)
    install(app, ERROR_PAGES[middleware], order)
    client = app.test_client()
    assert_left_alone(client.get("/boom", headers={"Origin": ADMIN}))
    # The app's own responses still carry their CORS headers, before and after.
    ok = client.get("/ok", headers={"Origin": ADMIN})
    assert ok.headers["Access-Control-Allow-Origin"] == ADMIN
    assert_left_alone(client.get("/boom", headers={"Origin": ADMIN}))


@pytest.mark.parametrize("order", ORDERS)
def test_werkzeugs_debugger_page_is_left_alone(order: str) -> None:
    from werkzeug.debug import DebuggedApplication

    app = failing_app(PROPAGATE_EXCEPTIONS=True)
    install(app, lambda inner: DebuggedApplication(inner, evalex=False), order)
    response = app.test_client().get("/boom", headers={"Origin": ADMIN})
    assert response.status_code == 500
    assert cors_headers(response) == {}


@pytest.mark.parametrize("middleware", list(ERROR_PAGES))
@pytest.mark.parametrize("order", ORDERS)
def test_flasks_own_500_behind_a_middleware_is_still_readable(order: str, middleware: str) -> None:
    # Without PROPAGATE_EXCEPTIONS Flask turns the exception into its 500 response: that
    # one is this app's, and the page may read it.
    app = failing_app(PROPAGATE_EXCEPTIONS=False)
    install(app, ERROR_PAGES[middleware], order)
    response = app.test_client().get("/boom", headers={"Origin": ADMIN})
    assert response.status_code == 500
    assert "Traceback" not in response.get_data(as_text=True)
    assert response.headers["Access-Control-Allow-Origin"] == ADMIN
    assert response.headers["Access-Control-Allow-Credentials"] == "true"


@pytest.mark.parametrize("order", ORDERS)
def test_an_exception_after_the_response_was_noted_is_left_alone(order: str) -> None:
    # Saving the session runs after every after_request hook: when it raises, the response
    # Flask had finished never goes out, and the middleware's page is its own.
    from flask.sessions import SecureCookieSessionInterface

    class FailingSessions(SecureCookieSessionInterface):
        def save_session(self, *args: Any) -> None:
            raise RuntimeError("session store down")

    app = failing_app(PROPAGATE_EXCEPTIONS=True)
    app.secret_key = "test"
    app.session_interface = FailingSessions()
    install(app, lambda inner: ErrorPage(Buffering(inner)), order)
    assert_left_alone(app.test_client().get("/ok", headers={"Origin": ADMIN}))


@pytest.mark.parametrize("order", ORDERS)
def test_an_error_handler_that_raises_leaves_the_middlewares_page_alone(order: str) -> None:
    # Flask calls the 500 handler; when that raises, the exception escapes Flask too.
    app = failing_app(PROPAGATE_EXCEPTIONS=False)

    @app.errorhandler(500)
    def broken_handler(error: Exception) -> str:
        raise RuntimeError("the handler fails too")

    install(app, lambda inner: ErrorPage(Buffering(inner)), order)
    assert_left_alone(app.test_client().get("/boom", headers={"Origin": ADMIN}))


# --- where preflights are answered, whatever the order -----------------------------------


class TagMiddleware:
    """A plain class-based middleware that keeps the next app in ``.app``."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        environ["tests.tag"] = "1"
        result: Iterable[bytes] = self.app(environ, start_response)
        return result


def wraps_middleware(inner: Any) -> Any:
    """A function middleware made with functools.wraps (it keeps ``__wrapped__``)."""

    @functools.wraps(inner)
    def middleware(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        result: Iterable[bytes] = inner(environ, start_response)
        return result

    return middleware


def opaque(middleware: Middleware) -> Middleware:
    """``middleware`` behind a closure the chain cannot be read through: the hook path."""

    def install(inner: Any) -> Any:
        wrapped = middleware(inner)

        def hidden(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
            result: Iterable[bytes] = wrapped(environ, start_response)
            return result

        return hidden

    return install


# (middleware, path sent, extra request headers): every middleware of this file, and the
# well-known ones whose chain Flask-Preflight reads. Flask sees /items/7 in each case.
FORWARDED = {"X-Forwarded-Host": "api.example.com", "X-Forwarded-Proto": "https"}
MIDDLEWARES: dict[str, tuple[Middleware, str, dict[str, str]]] = {
    "ProxyFix x_for x_proto x_host": (
        lambda inner: ProxyFix(inner, x_for=1, x_proto=1, x_host=1),
        "/items/7",
        FORWARDED,
    ),
    "ProxyFix x_prefix": (
        lambda inner: ProxyFix(inner, x_prefix=1),
        "/items/7",
        {"X-Forwarded-Prefix": "/api"},
    ),
    "DispatcherMiddleware mount": (
        lambda inner: DispatcherMiddleware(NotFound(), {"/api": inner}),
        "/api/items/7",
        {},
    ),
    "DispatcherMiddleware default app": (
        lambda inner: DispatcherMiddleware(inner, {"/internal": Flask("inner")}),
        "/items/7",
        {},
    ),
    "strip_version (a closure)": (strip_version, "/v1/items/7", {}),
    "SharedDataMiddleware": (
        lambda inner: SharedDataMiddleware(inner, {"/static": "/nonexistent"}),
        "/items/7",
        {},
    ),
    "ProfilerMiddleware": (lambda inner: ProfilerMiddleware(inner, stream=None), "/items/7", {}),
    "LintMiddleware": (LintMiddleware, "/items/7", {}),
    "class with .app": (TagMiddleware, "/items/7", {}),
    "functools.wraps": (wraps_middleware, "/items/7", {}),
}
READABLE = [name for name in MIDDLEWARES if "closure" not in name]


def raw_answer(
    app: Flask, path: str, origin: str, headers: dict[str, str]
) -> tuple[str, list[tuple[str, str]], bytes]:
    """A preflight's status, header list (in order) and body, as the server gets them."""
    request_headers: dict[str, str] = {
        "Origin": origin,
        "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "authorization",
        **headers,
    }
    environ = EnvironBuilder(
        path=path, method="OPTIONS", headers=Headers(request_headers)
    ).get_environ()
    started: list[tuple[str, list[tuple[str, str]]]] = []

    def start_response(status: str, header_list: Any, exc_info: Any = None) -> Any:
        started.append((status, list(header_list)))
        return lambda data: None

    body = app.wsgi_app(environ, start_response)
    try:
        data = b"".join(body)
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()
    ((status, header_list),) = started
    return status, header_list, data


# LintMiddleware asks 204 responses for "Content-Length: 0", which RFC 9110 forbids and
# Werkzeug's own responses never send.
@pytest.mark.filterwarnings("ignore::werkzeug.middleware.lint.HTTPWarning")
@pytest.mark.parametrize("name", list(MIDDLEWARES))
def test_a_preflight_answer_is_the_same_bytes_whichever_path_answered_it(name: str) -> None:
    middleware, path, headers = MIDDLEWARES[name]
    reference = items_app([])
    Preflight(reference)  # no middleware: answered in Preflight's own wrapper
    for origin in (ADMIN, "https://evil.example.net"):
        expected = raw_answer(reference, "/items/7", origin, {})
        assert expected[0] in ("204 No Content", "403 Forbidden")
        for order in ORDERS:
            for install_as in (
                middleware,
                opaque(middleware),
            ):  # the layer or the wrapper; the hook
                hooks: list[str] = []
                app = items_app(hooks)
                install(app, install_as, order)
                assert raw_answer(app, path, origin, headers) == expected, (order, install_as)
                assert hooks == []


# LintMiddleware asks 204 responses for "Content-Length: 0", which RFC 9110 forbids and
# Werkzeug's own responses never send.
@pytest.mark.filterwarnings("ignore::werkzeug.middleware.lint.HTTPWarning")
@pytest.mark.filterwarnings("ignore::werkzeug.middleware.lint.WSGIWarning")
@pytest.mark.parametrize("name", READABLE)
def test_middleware_first_preflights_are_answered_before_flask_builds_a_request(
    name: str,
) -> None:
    middleware, path, headers = MIDDLEWARES[name]
    app = items_app([])
    install(app, middleware, "middleware-first")
    assert get_state(app).preflights == "layer"
    started: list[object] = []

    def on_request_started(sender: object, **extra: object) -> None:
        started.append(sender)

    with request_started.connected_to(on_request_started, app):
        status, _, _ = raw_answer(app, path, ADMIN, headers)
        assert status == "204 No Content"
        assert started == []  # no request context, no dispatch
        client_headers = {"Origin": ADMIN, "Authorization": "Bearer ok", **headers}
        actual = app.test_client().put(path, headers=client_headers)
        assert started == [app]
    assert actual.status_code == 200
    assert actual.headers["Access-Control-Allow-Origin"] == ADMIN
    assert actual.headers["Vary"] == "Origin"


def test_unreadable_middleware_keeps_the_hook_and_says_so_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = items_app([])
    install(app, strip_version, "middleware-first")
    state = get_state(app)
    assert state.preflights == "hook"
    client = app.test_client()
    with caplog.at_level(logging.INFO, logger="flask_preflight"):
        assert_granted(send_preflight(client, "/v1/items/7", ADMIN, "PUT"))
        assert_granted(send_preflight(client, "/v1/items/7", ADMIN, "PUT"))
    (record,) = [r for r in caplog.records if "before_request hook" in r.getMessage()]
    assert record.levelno == logging.INFO
    message = record.getMessage()
    assert "tests.test_middleware.strip_version.<locals>.middleware" in message
    assert "call Preflight(app) before installing it" in message


def test_preflight_first_keeps_the_wrapper_and_logs_nothing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = items_app([])
    install(app, strip_version, "preflight-first")
    assert get_state(app).preflights == "wrapper"
    with caplog.at_level(logging.INFO, logger="flask_preflight"):
        assert_granted(send_preflight(app.test_client(), "/v1/items/7", ADMIN, "PUT"))
    assert [r for r in caplog.records if "before_request hook" in r.getMessage()] == []


def test_the_chain_is_read_again_at_the_first_request() -> None:
    # A factory that mounts Flask under a prefix after init_app, keeping Flask's own
    # wsgi_app from before: the chain is complete only at the first request.
    app = items_app([])
    flask_wsgi_app = app.wsgi_app
    dispatcher = DispatcherMiddleware(NotFound(), {})
    app.wsgi_app = dispatcher  # type: ignore[method-assign]
    Preflight(app)
    assert get_state(app).preflights == "hook"
    dispatcher.mounts["/api"] = flask_wsgi_app
    started: list[object] = []

    def on_request_started(sender: object, **extra: object) -> None:
        started.append(sender)

    with request_started.connected_to(on_request_started, app):
        assert_granted(send_preflight(app.test_client(), "/api/items/7", ADMIN, "PUT"))
    assert get_state(app).preflights == "layer"
    assert started == []


def test_routes_command_says_where_preflights_are_answered() -> None:
    for middleware, order, expected in (
        (strip_version, "preflight-first", "Preflight(app) wraps Flask's own wsgi_app"),
        (ProxyFix, "middleware-first", "in a layer between the WSGI middleware"),
        (strip_version, "middleware-first", "strip_version.<locals>.middleware"),
    ):
        app = items_app([])
        install(app, middleware, order)
        result = app.test_cli_runner().invoke(preflight_cli, ["routes"])
        assert result.exit_code == 0, result.output
        assert expected in " ".join(result.output.split())
