"""The WSGI layer: how requests reach the decision (``decision.py``) and its answers reach
the client. ``PreflightState`` is the per-app state (the policy registry, ``registry.py``,
with this wiring); the response wrappers are chosen once, at ``init_app``.

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
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Final, Optional

from flask import Flask, after_this_request, got_request_exception
from werkzeug.wsgi import get_host

from . import signals
from ._flask import current_request_context
from .chain import describe, walk
from .decision import Answer as Headers
from .decision import (
    Refusal,
    decide_actual,
    explain_refusal,
    plan_answer,
    preflight_answerer,
    refusal_answer,
)
from .headers import (
    ENVIRON_ORIGIN,
    ENVIRON_REQUEST_METHOD,
    ENVIRON_REQUEST_PRIVATE_NETWORK,
    PLAIN_RESPONSE_HEADERS,
    merge_actual_headers,
    merge_preflight_headers,
    sets_cors_or_vary,
)
from .policy import CompiledPolicy, Policy
from .registry import PolicyRegistry

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from flask.ctx import RequestContext
    from werkzeug.routing import MapAdapter, Rule

logger = logging.getLogger("flask_preflight")

# A WSGI environ key (never settable over HTTP) asking for the debug explanation in a
# refusal's body: the testing helper and the CLI set it.
EXPLAIN_ENVIRON_KEY: Final = "flask_preflight.explain"
# Set in the environ of a preflight answered inside Flask's dispatch, to the headers it was
# answered with: the middleware then keeps them exactly, whatever after_request hooks did.
ANSWERED_ENVIRON_KEY: Final = "flask_preflight.answered"
# Marks the preflight layer placed between middleware and Flask, naming its app's state.
LAYER_ATTRIBUTE: Final = "_flask_preflight_layer"
# Read on every actual request by the direct wrapper, as module globals (fewer closure cells).
_current_request = current_request_context
_refused_signal = signals.actual_request_refused

Answer = tuple[str, list[tuple[str, str]], bytes]
# Where a request was routed, noted by the before_request hook of an app whose Preflight
# does not wrap Flask directly (and noted again only once Flask finished a response after
# an exception): (the app's state, the rule Flask matched or None, its URL adapter, the
# environ Flask saw); the policy key is worked out from the rule and adapter only when a
# response starts after Flask's request context is gone.
Routed = tuple["PreflightState", Optional["Rule"], Optional["MapAdapter"], "WSGIEnvironment"]
ROUTED: ContextVar[list[Routed] | None] = ContextVar("flask_preflight.routed", default=None)
# The refusals of the preflights explained (``EXPLAIN_ENVIRON_KEY``) while it holds a list:
# the testing helper sets it, so its ``Verdict`` (and the CLI) reads the ``Refusal`` itself.
NOTED_REFUSALS: ContextVar[list[Refusal] | None] = ContextVar(
    "flask_preflight.noted_refusals", default=None
)


class PreflightState(PolicyRegistry):
    """Per-app state, in ``app.extensions["preflight"]``: the policy registry
    (``registry.py``), and how this app's requests reach it."""

    def __init__(self, app: Flask, app_levels: tuple[Policy, ...], direct: bool) -> None:
        super().__init__(app, app_levels)
        # Whether Preflight wraps Flask's own wsgi_app, with no middleware in between.
        self.direct = direct
        # Where preflights are answered (see preflight_route): "wrapper" (direct), "layer"
        # (a layer between the middleware and Flask) or "hook" (a before_request hook).
        self.preflights = "wrapper" if direct else "hook"
        self.inner: object = None  # what Preflight's wrapper wraps (when not direct)
        self.wrapper: object = None  # Preflight's wrapper, as init_app set app.wsgi_app
        self.unread: object = None  # the middleware the chain could not be read through
        # The answer to a request if it is a preflight this app answers, else None.
        self.answer_preflight_environ: Callable[[WSGIEnvironment], Answer | None] = (
            preflight_answerer(self.router.route, self.policy_for, self._refuse)
        )

    def on_freeze(self) -> None:
        if not self.direct:
            self.hook_into_flask()
            self.place_layer()  # again: the chain may have changed since init_app
            if self.preflights == "hook":
                logger.info("%s", self.preflight_route())

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

    def _refuse(
        self,
        endpoint: str | None,
        policy: CompiledPolicy | None,
        origin: str,
        refusal: Refusal,
        environ: WSGIEnvironment,
    ) -> Answer:
        """The 403 of a refused preflight (``decision.refusal_answer``): logged at debug
        level, explained in its body in debug mode or when the environ asks
        (``EXPLAIN_ENVIRON_KEY``), and signalled."""
        # Read here, not for every preflight: only a refusal says why.
        explain = self.app.debug or environ.get(EXPLAIN_ENVIRON_KEY) is True
        explanation = None
        if explain or logger.isEnabledFor(logging.DEBUG):
            explanation = explain_refusal(endpoint, policy, refusal)
            logger.debug("CORS preflight refused: %s", explanation)
            if explain:
                noted = NOTED_REFUSALS.get()
                if noted is not None:  # the testing helper's (and so the CLI's)
                    noted.append(refusal)
            else:
                explanation = None
        if signals.preflight_refused.receivers:
            signals.send_refusal(signals.preflight_refused, self.app, endpoint, origin, refusal)
        return refusal_answer(refusal, policy, explanation)

    def _answer_in_flask(self) -> Any:
        """The first ``before_request`` hook when WSGI middleware sits between ``Preflight``
        and Flask: it answers preflights on the environ as Flask sees it, and notes where
        this app routed every other request, for a middleware that starts the response
        only after Flask's request context is gone."""
        ctx = current_request_context(None)
        if ctx is None:
            return None
        environ = ctx.request.environ
        routed = ROUTED.get()
        if routed is not None:  # _note_route's work, inline: it runs on every request
            routed.append((self, ctx.request.url_rule, ctx.url_adapter, environ))
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
        request = ctx.request
        routed.append((self, request.url_rule, ctx.url_adapter, request.environ))

    def _on_exception(self, sender: Any, **extra: Any) -> None:
        """A ``got_request_exception`` receiver, when WSGI middleware sits between
        ``Preflight`` and Flask: the route noted for this request stands only if Flask
        then finishes a response (its 500); when the exception escapes Flask instead
        (``PROPAGATE_EXCEPTIONS``, debug mode), whatever a middleware answers, such as its
        own error page, is the middleware's and is left alone. Only runs on exceptions."""
        routed = ROUTED.get()
        ctx = current_request_context(None)
        if routed is None or ctx is None:
            return
        if routed and routed[-1][0] is self and routed[-1][3] is ctx.request.environ:
            routed.pop()

        def note_finished(response: Any) -> Any:  # run by Flask's process_response
            self._note_route(ctx, routed)
            return response

        after_this_request(note_finished)

    def hook_into_flask(self) -> None:
        """Install (again, should another extension have moved it) what works inside
        Flask's dispatch when WSGI middleware sits between ``Preflight`` and Flask."""
        _put_first(self.app, self._answer_in_flask)
        got_request_exception.connect(self._on_exception, self.app)

    # --- actual requests ------------------------------------------------------------------

    def decorate(
        self, headers: list[tuple[str, str]], endpoint: str | None, environ: WSGIEnvironment
    ) -> None:
        """Add the CORS headers and ``Vary`` of the actual request ``environ`` describes,
        routed to ``endpoint``, to its response's ``headers``. (The direct wrapper does the
        same inline.)"""
        cors = self.actual_answer(endpoint, environ)
        if cors is None:  # CORS is not enabled for this endpoint
            return
        if sets_cors_or_vary(headers):  # the app set Vary or CORS headers itself
            merge_actual_headers(headers, cors)
        else:
            headers.extend(cors)

    def actual_answer(self, endpoint: str | None, environ: WSGIEnvironment) -> Headers | None:
        """The headers the response to the actual request ``environ`` describes, routed to
        ``endpoint``, gets (``decision.plan_answer``; a refusal is signalled); ``None`` when
        CORS is not enabled for it."""
        plan = self.plan_for(endpoint, environ)
        if plan is None:
            return None
        cors = plan_answer(plan, environ)
        if cors is plan.refused and _refused_signal.receivers:
            self.actual_request_refused(endpoint, environ)
        return cors

    def actual_request_refused(self, endpoint: str | None, environ: WSGIEnvironment) -> None:
        """Tell ``signals.actual_request_refused``'s receivers (there are some) why a
        cross-origin request got no CORS headers."""
        origin = environ.get(ENVIRON_ORIGIN)
        if not isinstance(origin, str):
            return
        policy = self.policy_for(endpoint, environ)
        plan = self.plan_of(policy)
        if plan is None:  # CORS is not enabled: no plan refused it
            return
        refusal = decide_actual(policy, plan, environ)
        if not isinstance(refusal, Refusal) or _is_same_origin(environ, origin):
            return
        signals.send_refusal(signals.actual_request_refused, self.app, endpoint, origin, refusal)


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


