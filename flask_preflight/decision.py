"""The CORS decision for one request, one small step per check, in the Fetch Standard's order.

A preflight is checked for its origin, then its requested method, its requested headers and
its private-network request; each step either passes or returns a ``Refusal`` naming the
check and the policy field to change. The steps read only the compiled policy and the raw
request header values, and never raise on malformed input.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final, NamedTuple, Optional, Union

from .headers import (
    ALLOW_CREDENTIALS,
    ALLOW_HEADERS,
    ALLOW_METHODS,
    ALLOW_ORIGIN,
    ALLOW_PRIVATE_NETWORK,
    ENVIRON_ORIGIN,
    ENVIRON_REQUEST_HEADERS,
    ENVIRON_REQUEST_METHOD,
    ENVIRON_REQUEST_PRIVATE_NETWORK,
    EXPOSE_HEADERS,
    MAX_AGE,
    MAX_REQUEST_METHOD_LENGTH,
    PREFLIGHT_VARY,
    PREFLIGHT_VARY_PRIVATE_NETWORK,
    VARY,
    VARY_ORIGIN,
    is_token,
    parse_request_headers,
)
from .policy import CompiledPolicy

Headers = list[tuple[str, str]]


def escape(value: str, limit: int = 120) -> str:
    """``value`` quoted with every non-printable or non-ASCII character escaped, cut to
    ``limit`` characters: safe in a log line, a terminal or a response body."""
    text = ascii(value[:limit])
    return text + "..." if len(value) > limit else text


# The public reasons of refusals (a refusal's body says ``refusal_line(reason)``).
ORIGIN_NOT_ALLOWED = "origin not allowed"
MALFORMED_REQUEST_METHOD = "malformed Access-Control-Request-Method"
METHOD_NOT_ACCEPTED = "method not accepted by this URL"
METHOD_NOT_ALLOWED = "method not allowed"
MALFORMED_REQUEST_HEADERS = "malformed Access-Control-Request-Headers"
HEADER_NOT_ALLOWED = "header not allowed"
PRIVATE_NETWORK_NOT_ALLOWED = "private network access not allowed"
WEBSOCKET_UPGRADE_REFUSED = "a preflight is never a websocket upgrade"


def refusal_line(reason: str) -> str:
    """The first line of a refused preflight's body."""
    return f"CORS preflight refused: {reason}."


class Refusal(NamedTuple):
    """Why a request was refused. ``reason`` is public (no request bytes, no allowlist);
    ``detail`` names the refused value, escaped, for debugging; ``field`` is the policy
    field that would allow it (``None`` when none would, as for every refusal decided
    before a policy is, such as a route's). (A NamedTuple, not a frozen
    dataclass: one is built for every refused preflight, and a frozen dataclass costs about
    three times as much to build.)"""

    check: str
    field: str | None
    reason: str
    detail: str


def check_origin(policy: CompiledPolicy, origin: str) -> Refusal | None:
    if policy.matcher.allows(origin):
        return None
    return Refusal(
        "origin",
        "origins",
        ORIGIN_NOT_ALLOWED,
        f"the origin {escape(origin)} is not admitted by the policy's origins",
    )


def check_request_method_syntax(requested: str) -> Refusal | None:
    """The requested method must be one short HTTP token (not ``GET, DELETE``)."""
    if requested in _COMMON_METHODS:  # short tokens: no regex match for what browsers send
        return None
    if len(requested) > MAX_REQUEST_METHOD_LENGTH or not is_token(requested):
        return Refusal(
            "method",
            None,
            MALFORMED_REQUEST_METHOD,
            f"the requested method {escape(requested)} is not one HTTP method name",
        )
    return None


def check_method(
    policy: CompiledPolicy, route_methods: Collection[str] | None, requested: str
) -> Refusal | None:
    """The requested method must be a token the route accepts and the policy allows.

    Compared case-insensitively, as Flask routes ``patch`` to a ``PATCH`` view; the caller
    echoes it verbatim, since browsers compare ``Access-Control-Allow-Methods`` exactly.
    """
    malformed = check_request_method_syntax(requested)
    if malformed is not None:
        return malformed
    method = requested.upper()
    if route_methods is not None and method not in route_methods:
        return Refusal(
            "method",
            None,
            METHOD_NOT_ACCEPTED,
            f"the route does not accept the method {escape(requested)}",
        )
    if policy.methods is not None and method not in policy.methods:
        return Refusal(
            "method",
            "methods",
            METHOD_NOT_ALLOWED,
            f"the method {escape(requested)} is not in the policy's methods",
        )
    return None


