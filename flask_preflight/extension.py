"""``Preflight``: the Flask extension, its per-app state, and its wiring into Flask.

Data flow:

- A preflight (``OPTIONS`` with ``Origin`` and ``Access-Control-Request-Method``) is
  answered by ``preflight_middleware``, which wraps ``app.wsgi_app``: the request is routed
  with the *requested* method (through a bounded cache of route resolutions), the endpoint's
  compiled policy decides, and the answer goes out without a request context, so the app's
  ``before_request`` hooks (auth) never see preflights and no view runs.
- Every other request goes to Flask as usual; the middleware's ``start_response`` adds the
  ``Access-Control-*`` headers and ``Vary`` to whatever response the app produced (views,
  ``abort()``, error handlers, 404/405, unhandled exceptions turned into 500), reading the
  endpoint Flask routed the request to.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Final

from flask import Flask, Request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from .decorators import policy_of
from .errors import PreflightConfigError, Problem
from .headers import (
    ENVIRON_ORIGIN,
    ENVIRON_REQUEST_HEADERS,
    ENVIRON_REQUEST_METHOD,
    ENVIRON_REQUEST_PRIVATE_NETWORK,
    MERGED_RESPONSE_HEADERS,
    PREFLIGHT_VARY,
    VARY,
    VARY_ORIGIN,
    merge_actual_headers,
)
from .paths import PathPolicies
from .policy import (
    CompiledPolicy,
    Policy,
    check_effective,
    compile_policy,
    config_values,
    declare_policy,
    resolve,
)
from .preflight import (
    Refusal,
    actual_response_headers,
    check_request_method_syntax,
    decide_preflight,
    escape,
    preflight_vary,
    private_network_answer,
)

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

logger = logging.getLogger("flask_preflight")


EXTENSION_NAME: Final = "preflight"
ROUTE_CACHE_SIZE: Final = 1024
MAX_CACHED_PATH_LENGTH: Final = 1024
APP_LEVEL: Final = None  # the "endpoint" of responses no rule matched (404, 405)
# A WSGI environ key (never settable over HTTP) asking for the debug explanation in a
# refusal's body: the testing helper and the CLI set it.
EXPLAIN_ENVIRON_KEY: Final = "flask_preflight.explain"


@dataclass(frozen=True)
class Route:
    """Where a preflight's actual request would be dispatched."""

    endpoint: str
    methods: frozenset[str] | None  # None: the rule accepts every method


_METHOD_NOT_ALLOWED: Final = "method not allowed"