def preflight_layer(flask_wsgi_app: WSGIApplication, state: PreflightState) -> WSGIApplication:
    """The layer put between middleware and Flask's own ``wsgi_app`` (``place_layer``): it
    answers preflights on the environ exactly as Flask will see it, and passes everything
    else on untouched (actual requests get their headers from Preflight's wrapper)."""

    answer_preflight = state.answer_preflight_environ  # bound once, not per preflight

    def preflight_layer_app(
        environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
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
    request, and each bytecode counts). The endpoint is the one this app's URL map routed
    to, read from the request context active while the response starts; a response no
    request of this app produced is not this app's to decorate. (What is the same for every
    request is read from module globals or bound here, so the closure made per request
    holds few cells: ``start_response`` and the three below.)"""
    app = state.app
    answers = state.answers
    answer_preflight = state.answer_preflight_environ
    # Whether this wrapper saw state.freeze() done: a cell, read on every request with no
    # attribute lookup (freezing is never undone).
    frozen = False

    def preflight_wsgi_app(
        environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        nonlocal frozen
        if not frozen:
            state.freeze()  # (a no-op when something else froze the state already)
            frozen = True
        # Only a request with Access-Control-Request-Method can be a preflight:
        # answer_preflight, the one test of whether it is one, requires it; tested here too
        # (a key's presence, without a call), it spares every other request a call.
        if ENVIRON_REQUEST_METHOD in environ:
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
            # decision.plan_answer, inline: the answer already built for this endpoint (a
            # matched rule's policy key is its endpoint: routing.Router.policy_key), method
            # and Origin, read without a call.
            by_method = answers.get(rule.endpoint) if rule is not None else None
            if by_method is not None and ENVIRON_REQUEST_PRIVATE_NETWORK not in request_environ:
                try:
                    cors = by_method[request_environ["REQUEST_METHOD"]].get(
                        request_environ.get(ENVIRON_ORIGIN)
                    )
                except (KeyError, TypeError):  # another method, or a value not a str
                    cors = None
            else:
                cors = None
            # (An answer already built is never a refusal the signal reports: an origin's is
            # a grant, and to a request without Origin none is sent.)
            if cors is None:  # none built, no rule matched, a policy chosen by path too, ...
                key = state.router.policy_key(rule, ctx.url_adapter)
                cors = state.actual_answer(key, request_environ)
                if cors is None:  # CORS is not enabled for this endpoint
                    return start_response(status, headers, exc_info)
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
    policy_key = state.router.policy_key

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
            ctx = current_request_context(None)
            if ctx is not None and ctx.app is app:
                request_environ = ctx.request.environ
                endpoint = policy_key(ctx.request.url_rule, ctx.url_adapter)
            elif routed and routed[-1][0] is state:
                _, rule, adapter, request_environ = routed[-1]
                endpoint = policy_key(rule, adapter)
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