def check_headers(policy: CompiledPolicy, requested: str | None) -> tuple[str, ...] | Refusal:
    """The requested header names, when every one is allowed."""
    if requested is None:
        return ()
    names = parse_request_headers(requested)
    if names is None:
        return Refusal(
            "headers",
            None,
            MALFORMED_REQUEST_HEADERS,
            f"the requested headers {escape(requested)} are not a short list of header names",
        )
    if not policy.any_header:
        for name in names:
            if name not in policy.allowed_headers and not any(
                pattern.fullmatch(name) for pattern in policy.header_patterns
            ):
                return Refusal(
                    "headers",
                    "allow_headers",
                    HEADER_NOT_ALLOWED,
                    f"the request header {escape(name)} is not in the policy's allow_headers",
                )
    return names


def check_private_network(policy: CompiledPolicy, requested: str | None) -> bool | Refusal:
    """Whether to answer a private-network request (legacy Private Network Access)."""
    if requested != "true":
        return False
    if policy.private_network:
        return True
    return Refusal(
        "private network",
        "private_network",
        PRIVATE_NETWORK_NOT_ALLOWED,
        "the preflight asks for private network access, and private_network is False",
    )


def decide_preflight(
    policy: CompiledPolicy,
    route_methods: Collection[str] | None,
    origin: str,
    requested_method: str,
    requested_headers: str | None,
    requested_private_network: str | None,
) -> Headers | Refusal:
    """The response headers granting a preflight, or the first check that refuses it."""
    refusal = check_origin(policy, origin) or check_method(policy, route_methods, requested_method)
    if refusal is not None:
        return refusal
    names = check_headers(policy, requested_headers)
    if isinstance(names, Refusal):
        return names
    private_network = check_private_network(policy, requested_private_network)
    if isinstance(private_network, Refusal):
        return private_network

    headers: Headers = [
        (ALLOW_ORIGIN, "*" if policy.matcher.any_origin else origin),
        (ALLOW_METHODS, requested_method),
    ]
    if names and requested_headers is not None:  # names come from requested_headers
        value = (
            _echoed_headers(names, requested_headers)
            if policy.echo_header_case
            else ",".join(names)
        )
        headers.append((ALLOW_HEADERS, value))
    if policy.credentials:
        headers.append((ALLOW_CREDENTIALS, "true"))
    if policy.max_age is not None:
        headers.append((MAX_AGE, policy.max_age))
    if private_network:
        headers.append((ALLOW_PRIVATE_NETWORK, "true"))
    headers.append((VARY, preflight_vary(policy)))
    return headers


def _echoed_headers(names: tuple[str, ...], requested: str) -> str:
    """The dialect's form: the names as the browser wrote them, sorted, ", "-joined.
    ``requested`` was already parsed (and bounded) by check_headers."""
    if len(names) == 1 and "," not in requested:
        return requested.strip(" \t")
    return ", ".join(sorted(n for n in (e.strip(" \t") for e in requested.split(",")) if n))


def preflight_vary(policy: CompiledPolicy) -> str:
    return PREFLIGHT_VARY_PRIVATE_NETWORK if policy.private_network else PREFLIGHT_VARY


def private_network_answer(policy: CompiledPolicy, requested: object) -> Headers:
    """A dialect's answer to ``Access-Control-Request-Private-Network`` on an actual request
    (browsers read it on preflights only)."""
    if requested != "true":
        return []
    return [(ALLOW_PRIVATE_NETWORK, "true" if policy.private_network else "false")]


