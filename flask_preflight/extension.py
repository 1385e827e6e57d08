"""``Preflight``: the Flask extension, its per-app state, and its wiring into Flask.

Data flow:

- A preflight (``OPTIONS`` with ``Origin`` and ``Access-Control-Request-Method``) is routed
  with the *requested* method (``routing.py``), the compiled policy of the endpoint it would
  reach decides, and the answer goes out before any ``before_request`` hook (auth) sees the
  preflight, and without running a view. Where it is answered depends on what sits between
  ``Preflight`` and Flask:

  * nothing (``Preflight(app)`` wrapped Flask's own ``wsgi_app``): in ``preflight_middleware``,
    before Flask builds a request context; the environ is the one Flask would see;
  * WSGI middleware the app installed earlier (``ProxyFix``, ``DispatcherMiddleware``, a
    path rewriter) whose chain can be read (``chain.py``): in ``preflight_layer``, put
    between that middleware and Flask's own ``wsgi_app``, again before Flask builds a
    request context, on the environ as Flask sees it after that middleware;
  * middleware whose chain cannot be read (a closure): inside Flask's dispatch, from a
    ``before_request`` hook that runs before every other one (logged once, at the first
    request). The hook stays installed whenever middleware sits in between, for what the
    chain may hide. The three answer with the same bytes.

- Every other request goes to Flask as usual; the middleware's ``start_response`` adds the
  ``Access-Control-*`` headers and ``Vary`` to whatever response this app produced (views,
  ``abort()``, error handlers, 404/405, unhandled exceptions turned into 500). The endpoint
  is the one this app's own URL map routed the request to, read from the request context
  active while the response starts; a response no request of this app produced (another
  app mounted by middleware, a middleware's own answer) is left alone.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Final, Optional

from flask import Flask, after_this_request, got_request_exception
from flask.globals import _cv_request
from werkzeug.wsgi import get_host

from . import signals
from .chain import describe, is_flask_wsgi_app, walk
from .errors import PreflightConfigError, Problem
from .headers import (
    ENVIRON_ORIGIN,
    ENVIRON_REQUEST_HEADERS,
    ENVIRON_REQUEST_METHOD,
    ENVIRON_REQUEST_PRIVATE_NETWORK,
    PLAIN_RESPONSE_HEADERS,
    PREFLIGHT_VARY,
    VARY,
    merge_actual_headers,
    merge_preflight_headers,
    sets_cors_or_vary,
)
from .paths import PathPolicies
from .policy import (
    CompiledPolicy,
    Policy,
    PolicyOptions,
    check_effective,
    compile_policy,
    config_spelling,
    config_values,
    declare_policy,
    endpoint_policies,
    keyword_spelling,
    policy_of,
    resolve,
)
from .preflight import (
    METHOD_NOT_ACCEPTED,
    ORIGIN_NOT_ALLOWED,
    WEBSOCKET_UPGRADE_REFUSED,
    ActualPlan,
    FastEntry,
    Refusal,
    actual_plan,
    actual_refusal,
    check_request_method_syntax,
    decide_preflight,
    escape,
    plan_answer,
    preflight_vary,
    refusal_line,
)
from .routing import WEBSOCKET_UPGRADE, Resolution, Route, Router, owner_key

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from flask.ctx import RequestContext
    from typing_extensions import Unpack  # no runtime dependency

logger = logging.getLogger("flask_preflight")


EXTENSION_NAME: Final = "preflight"
APP_LEVEL: Final = None  # the policy of URLs no rule or blueprint prefix claims
# A WSGI environ key (never settable over HTTP) asking for the debug explanation in a
# refusal's body: the testing helper and the CLI set it.
EXPLAIN_ENVIRON_KEY: Final = "flask_preflight.explain"
# Set in the environ of a preflight answered inside Flask's dispatch, to the headers it was
# answered with: the middleware then keeps them exactly, whatever after_request hooks did.
ANSWERED_ENVIRON_KEY: Final = "flask_preflight.answered"
# Marks the preflight layer placed between middleware and Flask, naming its app's state.
LAYER_ATTRIBUTE: Final = "_flask_preflight_layer"

Answer = tuple[str, list[tuple[str, str]], bytes]
# Where a request was routed, noted by the before_request hook of an app whose Preflight
# does not wrap Flask directly (and noted again only once Flask finished a response after
# an exception): (the app's state, the policy key, the environ Flask saw).
Routed = tuple["PreflightState", Optional[str], "WSGIEnvironment"]
ROUTED: ContextVar[list[Routed] | None] = ContextVar("flask_preflight.routed", default=None)
# Read on every actual request by the direct wrapper, as module globals (fewer closure cells).
_current_request = _cv_request.get
_refused_signal = signals.actual_request_refused


class PreflightState:
    """Per-app state, in ``app.extensions["preflight"]``: the app-level policy, the compiled
    policy of each endpoint, and the cache of route resolutions."""

    def __init__(self, app: Flask, app_levels: tuple[Policy, ...], direct: bool) -> None:
        self.app = app
        self.app_levels = app_levels
        # Whether Preflight wraps Flask's own wsgi_app, with no middleware in between.
        self.direct = direct
        # Where preflights are answered (see preflight_route): "wrapper" (direct), "layer"
        # (a layer between the middleware and Flask) or "hook" (a before_request hook).
        self.preflights = "wrapper" if direct else "hook"
        self.inner: object = None  # what Preflight's wrapper wraps (when not direct)
        self.wrapper: object = None  # Preflight's wrapper, as init_app set app.wsgi_app
        self.unread: object = None  # the middleware the chain could not be read through
        self.frozen = False
        self.policies: dict[str | None, CompiledPolicy] = {}  # filled by freeze()
        # How each endpoint answers actual requests (preflight.actual_plan), for every
        # endpoint with CORS enabled whose policy does not depend on the request path;
        # filled by freeze().
        self.plans: dict[str | None, ActualPlan] = {}
        # Each plan's ``fast`` entry, by the same keys (kept with ``plans`` by _keep_plan):
        # what the direct wrapper reads on every actual request.
        self.fast: dict[str | None, FastEntry] = {}
        self._plans_by_policy: dict[int, tuple[CompiledPolicy, ActualPlan | None]] = {}
        self._by_levels: dict[
            tuple[int, ...], tuple[CompiledPolicy | None, list[Problem], list[Policy]]
        ] = {}
        self.router = Router(app)
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
        # A View class's policy overrides one given to its view function (by a decorator
        # applied to every view, such as flask-restx's ``Api(decorators=[cors(...)])``).
        for target in (view, getattr(view, "view_class", None)):
            policy = policy_of(target)
            if policy is not None and all(policy is not level for level in levels):
                levels.append(policy)
        by_name = endpoint_policies(self.app.extensions).get(
            endpoint
        )  # cors(...).endpoint(app, name)
        if by_name is not None:
            levels.append(by_name)
        return levels

    def _endpoint_problems(self) -> list[Problem]:
        """``cors(...).endpoint(app, name)`` naming no endpoint, or one whose view has its
        own ``cors()`` policy."""
        problems = []
        for name, policy in endpoint_policies(self.app.extensions).items():
            view = self.app.view_functions.get(name)
            if name not in self.app.view_functions:
                known = ", ".join(sorted(self.app.view_functions)[:20])
                problems.append(
                    Problem(
                        "endpoint", name, policy.source, f"the app has no such endpoint ({known})"
                    )
                )
            elif any(policy_of(t) for t in (view, getattr(view, "view_class", None))):
                problems.append(
                    Problem(
                        "endpoint",
                        name,
                        policy.source,
                        "its view already has a cors() policy: merge the two into one",
                    )
                )
        return problems

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
        return cached[0], [replace(problem, where=describe_key(endpoint)) for problem in cached[1]]

    def compile_all(self) -> dict[str | None, CompiledPolicy]:
        """Compile every endpoint's policy; raise one error listing every problem."""
        compiled: dict[str | None, CompiledPolicy] = {}
        problems: list[Problem] = []
        owners = map(owner_key, self.router.owners)
        for endpoint in (APP_LEVEL, *self.app.view_functions, *owners):
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
            self.router.freeze()
            problems = self._endpoint_problems()
            if problems:
                raise PreflightConfigError(problems)
            self.policies = self.compile_all()
            if not self.direct:
                self._hook_into_flask()
                self.place_layer()  # again: the chain may have changed since init_app
                if self.preflights == "hook":
                    logger.info("%s", self.preflight_route())
            if self.paths is None:
                fixed = self.policies
            else:  # path rules: only endpoints whose policy is the same on every path
                keys = (APP_LEVEL, *self.app.view_functions, *map(owner_key, self.router.owners))
                self.paths.check(keys, self._compile, self._templates_of)
                self.policies = {}
                fixed = {}
                for key in keys:
                    every_path, level = self.paths.level_for_every_path(key)
                    if every_path:
                        fixed[key] = self._compile_checked(key, level)
            for key, policy in fixed.items():
                plan = self.plan_of(policy)
                if plan is not None:
                    self._keep_plan(key, plan)
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

    def _templates_of(self, endpoint: str | None) -> list[str] | None:
        """The rule templates of a view's endpoint; ``None`` (any path) for the app level
        and a blueprint's unrouted URLs."""
        if endpoint is None or endpoint not in self.app.view_functions:
            return None
        templates: list[str] = []
        for rule in self.app.url_map.iter_rules():
            if rule.endpoint == endpoint:
                templates.append(rule.rule)
                if rule.strict_slashes is False:  # also routed with or without a final slash
                    bare = rule.rule.rstrip("/")
                    templates.extend((bare or "/", bare + "/"))
        return templates

    def plan_of(self, policy: CompiledPolicy) -> ActualPlan | None:
        """How ``policy`` answers actual requests (``preflight.actual_plan``); ``None`` when
        CORS is not enabled (the response is left alone). Built once per compiled policy."""
        known = self._plans_by_policy.get(id(policy))
        if known is not None:
            return known[1]
        plan = actual_plan(policy) if policy.enabled else None
        self._plans_by_policy[id(policy)] = (policy, plan)  # keeps the id's object alive
        return plan

    def plan_for(self, endpoint: str | None, environ: WSGIEnvironment) -> ActualPlan | None:
        """The plan of ``endpoint`` for the request ``environ`` describes: the one decided
        at the first request, else (no rule matched, a policy chosen by path too, or CORS
        not enabled) the plan of the policy ``policy_for`` chooses."""
        plan = self.plans.get(endpoint)
        if plan is None:
            plan = self.plan_of(self.policy_for(endpoint, environ))
            if plan is not None and self.paths is None:
                self._keep_plan(endpoint, plan)
        return plan

    def _keep_plan(self, endpoint: str | None, plan: ActualPlan) -> None:
        """Remember ``endpoint``'s plan for every later request (and its ``fast`` entry)."""
        self.fast[endpoint] = plan.fast
        self.plans[endpoint] = plan

    def _compile_checked(self, endpoint: str | None, path_level: Policy | None) -> CompiledPolicy:
        """The policy of a combination the check at freeze compiled; should one it missed be
        invalid, the request is refused and the problem logged, never raised."""
        policy, problems = self._compile(endpoint, path_level)
        if policy is None:
            logger.error(
                "refusing CORS: a policy was not checked before the first request: %s",
                PreflightConfigError(problems),
            )
            return REFUSE_ALL
        return policy

    # --- answering preflights ---------------------------------------------------------

    def place_layer(self) -> None:
        """With middleware between Preflight's wrapper and Flask: put a preflight layer in
        every slot of the chain (``chain.py``) that holds Flask's own ``wsgi_app``, where
        preflights are answered on the environ as Flask will see it, before Flask builds a
        request context. Without any, preflights are answered by the ``before_request``
        hook (which stays installed for whatever the chain hides)."""
        found = walk(self.inner, self.app, self._is_layer)
        for slot in found.slots:
            held = slot.get()
            if not self._is_layer(held):
                slot.set(preflight_layer(held, self))
        self.preflights = "layer" if found.slots else "hook"
        self.unread = found.opaque[0] if found.opaque else None

    def _is_layer(self, candidate: object) -> bool:
        attributes = getattr(candidate, "__dict__", None)
        return isinstance(attributes, dict) and attributes.get(LAYER_ATTRIBUTE) is self

    def preflight_route(self) -> str:
        """Where this app answers preflights, in a sentence (the CLI and the log say it)."""
        if self.preflights == "wrapper":
            return (
                "Preflights are answered before Flask builds a request context "
                "(Preflight(app) wraps Flask's own wsgi_app)."
            )
        if self.preflights == "layer":
            return (
                "Preflights are answered before Flask builds a request context, in a "
                "layer between the WSGI middleware installed before Preflight(app) and Flask."
            )
        name = "WSGI middleware" if self.unread is None else describe(self.unread)
        return (
            f"Preflights are answered inside Flask (a before_request hook, at about the cost "
            f"of a whole request): Flask-Preflight cannot see where {name}, installed "
            f"before Preflight(app), passes requests on to Flask. For the fast path, call "
            f"Preflight(app) before installing it, or have it keep the app it wraps in an "
            f"'app' attribute (as Werkzeug's middleware do) or use functools.wraps."
        )

    def route(self, environ: WSGIEnvironment, method: str) -> Resolution:
        """Where a preflight to ``environ``'s URL for ``method`` would go (``routing.py``).
        Outside a request (the testing helper, the CLI), this ends the app's setup first,
        as a request does: routes resolved before then would miss the blueprints' URL
        prefixes, and stay cached."""
        if not self.frozen:
            self.freeze()
        return self.router.route(environ, method)

    def answer_preflight_environ(self, environ: WSGIEnvironment) -> Answer | None:
        """The answer to the ``OPTIONS`` request ``environ`` describes, if it is a preflight
        this app answers: its status, headers and body (``None``: Flask should answer it).
        (One method, not two: it runs on every preflight, where one Python call more is
        measurable.)"""
        method = environ.get(ENVIRON_REQUEST_METHOD)
        origin = environ.get(ENVIRON_ORIGIN)
        if not isinstance(method, str) or not isinstance(origin, str):
            return None
        malformed = check_request_method_syntax(method)
        if malformed is not None:
            return self._refuse(None, None, origin, malformed, environ)
        route = self.router.route(environ, method.upper())
        if route is None:
            return None
        if isinstance(route, str):
            refusal = _upgrade_refusal() if route == WEBSOCKET_UPGRADE else _route_refusal(method)
            return self._refuse(None, None, origin, refusal, environ)
        policy = self.policy_for(route.endpoint, environ)
        if not policy.enabled:
            return self._refuse(route.endpoint, policy, origin, _disabled_refusal(origin), environ)
        decision = decide_preflight(
            policy,
            route.methods,
            origin,
            method,
            _header(environ, ENVIRON_REQUEST_HEADERS),
            _header(environ, ENVIRON_REQUEST_PRIVATE_NETWORK),
        )
        if isinstance(decision, Refusal):
            return self._refuse(route.endpoint, policy, origin, decision, environ)
        return "204 No Content", decision, b""

    def _refuse(
        self,
        endpoint: str | None,
        policy: CompiledPolicy | None,
        origin: str,
        refusal: Refusal,
        environ: WSGIEnvironment,
    ) -> Answer:
        # Read here, not for every preflight: only a refusal says why.
        explain = self.app.debug or environ.get(EXPLAIN_ENVIRON_KEY) is True
        # The body without the explanation depends on the reason only (one of a few
        # constants): built once per reason, not per refused preflight.
        reason = refusal.reason
        body, length = _REFUSAL_BODIES.get(reason) or _plain_refusal_body(reason)
        if explain or logger.isEnabledFor(logging.DEBUG):
            where = "no endpoint" if policy is None else describe_key(endpoint)
            fix = ""
            if refusal.field is not None and policy is not None:
                source = policy.effective.sources.get(refusal.field, "default")
                fix = f"; to allow it, change {refusal.field!r} (set by {source})"
            explanation = f"{where}: {refusal.check} check failed: {refusal.detail}{fix}"
            logger.debug("CORS preflight refused: %s", explanation)
            if explain:
                body, length = _refusal_body(f"{refusal_line(reason)} [debug] {explanation}")
        if signals.preflight_refused.receivers:
            signals.send_refusal(signals.preflight_refused, self.app, endpoint, origin, refusal)
        vary = preflight_vary(policy) if policy is not None else PREFLIGHT_VARY
        headers = [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", length),
            (VARY, vary),
        ]
        return "403 Forbidden", headers, body

    def _answer_in_flask(self) -> Any:
        """The first ``before_request`` hook when WSGI middleware sits between ``Preflight``
        and Flask: it answers preflights on the environ as Flask sees it, and notes where
        this app routed every other request, for a middleware that starts the response
        only after Flask's request context is gone."""
        ctx = _cv_request.get(None)
        if ctx is None:
            return None
        environ = ctx.request.environ
        routed = ROUTED.get()
        if routed is not None:  # _note_route's work, inline: it runs on every request
            rule = ctx.request.url_rule
            endpoint = rule.endpoint if rule is not None else self.unrouted_key(ctx)
            routed.append((self, endpoint, environ))
        if environ.get("REQUEST_METHOD") != "OPTIONS":
            return None
        answer = self.answer_preflight_environ(environ)
        if answer is None:
            return None
        status, headers, body = answer
        environ[ANSWERED_ENVIRON_KEY] = headers
        response = self.app.response_class(body, status=status)
        # Exactly the answer's headers, as the wrapper and the layer send them (no
        # Content-Type of Flask's default): the same bytes whichever path answered.
        response.headers.clear()
        response.headers.extend(headers)
        return response

    def _note_route(self, ctx: RequestContext, routed: list[Routed]) -> None:
        """Note where this app routed the request of ``ctx``."""
        rule = ctx.request.url_rule
        endpoint = rule.endpoint if rule is not None else self.unrouted_key(ctx)
        routed.append((self, endpoint, ctx.request.environ))

    def _on_exception(self, sender: Any, **extra: Any) -> None:
        """A ``got_request_exception`` receiver, when WSGI middleware sits between
        ``Preflight`` and Flask: the route noted for this request stands only if Flask
        then finishes a response (its 500); when the exception escapes Flask instead
        (``PROPAGATE_EXCEPTIONS``, debug mode), whatever a middleware answers, such as its
        own error page, is the middleware's and is left alone. Only runs on exceptions."""
        routed = ROUTED.get()
        ctx = _cv_request.get(None)
        if routed is None or ctx is None:
            return
        if routed and routed[-1][0] is self and routed[-1][2] is ctx.request.environ:
            routed.pop()

        def note_finished(response: Any) -> Any:  # run by Flask's process_response
            self._note_route(ctx, routed)
            return response

        after_this_request(note_finished)

    def _hook_into_flask(self) -> None:
        """Install (again, should another extension have moved it) what works inside
        Flask's dispatch when WSGI middleware sits between ``Preflight`` and Flask."""
        _put_first(self.app, self._answer_in_flask)
        got_request_exception.connect(self._on_exception, self.app)

    # --- actual requests ------------------------------------------------------------------

    def routed_endpoint(self, environ: WSGIEnvironment) -> str | None:
        """The policy key of the actual request ``environ`` describes, routed outside any
        request (for the testing helper and the CLI): its endpoint, else the blueprint
        owning its path, else the app level."""
        route = self.route(environ, str(environ.get("REQUEST_METHOD", "")).upper())
        if isinstance(route, Route):
            return route.endpoint
        try:
            app = self.app
            return self.router.owner_of(app.create_url_adapter(app.request_class(environ)))
        except Exception:
            return APP_LEVEL

    def unrouted_key(self, ctx: RequestContext) -> str | None:
        """The policy key of a request no rule of this app matched (404, 405, redirect):
        the blueprint owning its path, else the app level."""
        return self.router.owner_of(ctx.url_adapter)

    def request_key(self, ctx: RequestContext) -> str | None:
        """The policy key of the request of ``ctx``: its endpoint, else the unrouted key."""
        rule = ctx.request.url_rule
        return rule.endpoint if rule is not None else self.unrouted_key(ctx)

    def decorate(
        self, headers: list[tuple[str, str]], endpoint: str | None, environ: WSGIEnvironment
    ) -> None:
        """Add the CORS headers and ``Vary`` of the actual request ``environ`` describes,
        routed to ``endpoint``, to its response's ``headers``. (The direct wrapper does the
        same inline.)"""
        plan = self.plan_for(endpoint, environ)
        if plan is None:  # CORS is not enabled for this endpoint
            return
        cors = plan_answer(plan, environ)
        if cors is plan.refused and signals.actual_request_refused.receivers:
            self.actual_request_refused(endpoint, environ)
        if sets_cors_or_vary(headers):  # the app set Vary or CORS headers itself
            merge_actual_headers(headers, cors)
        else:
            headers.extend(cors)

    def actual_request_refused(self, endpoint: str | None, environ: WSGIEnvironment) -> None:
        """Tell ``signals.actual_request_refused``'s receivers (there are some) why a
        cross-origin request got no CORS headers."""
        origin = environ.get(ENVIRON_ORIGIN)
        if not isinstance(origin, str):
            return
        policy = self.policy_for(endpoint, environ)
        refusal = actual_refusal(policy, origin, str(environ.get("REQUEST_METHOD", "")))
        if refusal is None or _is_same_origin(environ, origin):
            return
        signals.send_refusal(signals.actual_request_refused, self.app, endpoint, origin, refusal)