class PreflightState:
    """Per-app state, in ``app.extensions["preflight"]``: the app-level policy, the compiled
    policy of each endpoint, and the cache of route resolutions."""

    def __init__(self, app: Flask, app_levels: tuple[Policy, ...]) -> None:
        self.app = app
        self.app_levels = app_levels
        self.frozen = False
        self.policies: dict[str | None, CompiledPolicy] = {}  # filled by freeze()
        self._by_levels: dict[
            tuple[int, ...], tuple[CompiledPolicy | None, list[Problem], list[Policy]]
        ] = {}
        self._routes: dict[tuple[Any, ...], Route | str | None] = {}
        self._lock = threading.Lock()
        # Path rules (paths.py), set by a front such as flask_preflight.compat: when set,
        # an endpoint's policy also depends on the request path.
        self.paths: PathPolicies | None = None

    # --- policies ---------------------------------------------------------------------

    def levels_for(self, endpoint: str | None) -> list[Policy]:
        """The declared levels of an endpoint, lowest first: app, blueprints, view."""
        levels = list(self.app_levels)
        if endpoint is None:
            return levels
        blueprint_path = endpoint.rpartition(".")[0]
        if blueprint_path:
            names = blueprint_path.split(".")
            for depth in range(1, len(names) + 1):
                policy = policy_of(self.app.blueprints.get(".".join(names[:depth])))
                if policy is not None:
                    levels.append(policy)
        view = self.app.view_functions.get(endpoint)
        policy = policy_of(view) or policy_of(getattr(view, "view_class", None))
        if policy is not None:
            levels.append(policy)
        return levels

    def _compile(
        self, endpoint: str | None, path_level: Policy | None = None
    ) -> tuple[CompiledPolicy | None, list[Problem]]:
        """Compile one endpoint's policy. Endpoints with the same levels (every view of a
        blueprint without its own policy, say) share one compiled policy, so start-up
        time and memory grow with the number of distinct policies, not of routes."""
        levels = self.levels_for(endpoint)
        if path_level is not None:  # a path rule's level: above the app's, below the rest
            levels.insert(len(self.app_levels), path_level)
        key = tuple(map(id, levels))
        cached = self._by_levels.get(key)
        if cached is None:
            effective = resolve(levels)
            problems = check_effective(effective, "")
            cached = (None if problems else compile_policy(effective), problems, levels)
            self._by_levels[key] = cached  # keeps ``levels`` alive, so ids stay unique
        where = "app (no matching route)" if endpoint is None else f"endpoint {endpoint!r}"
        return cached[0], [replace(problem, where=where) for problem in cached[1]]

    def compile_all(self) -> dict[str | None, CompiledPolicy]:
        """Compile every endpoint's policy; raise one error listing every problem."""
        compiled: dict[str | None, CompiledPolicy] = {}
        problems: list[Problem] = []
        for endpoint in (APP_LEVEL, *self.app.view_functions):
            policy, found = self._compile(endpoint)
            problems.extend(found)
            if policy is not None:
                compiled[endpoint] = policy
        if problems:
            raise PreflightConfigError(problems)
        return compiled

    def freeze(self) -> None:
        """Compile all policies before the first request is served. Like any first request
        in Flask, it ends setup: adding routes afterwards raises, which keeps the route
        cache and the compiled policies true."""
        with self._lock:
            if self.frozen:
                return
            self.policies = self.compile_all()
            if self.paths is not None:  # every lookup goes through policy_for, with the path
                self.paths.check((APP_LEVEL, *self.app.view_functions), self._compile)
                self.policies = {}
            self.app._got_first_request = True
            self.frozen = True

    def policy_for(
        self, endpoint: str | None, environ: WSGIEnvironment | None = None
    ) -> CompiledPolicy:
        if self.paths is not None:  # path rules: the policy of (endpoint, request path)
            path = environ.get("PATH_INFO") if environ is not None else None
            return self.paths.policy_for(endpoint, path, self._compile_checked)
        try:
            return self.policies[endpoint]
        except KeyError:
            pass
        policy, problems = self._compile(endpoint)
        if policy is None:
            raise PreflightConfigError(problems)
        self.policies[endpoint] = policy
        return policy

    def _compile_checked(self, endpoint: str | None, path_level: Policy | None) -> CompiledPolicy:
        policy, problems = self._compile(endpoint, path_level)
        if policy is None:
            raise PreflightConfigError(problems)
        return policy

    # --- routing ----------------------------------------------------------------------

    def route(self, environ: WSGIEnvironment, method: str) -> Route | str | None:
        """Resolve a preflight to the rule serving ``method`` at its URL: a ``Route``,
        ``_METHOD_NOT_ALLOWED``, or ``None`` when Flask should answer (404, redirect, bad
        host). Resolutions are cached, bounded, FIFO."""
        path = environ.get("PATH_INFO", "")
        key = (
            environ.get("HTTP_HOST"),
            environ.get("SERVER_NAME"),
            environ.get("SERVER_PORT"),
            environ.get("SCRIPT_NAME"),
            path,
            environ.get("wsgi.url_scheme"),
            method,
        )
        try:
            return self._routes[key]
        except KeyError:
            pass
        except TypeError:  # an unhashable value in a hand-made environ
            return None
        outcome = self._match(environ, method)
        if isinstance(path, str) and len(path) <= MAX_CACHED_PATH_LENGTH:
            with self._lock:
                if len(self._routes) >= ROUTE_CACHE_SIZE:
                    del self._routes[next(iter(self._routes))]
                self._routes[key] = outcome
        return outcome

    def _match(self, environ: WSGIEnvironment, method: str) -> Route | str | None:
        app = self.app
        try:
            adapter = app.create_url_adapter(app.request_class(environ))
            assert adapter is not None
            rule, _ = adapter.match(method=method, return_rule=True)
        except MethodNotAllowed:
            return _METHOD_NOT_ALLOWED
        except HTTPException:
            return None  # 404, a redirect, an untrusted host: Flask answers as usual
        except Exception:
            logger.debug("could not route a preflight; Flask will answer it", exc_info=True)
            return None
        methods = frozenset(rule.methods) if rule.methods is not None else None
        return Route(rule.endpoint, methods)

    # --- answering --------------------------------------------------------------------

    def answer_preflight(
        self, environ: WSGIEnvironment, origin: str, method: str
    ) -> tuple[str, list[tuple[str, str]], bytes] | None:
        """The preflight's status, headers and body; ``None`` when Flask should answer."""
        explain = self.app.debug or environ.get(EXPLAIN_ENVIRON_KEY) is True
        malformed = check_request_method_syntax(method)
        if malformed is not None:
            return self._refuse(None, None, malformed, explain)
        route = self.route(environ, method.upper())
        if route is None:
            return None
        if isinstance(route, str):
            return self._refuse(None, None, _route_refusal(method), explain)
        policy = self.policy_for(route.endpoint, environ)
        if not policy.enabled:
            return self._refuse(route.endpoint, policy, _disabled_refusal(origin), explain)
        decision = decide_preflight(
            policy,
            route.methods,
            origin,
            method,
            _header(environ, ENVIRON_REQUEST_HEADERS),
            _header(environ, ENVIRON_REQUEST_PRIVATE_NETWORK),
        )
        if isinstance(decision, Refusal):
            return self._refuse(route.endpoint, policy, decision, explain)
        return "204 No Content", decision, b""

    def _refuse(
        self,
        endpoint: str | None,
        policy: CompiledPolicy | None,
        refusal: Refusal,
        explain: bool,
    ) -> tuple[str, list[tuple[str, str]], bytes]:
        line = f"CORS preflight refused: {refusal.reason}."
        if explain or logger.isEnabledFor(logging.DEBUG):
            where = "no endpoint" if endpoint is None else f"endpoint {endpoint!r}"
            fix = ""
            if refusal.field is not None and policy is not None:
                source = policy.effective.sources.get(refusal.field, "default")
                fix = f"; to allow it, change {refusal.field!r} (set by {source})"
            explanation = f"{where}: {refusal.check} check failed: {refusal.detail}{fix}"
            logger.debug("CORS preflight refused: %s", explanation)
            if explain:
                line += f" [debug] {explanation}"
        body = (line + "\n").encode("ascii", "backslashreplace")
        vary = preflight_vary(policy) if policy is not None else PREFLIGHT_VARY
        headers = [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(body))),
            (VARY, vary),
        ]
        return "403 Forbidden", headers, body

    def routed_endpoint(self, environ: WSGIEnvironment) -> str | None:
        """The endpoint of an actual request, routed again: for the rare response whose
        request Flask saw under another environ (an inner middleware copied it)."""
        route = self.route(environ, str(environ.get("REQUEST_METHOD", "")).upper())
        return route.endpoint if isinstance(route, Route) else APP_LEVEL