# What an actual request's response gets: the headers to append, CORS ones then ``Vary``.
Answer = tuple[tuple[str, str], ...]
ActualAnswer = Callable[[Mapping[str, Any]], Answer]
# ``ActualPlan.by_method``: answers already built, by request method, then ``Origin``.
ByMethod = dict[str, dict[Optional[str], Answer]]
# The method of every preflight.
PREFLIGHT_METHOD: Final = "OPTIONS"
# Methods for which a policy without its own methods answers from ``ActualPlan.known``.
_COMMON_METHODS: Final = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class ActualPlan(NamedTuple):
    """How one policy answers actual (non-preflight) requests, decided once per policy.

    ``answer(environ)`` is the tuple of headers to append to the response of the request
    ``environ`` describes: the ``Access-Control-*`` headers, then ``Vary: Origin`` when the
    answer depends on the origin. It returns ``refused`` itself (the same object) exactly
    when no ``Access-Control-*`` header is granted.

    ``known`` holds answers already built, by request ``Origin`` (``None``: no ``Origin``):
    each exact origin's answer is built at its first allowed request (so at most one per
    configured exact origin), and is what ``answer`` returns for that origin whenever the
    method is in ``fast_methods`` (``None``: any method) and, if ``private_network``, the
    request carries no ``Access-Control-Request-Private-Network``. The request path reads
    ``known`` (through ``by_method``) when the method is one of those and the request
    carries no ``Access-Control-Request-Private-Network`` (whatever ``private_network``:
    one test for every plan, rarely failed), and calls ``answer`` otherwise. Only
    ``known[None]`` (no ``Origin``) can be ``refused``: an origin's entry is always a grant.
    """

    known: dict[str | None, Answer]
    fast_methods: frozenset[str] | None
    private_network: bool
    answer: ActualAnswer
    refused: Answer
    # Each method of ``fast_methods`` (the common methods when ``None``) mapped to ``known``
    # itself, so an answer already built is read with two lookups, the method check folded
    # into the first (the registry keeps it by endpoint too: ``PolicyRegistry.answers``).
    by_method: ByMethod


def actual_plan(policy: CompiledPolicy) -> ActualPlan:
    """The ``ActualPlan`` of ``policy``: every value it can answer except an allowed
    origin's is built here, once; an exact origin's answer at its first request."""
    vary: Answer = (VARY_ORIGIN,) if policy.vary_origin else ()
    refused = vary

    def finish(granted: Iterable[tuple[str, str]]) -> Answer:
        cors = tuple(granted)
        return (*cors, *vary) if cors else refused

    # The headers of an allowed request besides Access-Control-Allow-Origin (credentials,
    # exposed headers); for a "*" policy, all of them, "*" included.
    extra: list[tuple[str, str]] = []
    if policy.credentials:
        extra.append((ALLOW_CREDENTIALS, "true"))
    if policy.expose_headers is not None:
        extra.append((EXPOSE_HEADERS, policy.expose_headers))
    any_origin = policy.matcher.any_origin
    wildcard = ((ALLOW_ORIGIN, "*"), *extra) if any_origin else None
    none_answer = finish(_no_origin_answer(policy, extra, wildcard))
    any_answer = None if wildcard is None else finish(wildcard)
    tail = (*extra, *vary)
    allows = policy.matcher.allows
    exact = policy.matcher.exact
    methods = policy.actual_methods
    unanswered = policy.unanswered_methods
    check_method = methods is not None or bool(unanswered)
    private_network = policy.private_network_on_actual  # a dialect's (dialect.py)
    known: dict[str | None, Answer] = {None: none_answer}

    def answer(environ: Mapping[str, Any]) -> Answer:
        if check_method:
            method = environ.get("REQUEST_METHOD")
            if not isinstance(method, str):
                return refused
            if methods is not None and method not in methods and method.upper() not in methods:
                return refused
            if method in unanswered:
                return refused
        origin = environ.get(ENVIRON_ORIGIN)
        if not isinstance(origin, str):
            cors = none_answer  # no Origin (a value that is not a str counts as none)
        elif any_answer is not None:
            cors = any_answer
        elif allows(origin):
            cors = ((ALLOW_ORIGIN, origin), *tail)
            if origin in exact:  # one per configured exact origin, whatever clients send
                known[origin] = cors
        else:
            return refused
        if private_network and cors is not refused:
            requested = environ.get(ENVIRON_REQUEST_PRIVATE_NETWORK)
            if requested is not None:
                end = len(cors) - len(vary)
                return (*cors[:end], *private_network_answer(policy, requested), *cors[end:])
        return cors

    fast_methods = None
    if check_method:
        fast_methods = (_COMMON_METHODS if methods is None else methods) - unanswered
    by_method = dict.fromkeys(_COMMON_METHODS if fast_methods is None else fast_methods, known)
    return ActualPlan(known, fast_methods, private_network, answer, refused, by_method)


def _no_origin_answer(
    policy: CompiledPolicy, extra: list[tuple[str, str]], wildcard: Answer | None
) -> Iterable[tuple[str, str]]:
    """The CORS headers of a request without ``Origin``: the wildcard's for a "*" policy,
    else none, unless the policy's dialect (dialect.py) says otherwise."""
    effective = policy.effective
    no_origin = effective.dialect.no_origin
    if no_origin == "never":
        return ()
    if no_origin == "listed":
        if policy.matcher.any_origin:
            return () if policy.credentials else ((ALLOW_ORIGIN, "*"), *extra)
        listed = sorted(o for o in effective.origins if isinstance(o, str) and "*" not in o)
        return ((ALLOW_ORIGIN, listed[0]), *extra) if listed else ()
    return wildcard or ()