# What a request gets whose policy failed to compile after start-up (never expected).
REFUSE_ALL: Final = compile_policy(resolve(()))


def describe_key(endpoint: str | None) -> str:
    """How errors and explanations name a policy key."""
    if endpoint is None:
        return "app (no matching route)"
    if endpoint.endswith("."):
        return f"blueprint {endpoint[:-1]!r} (no matching route)"
    return f"endpoint {endpoint!r}"


def _put_first(app: Flask, hook: Any) -> None:
    """Make ``hook`` the app's first ``before_request`` function (again, should another
    extension have inserted one before it)."""
    funcs = app.before_request_funcs.setdefault(None, [])
    if not funcs or funcs[0] != hook:
        while hook in funcs:
            funcs.remove(hook)
        funcs.insert(0, hook)


def _is_same_origin(environ: WSGIEnvironment, origin: str) -> bool:
    """Whether ``origin`` is the request's own, with its host read as Werkzeug reads it
    (``Host``, else the server's name and port; the default port dropped), lowercase as
    browsers serialize an origin."""
    try:
        host = get_host(environ)
        return origin == f"{environ['wsgi.url_scheme']}://{host.lower()}"
    except Exception:  # a hand-made environ
        return False


# A refused preflight's body and Content-Length by reason (preflight.py's constants).
_REFUSAL_BODIES: dict[str, tuple[bytes, str]] = {}