def _header(environ: WSGIEnvironment, key: str) -> str | None:
    value = environ.get(key)
    return value if isinstance(value, str) else None


def _route_refusal(method: str) -> Refusal:
    return Refusal(
        "method",
        None,
        "method not accepted by this URL",
        f"no route at this URL accepts the method {escape(method)}",
    )


def _disabled_refusal(origin: str) -> Refusal:
    return Refusal(
        "origin",
        "origins",
        "origin not allowed",
        f"CORS is not enabled for this endpoint (no origins allowed), so {escape(origin)} "
        "is refused",
    )


def preflight_middleware(wsgi_app: WSGIApplication, state: PreflightState) -> WSGIApplication:
    """Wrap ``app.wsgi_app``: answer preflights before Flask builds a request context, and
    add the CORS headers of actual requests in ``start_response``. (A function, not a class
    with ``__call__``: calling it is measurably cheaper on every request.)"""

    def preflight_wsgi_app(
        environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        if not state.frozen:
            state.freeze()
        if environ.get("REQUEST_METHOD") == "OPTIONS":
            method = environ.get(ENVIRON_REQUEST_METHOD)
            origin = environ.get(ENVIRON_ORIGIN)
            if isinstance(method, str) and isinstance(origin, str):
                answer = state.answer_preflight(environ, origin, method)
                if answer is not None:
                    status, headers, body = answer
                    start_response(status, headers)
                    return [body]

        policies = state.policies

        def start_cors_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            # Every actual request passes here, so this stays inline: each extra Python
            # call costs a percent of a bare Flask request. The endpoint is the one Flask
            # routed to, read from the request object Werkzeug keeps in the environ.
            flask_request = environ.get("werkzeug.request")
            if isinstance(flask_request, Request) and flask_request.environ is environ:
                rule = flask_request.url_rule
                endpoint = rule.endpoint if rule is not None else APP_LEVEL
            else:
                endpoint = state.routed_endpoint(environ)
            policy = policies.get(endpoint) or state.policy_for(endpoint, environ)
            if not policy.enabled:
                return start_response(status, headers, exc_info)
            origin = environ.get(ENVIRON_ORIGIN)
            if origin is None and policy.actual_wildcard is None and policy.no_origin is None:
                cors = []  # the common same-origin request: only Vary may change
            else:
                cors = actual_response_headers(
                    policy, origin if isinstance(origin, str) else None, environ["REQUEST_METHOD"]
                )
                if policy.private_network_on_actual and cors:  # a dialect's (dialect.py)
                    pna = environ.get(ENVIRON_REQUEST_PRIVATE_NETWORK)
                    if pna is not None:
                        cors.extend(private_network_answer(policy, pna))
            for name, _ in headers:
                if name.lower() in MERGED_RESPONSE_HEADERS:  # the app set Vary or CORS headers
                    merge_actual_headers(headers, cors, policy.vary_origin)
                    break
            else:
                headers.extend(cors)
                if policy.vary_origin:
                    headers.append(VARY_ORIGIN)
            return start_response(status, headers, exc_info)

        return wsgi_app(environ, start_cors_response)

    return preflight_wsgi_app


class Preflight:
    """The Flask-Preflight extension.

    ``Preflight(app, **policy)`` or ``Preflight(**policy).init_app(app, **policy)``: the
    keywords are the app-wide policy (over ``PREFLIGHT_*`` config keys, under blueprint and
    view policies). The object keeps no app; per-app state is ``app.extensions["preflight"]``.
    """

    def __init__(self, app: Flask | None = None, **policy: Any) -> None:
        declare_policy("Preflight(...)", policy)  # fail at construction on a typo
        self._policy = dict(policy)
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask, **policy: Any) -> None:
        """Register on ``app``; the keywords override the constructor's, field by field."""
        if EXTENSION_NAME in app.extensions:
            raise RuntimeError(
                "Flask-Preflight is already registered on this app; call init_app once "
                "per app and put the whole app-wide policy in that call"
            )
        values, problems = config_values(app.config)
        levels: list[Policy] = []
        for source, declared in (
            ("app.config", values),
            ("Preflight(...)", self._policy),
            ("init_app(...)", policy),
        ):
            if not declared:
                continue
            try:
                levels.append(declare_policy(source, declared))
            except PreflightConfigError as error:
                problems.extend(error.problems)
        if problems:
            raise PreflightConfigError(problems)
        state = PreflightState(app, tuple(levels))
        state.compile_all()  # report what is wrong with the views registered so far
        app.extensions[EXTENSION_NAME] = state
        app.wsgi_app = preflight_middleware(app.wsgi_app, state)  # type: ignore[assignment,method-assign]
        from .cli import preflight_cli  # here: the CLI imports this module

        app.cli.add_command(preflight_cli)


def get_state(app: Flask) -> PreflightState:
    """The Flask-Preflight state of ``app``; raises ``RuntimeError`` if not registered."""
    try:
        state = app.extensions[EXTENSION_NAME]
    except KeyError:
        raise RuntimeError(
            "Flask-Preflight is not registered on this app: call Preflight(app)"
        ) from None
    assert isinstance(state, PreflightState)
    return state