def plan_answer(plan: ActualPlan, environ: Mapping[str, Any]) -> Answer:
    """What ``plan`` answers the request ``environ`` describes: from ``plan.known`` (read
    through ``plan.by_method``) when the request asks no private-network access and its
    method is one ``by_method`` holds, else from ``plan.answer``. (The direct wrapper in
    wsgi.py does the same inline, with ``by_method`` read by endpoint.)"""
    if ENVIRON_REQUEST_PRIVATE_NETWORK not in environ:
        try:
            cors = plan.by_method[environ["REQUEST_METHOD"]].get(environ.get(ENVIRON_ORIGIN))
        except (KeyError, TypeError):  # another method, or a value that is not a str
            cors = None
        if cors is not None:
            return cors
    return plan.answer(environ)


def decide_actual(
    policy: CompiledPolicy, plan: ActualPlan, environ: Mapping[str, Any]
) -> Answer | Refusal:
    """The decision on the actual (non-preflight) request ``environ`` describes: the headers
    ``plan`` (``policy``'s) appends to its response (``plan_answer``), or, when they grant
    no ``Access-Control-*`` header to a request with an ``Origin``, the ``Refusal`` naming
    the check that refused it: its method (not in ``methods``), else its origin. A request
    answered without CORS headers for no such reason (no ``Origin``, a method the dialect
    leaves unanswered) gets its answer. (The WSGI layer's hot path calls ``plan_answer``
    itself, inline, and this only after a response was refused, to say why.)"""
    answer = plan_answer(plan, environ)
    if answer is not plan.refused:
        return answer
    origin = environ.get(ENVIRON_ORIGIN)
    if not isinstance(origin, str):
        return answer
    method = str(environ.get("REQUEST_METHOD", ""))
    methods = policy.actual_methods
    if methods is not None and method.upper() not in methods:
        return Refusal(
            "method",
            "methods",
            METHOD_NOT_ALLOWED,
            f"the method {escape(method)} is not in the policy's methods",
        )
    return check_origin(policy, origin) or answer


def actual_response_headers(policy: CompiledPolicy, origin: str | None, method: str) -> Headers:
    """The ``Access-Control-*`` headers ``policy`` gives an actual request from ``origin``
    (``None``: no ``Origin`` header) with ``method``; ``Vary`` aside (``decide_actual``
    says both)."""
    environ = {"REQUEST_METHOD": method}
    if origin is not None:
        environ[ENVIRON_ORIGIN] = origin
    decided = decide_actual(policy, actual_plan(policy), environ)
    if isinstance(decided, Refusal):
        return []
    return [header for header in decided if header is not VARY_ORIGIN]


# --- a preflight request, whole: its route, its policy, then the checks above -------------


@dataclass(frozen=True)
class Route:
    """Where a preflight's actual request would go. ``endpoint`` names the policy: a view's
    endpoint, ``"<blueprint>."`` for a URL no rule matches under that blueprint's URL
    prefix, or ``None`` for one under no blueprint's (the app-level policy)."""

    endpoint: str | None
    methods: frozenset[str] | None  # None: any method (the rule's, or no rule at all)
    matched: bool = True  # False: no rule matches the URL (an actual request gets a 404)


# What routing says when no rule takes a preflight's requested method at its URL.
NO_RULE_FOR_METHOD: Final = "method not allowed"
# Browsers never send a preflight as a websocket upgrade; one that is must not reach a
# websocket rule (nor the app's hooks): it is refused.
WEBSOCKET_UPGRADE: Final = "websocket upgrade"
Resolution = Union[Route, str, None]  # None: let Flask answer (redirect, bad host)
# What a preflight's answer is: status, headers, body.
PreflightAnswer = tuple[str, Headers, bytes]
# Answers a refused preflight: (policy key, policy or ``None`` when refused before one
# applied, origin, the refusal, the environ) -> its answer.
Refuse = Callable[
    [Optional[str], Optional[CompiledPolicy], str, Refusal, dict[str, Any]], PreflightAnswer
]
PREFLIGHT_REFUSED: Final = "403 Forbidden"


def describe_key(endpoint: str | None) -> str:
    """How errors and explanations name a policy key."""
    if endpoint is None:
        return "app (no matching route)"
    if endpoint.endswith("."):
        return f"blueprint {endpoint[:-1]!r} (no matching route)"
    return f"endpoint {endpoint!r}"