def _refusal_body(line: str) -> tuple[bytes, str]:
    """A refused preflight's body (``line``, then a newline) and its Content-Length."""
    body = (line + "\n").encode("ascii", "backslashreplace")
    return body, str(len(body))


def _plain_refusal_body(reason: str) -> tuple[bytes, str]:
    """The body and Content-Length of a preflight refused for ``reason``, unexplained."""
    answer = _refusal_body(refusal_line(reason))
    if len(_REFUSAL_BODIES) < 64:  # bounded, should a reason ever vary
        _REFUSAL_BODIES[reason] = answer
    return answer


def _header(environ: WSGIEnvironment, key: str) -> str | None:
    value = environ.get(key)
    return value if isinstance(value, str) else None


def _route_refusal(method: str) -> Refusal:
    return Refusal(
        "method",
        None,
        METHOD_NOT_ACCEPTED,
        f"no route at this URL accepts the method {escape(method)}",
    )


def _upgrade_refusal() -> Refusal:
    return Refusal(
        "request",
        None,
        WEBSOCKET_UPGRADE_REFUSED,
        "the preflight carries Connection: Upgrade and Upgrade: websocket",
    )


def _disabled_refusal(origin: str) -> Refusal:
    return Refusal(
        "origin",
        "origins",
        ORIGIN_NOT_ALLOWED,
        f"CORS is not enabled for this endpoint (no origins allowed), so {escape(origin)} "
        "is refused",
    )