def preflight_answerer(
    route: Callable[[dict[str, Any], str], Resolution],
    policy_for: Callable[[str | None, dict[str, Any]], CompiledPolicy],
    refuse: Refuse,
) -> Callable[[dict[str, Any]], PreflightAnswer | None]:
    """The function answering one app's preflights, ``answer_preflight(environ)``: see it.
    ``route`` resolves a URL for a method (``routing.Router.route``), ``policy_for`` gives
    a policy key's compiled policy (``registry.PolicyRegistry.policy_for``), ``refuse``
    answers a refusal (the WSGI layer logs and signals it, then answers
    ``refusal_answer``). (A closure, built once per app: the WSGI layer calls it for every
    request, where a Python call more, or a C-level one such as a ``functools.partial``,
    is measurable on a preflight.)"""

    def answer_preflight(environ: dict[str, Any]) -> PreflightAnswer | None:
        """The answer to the request ``environ`` describes when it is a CORS preflight this
        app answers, else ``None`` (Flask answers it). The one test of whether a request
        is a preflight: an ``OPTIONS`` request whose ``Origin`` and
        ``Access-Control-Request-Method`` are both there (as str); the WSGI layer calls
        this for every request that has ``Access-Control-Request-Method`` at all. A
        preflight whose URL Flask answers itself (a redirect, an untrusted host) is
        ``None`` too. A granted one gets
        ``decide_preflight``'s headers, a refused one what ``refuse`` makes of its
        ``Refusal``."""
        if environ.get("REQUEST_METHOD") != PREFLIGHT_METHOD:
            return None
        method = environ.get(ENVIRON_REQUEST_METHOD)
        origin = environ.get(ENVIRON_ORIGIN)
        if not isinstance(method, str) or not isinstance(origin, str):
            return None
        malformed = check_request_method_syntax(method)
        if malformed is not None:
            return refuse(None, None, origin, malformed, environ)
        resolution = route(environ, method.upper())
        if resolution is None:
            return None
        if isinstance(resolution, str):
            if resolution == WEBSOCKET_UPGRADE:
                return refuse(None, None, origin, _upgrade_refusal(), environ)
            return refuse(None, None, origin, _route_refusal(method), environ)
        endpoint = resolution.endpoint
        policy = policy_for(endpoint, environ)
        if not policy.enabled:
            return refuse(endpoint, policy, origin, _disabled_refusal(origin), environ)
        decision = decide_preflight(
            policy,
            resolution.methods,
            origin,
            method,
            _header(environ, ENVIRON_REQUEST_HEADERS),
            _header(environ, ENVIRON_REQUEST_PRIVATE_NETWORK),
        )
        if isinstance(decision, Refusal):
            return refuse(endpoint, policy, origin, decision, environ)
        return "204 No Content", decision, b""

    return answer_preflight


def explain_refusal(endpoint: str | None, policy: CompiledPolicy | None, refusal: Refusal) -> str:
    """The debug explanation of a refusal: where, which check, why, and the field to
    change (with what set it) when one would allow it."""
    where = "no endpoint" if policy is None else describe_key(endpoint)
    fix = ""
    if refusal.field is not None and policy is not None:
        source = policy.effective.sources.get(refusal.field, "default")
        fix = f"; to allow it, change {refusal.field!r} (set by {source})"
    return f"{where}: {refusal.check} check failed: {refusal.detail}{fix}"


def refusal_answer(
    refusal: Refusal, policy: CompiledPolicy | None, explanation: str | None
) -> PreflightAnswer:
    """The 403 of a refused preflight: its body says ``refusal_line``, then the
    ``explanation`` when given (debug mode, the testing helper)."""
    # The body without the explanation depends on the reason only (one of a few
    # constants): built once per reason, not per refused preflight.
    reason = refusal.reason
    body, length = _REFUSAL_BODIES.get(reason) or _plain_refusal_body(reason)
    if explanation is not None:
        body, length = _refusal_body(f"{refusal_line(reason)} [debug] {explanation}")
    vary = preflight_vary(policy) if policy is not None else PREFLIGHT_VARY
    headers = [
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Content-Length", length),
        (VARY, vary),
    ]
    return PREFLIGHT_REFUSED, headers, body


# A refused preflight's body and Content-Length by reason (the constants above).
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


def _header(environ: Mapping[str, Any], key: str) -> str | None:
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