def preflight_layer(flask_wsgi_app: WSGIApplication, state: PreflightState) -> WSGIApplication:
    """The layer put between middleware and Flask's own ``wsgi_app`` (``place_layer``): it
    answers preflights on the environ exactly as Flask will see it, and passes everything
    else on untouched (actual requests get their headers from Preflight's wrapper)."""

    answer_preflight = state.answer_preflight_environ  # bound once, not per preflight

    def preflight_layer_app(
        environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "OPTIONS":
            if not state.frozen:
                state.freeze()
            answered = answer_preflight(environ)
            if answered is not None:
                status, headers, body = answered
                start_response(status, headers)
                return [body]
        return flask_wsgi_app(environ, start_response)

    setattr(preflight_layer_app, LAYER_ATTRIBUTE, state)
    preflight_layer_app.__wrapped__ = flask_wsgi_app  # type: ignore[attr-defined]
    return preflight_layer_app


def preflight_middleware(wsgi_app: WSGIApplication, state: PreflightState) -> WSGIApplication:
    """Wrap ``app.wsgi_app``: answer preflights before Flask builds a request context (when
    nothing sits between this wrapper and Flask), and add the CORS headers of actual
    requests in ``start_response``. (A function, not a class with ``__call__``: calling it
    is measurably cheaper on every request.) Which of two wrappers is chosen once, here."""
    if state.direct:
        return _direct_middleware(wsgi_app, state)
    return _behind_middleware(wsgi_app, state)


def _direct_middleware(wsgi_app: WSGIApplication, state: PreflightState) -> WSGIApplication:
    """The wrapper of Flask's own ``wsgi_app``: every actual request passes here, so this
    stays inline (each extra Python call costs about a fifth of a percent of a bare Flask
    request). The endpoint is the one this app's URL map routed to, read from the request
    context active while the response starts; a response no request of this app produced
    is not this app's to decorate. (What is the same for every request is read from module
    globals or bound here, so the closure made per request holds few cells.)"""
    app = state.app
    fast = state.fast
    answer_preflight = state.answer_preflight_environ

    def preflight_wsgi_app(
        environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        if not state.frozen:
            state.freeze()
        if environ.get("REQUEST_METHOD") == "OPTIONS":
            answered = answer_preflight(environ)
            if answered is not None:
                status, headers, body = answered
                start_response(status, headers)
                return [body]

        def start_cors_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            ctx = _current_request(None)
            if ctx is None or ctx.app is not app:
                return start_response(status, headers, exc_info)
            request = ctx.request
            request_environ = request.environ
            rule = request.url_rule
            entry = fast.get(rule.endpoint) if rule is not None else None
            if entry is not None:  # preflight.plan_answer, inline (its ActualPlan.fast)
                by_method, private_network, answer, refused = entry
                cors = None
                if not (private_network and ENVIRON_REQUEST_PRIVATE_NETWORK in request_environ):
                    try:  # the answer already built for this method and Origin
                        cors = by_method[request_environ["REQUEST_METHOD"]].get(
                            request_environ.get(ENVIRON_ORIGIN)
                        )
                    except (KeyError, TypeError):  # another method, or a value not a str
                        cors = None
                # (An answer already built is never a refusal the signal reports: an
                # origin's is a grant, and to a request without Origin none is sent.)
                if cors is None:
                    cors = answer(request_environ)
                    if cors is refused and _refused_signal.receivers:
                        state.actual_request_refused(state.request_key(ctx), request_environ)
            else:  # no rule matched, a policy chosen by path too, or no CORS
                key = state.request_key(ctx)
                plan = state.plan_for(key, request_environ)
                if plan is None:  # CORS is not enabled for this endpoint
                    return start_response(status, headers, exc_info)
                cors = plan_answer(plan, request_environ)
                if cors is plan.refused and _refused_signal.receivers:
                    state.actual_request_refused(key, request_environ)
            for name, _ in headers:
                if name not in PLAIN_RESPONSE_HEADERS:
                    if sets_cors_or_vary(headers):  # the app set Vary or CORS headers itself
                        merge_actual_headers(headers, cors)
                        return start_response(status, headers, exc_info)
                    break
            headers.extend(cors)
            return start_response(status, headers, exc_info)

        return wsgi_app(environ, start_cors_response)

    return preflight_wsgi_app


def _behind_middleware(wsgi_app: WSGIApplication, state: PreflightState) -> WSGIApplication:
    """The wrapper of WSGI middleware that was installed before ``Preflight(app)``: the
    endpoint comes from the request context active when the response starts, or, for a
    middleware that starts it later, from the note this app's first ``before_request``
    hook left; a preflight answered inside Flask keeps exactly the headers it was answered
    with."""
    app = state.app

    def preflight_wsgi_app(
        environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        if not state.frozen:
            state.freeze()
        routed: list[Routed] = []  # filled by this app's first before_request hook

        def start_cors_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            # The endpoint is the one this app's URL map routed to, read from the request
            # context active now, or noted by the before_request hook when a middleware
            # starts the response later; a response no request of this app produced (another
            # app mounted below, a middleware's own answer, its error page after an exception
            # escaped Flask) is not this app's to decorate.
            ctx = _cv_request.get(None)
            if ctx is not None and ctx.app is app:
                request_environ = ctx.request.environ
                rule = ctx.request.url_rule
                endpoint = rule.endpoint if rule is not None else state.unrouted_key(ctx)
            elif routed and routed[-1][0] is state:
                _, endpoint, request_environ = routed[-1]
            else:  # another app's response, or a middleware's own
                return start_response(status, headers, exc_info)
            answered = request_environ.get(ANSWERED_ENVIRON_KEY)
            if answered is not None:  # a preflight answered inside Flask's dispatch
                merge_preflight_headers(headers, answered)
            else:
                state.decorate(headers, endpoint, request_environ)
            return start_response(status, headers, exc_info)

        token = ROUTED.set(routed)
        try:
            return wsgi_app(environ, start_cors_response)
        finally:
            ROUTED.reset(token)

    return preflight_wsgi_app


class Preflight:
    """The Flask-Preflight extension.

    ``Preflight(app, **policy)`` or ``Preflight(**policy).init_app(app, **policy)``: the
    keywords (:class:`~flask_preflight.PolicyOptions`) are the app-wide policy (over
    ``PREFLIGHT_*`` config keys, under blueprint and view policies). The object keeps no
    app; per-app state is ``app.extensions["preflight"]``.
    """

    def __init__(self, app: Flask | None = None, **policy: Unpack[PolicyOptions]) -> None:
        declare_policy("Preflight(...)", policy)  # fail at construction on a typo
        self._policy = dict(policy)
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask, **policy: Unpack[PolicyOptions]) -> None:
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
            spelling = config_spelling if source == "app.config" else keyword_spelling
            try:
                levels.append(
                    declare_policy(source, declared, spellings=dict.fromkeys(declared, spelling))
                )
            except PreflightConfigError as error:
                problems.extend(error.problems)
        if problems:
            raise PreflightConfigError(problems)
        inner = app.wsgi_app
        # Nothing between this wrapper and Flask: preflights can be answered in the wrapper.
        direct = is_flask_wsgi_app(inner, app)
        state = PreflightState(app, tuple(levels), direct)
        state.compile_all()  # report what is wrong with the views registered so far
        app.extensions[EXTENSION_NAME] = state
        if not direct:
            state._hook_into_flask()
            state.inner = inner
            state.place_layer()
        state.wrapper = preflight_middleware(inner, state)
        app.wsgi_app = state.wrapper  # type: ignore[assignment,method-assign]


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
