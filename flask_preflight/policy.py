"""The declared policy: its fields, their validation, and the merging of levels.

A ``Policy`` is what one level declares (built-in defaults, app config, ``Preflight``
keywords, a blueprint, a view); a field a level does not set is ``UNSET`` and inherited.
``resolve`` merges the levels into an ``EffectivePolicy`` that remembers where each value
came from, and ``compile_policy`` turns that into the immutable ``CompiledPolicy`` the
request path reads. Every problem found is reported at once, in one ``PreflightConfigError``.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any, Final, Literal, TypedDict, Union, get_args

from .dialect import NATIVE, Dialect
from .errors import PreflightConfigError, Problem
from .flask_cors_names import flask_cors_hint
from .headers import (
    SAFELISTED_REQUEST_HEADERS,
    is_forbidden_request_header,
    is_token,
)
from .origins import (
    ANY_ORIGIN,
    NULL_ORIGIN,
    OriginError,
    OriginMatcher,
    OriginSpec,
    RegexConfinement,
    admits_arbitrary_origins,
    build_matcher,
    is_cleartext_origin,
    is_public_suffix,
    parse_origin,
    regex_cleartext_origin,
    regex_confinement,
)

ANY: Final = "*"
HeaderSpec = Union[str, "re.Pattern[str]"]  # a header name, or a regex matching names whole
# How to write ``name=value`` (a field name, a value as Python) where a level is declared;
# errors use it to suggest a fix in the form that works there.
Spelling = Callable[[str, str], str]


def keyword_spelling(name: str, value: str) -> str:
    """``cors(...)``, ``Preflight(...)``: a keyword argument."""
    return f"{name}={value}"


def config_spelling(name: str, value: str) -> str:
    """``PREFLIGHT_*`` config keys."""
    return f"app.config[{'PREFLIGHT_' + name.upper()!r}] = {value}"


# The risks ``dangerously_tolerate`` can accept, each with what it lets an attacker do.
INSECURE_ORIGINS: Final = "insecure_origins"
NULL_WITH_CREDENTIALS: Final = "null_with_credentials"
PUBLIC_SUFFIX_SUBDOMAINS: Final = "public_suffix_subdomains"
UNVERIFIED_REGEX: Final = "unverified_regex"
Risk = Literal[
    "insecure_origins", "null_with_credentials", "public_suffix_subdomains", "unverified_regex"
]
TOLERABLE_RISKS: Final[tuple[str, ...]] = get_args(Risk)


class _Unset:
    __slots__ = ()

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Final = _Unset()

OriginOption = Union[str, "re.Pattern[str]", Callable[[str], bool]]
HeaderOption = Union[str, "re.Pattern[str]"]


class PolicyOptions(TypedDict, total=False):
    """The policy fields, as keywords of ``Preflight(...)``, ``init_app(...)`` and
    ``cors(...)`` (and, upper-cased with a ``PREFLIGHT_`` prefix, config keys). Each is
    optional: a field not given is inherited. These types let an editor complete the names
    and a type checker catch a misspelled one; the values are still checked when declared,
    with the messages of docs/errors.md."""

    #: The origins whose pages may call: an origin string (``"*"``, ``"null"``,
    #: ``"https://*.example.com"``, ``"http://localhost:*"``), a compiled regex, a callable
    #: taking the origin, or a list of them. ``[]``: none.
    origins: OriginOption | Iterable[OriginOption]
    #: Method names, or ``"*"`` for the route's own methods.
    methods: str | Iterable[str]
    #: Request header names (or compiled regexes) the page may send, or ``"*"``.
    allow_headers: HeaderOption | Iterable[HeaderOption]
    #: Response header names the page may read, or ``"*"``.
    expose_headers: str | Iterable[str]
    #: Whether cookies and HTTP auth may go with the requests.
    credentials: bool
    #: Seconds a browser may cache the preflight (``None`` omits the header).
    max_age: int | timedelta | None
    #: Whether to answer ``Access-Control-Request-Private-Network``.
    private_network: bool
    #: Risks with credentials accepted on purpose, by name.
    dangerously_tolerate: Risk | Iterable[Risk]


# The field names, in the order of PolicyOptions: declared there only.
FIELD_NAMES: Final = tuple(PolicyOptions.__annotations__)
CONFIG_KEYS: Final = {f"PREFLIGHT_{name.upper()}": name for name in FIELD_NAMES}
CONFIG_SOURCE: Final = "app.config"  # the level of the PREFLIGHT_* config keys
# The fields that take a list, and those a JSON scalar gives from the environment.
_LIST_FIELDS: Final = ("origins", "methods", "allow_headers", "expose_headers")
_SCALAR_EXAMPLES: Final = {
    "credentials": "true",
    "private_network": "true",
    "max_age": "600",
}


@dataclass(frozen=True)
class Policy:
    """What one level declares. Values are validated and normalised; ``UNSET`` inherits."""

    origins: tuple[OriginSpec, ...] | _Unset = UNSET
    methods: tuple[str, ...] | str | _Unset = UNSET
    allow_headers: tuple[HeaderSpec, ...] | str | _Unset = UNSET
    expose_headers: tuple[str, ...] | str | _Unset = UNSET
    credentials: bool | _Unset = UNSET
    max_age: int | _Unset | None = UNSET
    private_network: bool | _Unset = UNSET
    dangerously_tolerate: tuple[str, ...] | _Unset = UNSET
    source: str = field(default="", compare=False)
    dialect: Dialect | None = field(default=None, compare=False)  # None: inherited
    # Per field, where it was set and how to write it there, when that is not ``source``
    # and a keyword (a front such as compat merges several sources into one level).
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)
    spellings: Mapping[str, Spelling] = field(default_factory=dict, compare=False)

    def set_fields(self) -> dict[str, Any]:
        """The fields this level sets, by name."""
        return {
            name: getattr(self, name) for name in FIELD_NAMES if getattr(self, name) is not UNSET
        }


# The attribute where cors() keeps a view's, View class's or blueprint's policy.
POLICY_ATTRIBUTE: Final = "_flask_preflight_policy"


def policy_of(target: object) -> Policy | None:
    """The policy ``cors()`` attached to ``target`` (a view, View class or Blueprint)."""
    policy = getattr(target, POLICY_ATTRIBUTE, None)
    return policy if isinstance(policy, Policy) else None


# The key of ``app.extensions`` where ``cors(...).endpoint(app, name)`` keeps policies by
# endpoint name, for views that cannot carry one.
ENDPOINT_POLICIES: Final = "preflight.endpoint_policies"


def endpoint_policies(extensions: Mapping[str, object]) -> dict[str, Policy]:
    """The policies ``cors(...).endpoint(app, name)`` declared, by endpoint, read from the
    app's ``extensions``."""
    policies = extensions.get(ENDPOINT_POLICIES)
    return policies if isinstance(policies, dict) else {}


DEFAULT_POLICY: Final = Policy(
    origins=(),
    methods=ANY,
    allow_headers=ANY,
    expose_headers=(),
    credentials=False,
    max_age=600,
    private_network=False,
    dangerously_tolerate=(),
    source="default",
)


# --- validation of one level -------------------------------------------------------------


def suggest(name: str, choices: Iterable[str]) -> str:
    """``; did you mean 'x'?`` for the choice ``name`` is closest to, if any is close."""
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _as_items(value: object) -> tuple[object, ...] | None:
    """A list-like value as a tuple; ``None`` when it is not an iterable of items."""
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        return None
    return tuple(value)


def _several_in_one(value: str) -> str:
    parts = [part for part in re.split(r"[\s,]+", value) if part]
    return f"several values in one string: pass a list, {parts!r}"


def _validate_origins(value: object) -> tuple[tuple[OriginSpec, ...], list[str]]:
    if isinstance(value, (str, re.Pattern)) or callable(value):
        items: tuple[object, ...] | None = (value,)
    else:
        items = _as_items(value)
    if items is None:
        return (), [
            "must be a string, a compiled regex, a callable, or a list of them "
            f"(got {type(value).__name__})"
        ]
    specs: list[OriginSpec] = []
    errors: list[str] = []
    for item in items:
        if isinstance(item, str):
            if item in (ANY_ORIGIN, NULL_ORIGIN):
                specs.append(item)
            else:
                try:
                    specs.append(parse_origin(item).serialize())
                except OriginError as error:
                    errors.append(str(error))
        elif isinstance(item, re.Pattern):
            if not isinstance(item.pattern, str):
                errors.append(f"{item!r} is a bytes pattern; compile a str pattern")
            else:
                specs.append(item)
        elif callable(item):
            specs.append(item)
        else:
            errors.append(
                f"{item!r} is a {type(item).__name__}, not an origin string, "
                "a compiled regex or a callable"
            )
    return tuple(specs), errors


Validated = tuple[Union[tuple[Any, ...], str], list[str]]


def _validate_methods(value: object) -> Validated:
    """``"*"`` or a list of method names, upper-cased."""
    return _validate_names(value, "method", str.upper)


def _validate_request_headers(value: object) -> Validated:
    """``"*"`` or a list of request header names (lower-cased) and compiled regexes."""
    items = (value,) if isinstance(value, re.Pattern) else value
    return _validate_names(items, "header", str.lower, _check_request_header, _is_text_pattern)


def _validate_response_headers(value: object, normalize: Callable[[str], str]) -> Validated:
    """``"*"`` or a list of response header names, written as ``normalize`` says."""
    return _validate_names(value, "header", normalize, _check_response_header)


def _as_written(name: str) -> str:
    return name


def _is_text_pattern(item: object) -> bool:
    return isinstance(item, re.Pattern) and isinstance(item.pattern, str)


def _no_item(item: object) -> bool:
    return False


def _validate_names(
    value: object,
    kind: str,
    normalize: Callable[[str], str],
    check: Callable[[str], str | None] | None = None,
    taken_as_is: Callable[[object], bool] = _no_item,
) -> Validated:
    """Validate ``"*"`` or a list of token names (methods or header names), each written
    as ``normalize`` says, and the items ``taken_as_is`` (request headers' regexes)."""
    if value == ANY:
        return ANY, []
    if isinstance(value, str):
        if "," in value or len(value.split()) > 1:  # names hold neither
            return (), [_several_in_one(value)]
        items: tuple[object, ...] | None = (value,)
    else:
        items = _as_items(value)
    if items is None:
        return (), [f"must be '*' or a list of {kind} names (got {type(value).__name__})"]
    if items == (ANY,):
        return ANY, []
    names: list[Any] = []
    errors: list[str] = []
    for item in items:
        if taken_as_is(item):
            names.append(item)
        elif item == ANY:
            errors.append(f"'*' must be the whole value, not one {kind} name among others")
        elif not isinstance(item, str) or not is_token(item):
            errors.append(f"{item!r} is not a valid {kind} name (an HTTP token)")
        elif check is not None and (message := check(item)):
            errors.append(message)
        else:
            name = normalize(item)
            if name not in names:
                names.append(name)
    return tuple(names), errors


def _check_request_header(name: str) -> str | None:
    if is_forbidden_request_header(name):
        return f"{name!r} is a forbidden header name: browsers never let a page send it"
    return None


def _check_response_header(name: str) -> str | None:
    if name.lower() in ("set-cookie", "set-cookie2"):
        return f"{name!r} is never readable by a page, whatever the policy says"
    return None


def _validate_max_age(value: object) -> tuple[int | None, list[str]]:
    if value is None:
        return None, []
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, int) and not isinstance(value, bool):
        seconds = value
    else:
        return None, [
            f"must be a whole number of seconds, a timedelta, or None (got {type(value).__name__})"
        ]
    if seconds < 0:
        return None, ["must not be negative: use 0 to stop browsers caching preflights"]
    return int(seconds), []


def _validate_risks(value: object) -> tuple[tuple[str, ...], list[str]]:
    items = (value,) if isinstance(value, str) else _as_items(value)
    if items is None:
        return (), [f"must be a list of risk names (got {type(value).__name__})"]
    errors = [
        f"{item!r} is not a risk that can be tolerated; the risks are {list(TOLERABLE_RISKS)!r}"
        for item in items
        if item not in TOLERABLE_RISKS
    ]
    return tuple(dict.fromkeys(item for item in items if item in TOLERABLE_RISKS)), errors


def _validate_bool(value: object) -> tuple[bool, list[str]]:
    if isinstance(value, bool):
        return value, []
    return False, [f"must be True or False (got {type(value).__name__})"]


def declare_policy(
    source: str,
    values: Mapping[str, object],
    dialect: Dialect | None = None,
    *,
    sources: Mapping[str, str] | None = None,
    spellings: Mapping[str, Spelling] | None = None,
) -> Policy:
    """Validate the fields one level declares; raise ``PreflightConfigError`` listing every
    problem (unknown names, malformed values, and conflicts within this level). A
    ``dialect`` (dialect.py) changes how the answers are written, not what is allowed."""
    keep_case = dialect is not None and dialect.keep_header_case
    problems: list[Problem] = []
    normalized: dict[str, Any] = {}
    for name, value in values.items():
        if name not in FIELD_NAMES:
            hint = flask_cors_hint(name) or suggest(name, FIELD_NAMES)
            problems.append(Problem(name, value, source, "unknown field" + hint))
            continue
        errors: list[str]
        if name == "origins":
            normalized[name], errors = _validate_origins(value)
        elif name == "methods":
            normalized[name], errors = _validate_methods(value)
        elif name == "allow_headers":
            normalized[name], errors = _validate_request_headers(value)
        elif name == "expose_headers":
            normalized[name], errors = _validate_response_headers(
                value, _as_written if keep_case else str.lower
            )
        elif name == "max_age":
            normalized[name], errors = _validate_max_age(value)
        elif name == "dangerously_tolerate":
            normalized[name], errors = _validate_risks(value)
        else:
            normalized[name], errors = _validate_bool(value)
        problems.extend(Problem(name, value, source, error) for error in errors)
    if problems:
        raise PreflightConfigError(_in_config_terms(source, problems))
    policy = Policy(
        source=source,
        dialect=dialect,
        sources=dict(sources or {}),
        spellings=dict(spellings or {}),
        **normalized,
    )
    conflicts = _conflicts(policy, source)
    if conflicts:
        raise PreflightConfigError(_in_config_terms(source, conflicts))
    return policy


def _in_config_terms(source: str, problems: list[Problem]) -> list[Problem]:
    """Problems of the config level name the key the user wrote (``PREFLIGHT_ORIGINS``),
    and a string that should have been a list, a boolean or a number says what works in
    config: the value itself, or, from the environment, the JSON that Flask's
    ``app.config.from_prefixed_env()`` reads."""
    if source != CONFIG_SOURCE:
        return problems
    return [_config_problem(problem) for problem in problems]


def _config_problem(problem: Problem) -> Problem:
    name, value, message = problem.field, problem.value, problem.message
    if name not in FIELD_NAMES:
        return problem
    key = f"PREFLIGHT_{name.upper()}"
    if isinstance(value, str) and name in _LIST_FIELDS and "several" in message:
        parts = [part for part in re.split(r"[\s,;]+", value) if part]
        message += (
            f"; in config that is a list, app.config[{key!r}] = {parts!r}, or, from the "
            "environment, a JSON list read by app.config.from_prefixed_env(): "
            f"FLASK_{key}='{json.dumps(parts)}'"
        )
    elif isinstance(value, str) and name in _SCALAR_EXAMPLES and "(got str)" in message:
        example = _SCALAR_EXAMPLES[name]
        message += (
            f"; from the environment, app.config.from_prefixed_env() reads "
            f"FLASK_{key}={example} as {json.loads(example)!r}"
        )
    return Problem(key, value, problem.where, message)


def config_values(config: Mapping[str, object]) -> tuple[dict[str, object], list[Problem]]:
    """The policy fields set by ``PREFLIGHT_*`` config keys, and problems with keys that
    look like misspelled ones."""
    values: dict[str, object] = {}
    problems: list[Problem] = []
    for key, value in config.items():
        if key in CONFIG_KEYS:
            values[CONFIG_KEYS[key]] = value
        elif key.startswith("PREFLIGHT_") or difflib.get_close_matches(
            key, list(CONFIG_KEYS), n=1, cutoff=0.85
        ):
            hint = flask_cors_hint(key, config_prefix="PREFLIGHT_") or suggest(key, CONFIG_KEYS)
            problems.append(Problem(key, value, CONFIG_SOURCE, "unknown config key" + hint))
    return values, problems


# --- merging levels ---------------------------------------------------------------------


@dataclass(frozen=True)
class EffectivePolicy:
    """The merged policy of one endpoint, with the level each value came from."""

    origins: tuple[OriginSpec, ...]
    methods: tuple[str, ...] | str
    allow_headers: tuple[HeaderSpec, ...] | str
    expose_headers: tuple[str, ...] | str
    credentials: bool
    max_age: int | None
    private_network: bool
    dangerously_tolerate: tuple[str, ...]
    sources: Mapping[str, str]
    dialect: Dialect = NATIVE
    spellings: Mapping[str, Spelling] = field(default_factory=dict, compare=False)
    # The position of the level that set each field, lowest first (0: the defaults).
    ranks: Mapping[str, int] = field(default_factory=dict)


def resolve(levels: Iterable[Policy]) -> EffectivePolicy:
    """Merge levels, lowest first, field by field: a level overrides only what it sets."""
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    spellings: dict[str, Spelling] = {}
    ranks: dict[str, int] = {}
    dialect = NATIVE
    for rank, level in enumerate((DEFAULT_POLICY, *levels)):
        for name, value in level.set_fields().items():
            values[name] = value
            sources[name] = level.sources.get(name, level.source)
            spellings[name] = level.spellings.get(name, keyword_spelling)
            ranks[name] = rank
        dialect = level.dialect or dialect
    return EffectivePolicy(
        sources=sources, dialect=dialect, spellings=spellings, ranks=ranks, **values
    )


def _conflicts(policy: Policy | EffectivePolicy, where: str) -> list[Problem]:
    """Insecure combinations of fields, wherever the two fields were set."""
    problems: list[Problem] = []
    if policy.credentials is not True:
        return problems
    sources = getattr(policy, "sources", {})
    origin = sources.get("origins", where)
    credentials = sources.get("credentials", where)
    if isinstance(policy.origins, tuple):
        for spec in policy.origins:
            if admits_arbitrary_origins(spec):
                problems.append(
                    Problem(
                        "origins",
                        spec,
                        where,
                        f"admits any origin (set by {origin}) while credentials=True "
                        f"(set by {credentials}): any site could read your users' data; "
                        "list the origins that may call with credentials",
                    )
                )
            elif isinstance(spec, re.Pattern) and (proof := regex_confinement(spec)).leak:
                problems.append(
                    Problem(
                        "origins",
                        spec,
                        where,
                        f"{_leak(proof)} (set by {origin}) while credentials=True (set by "
                        f"{credentials}): whoever owns that other origin could read your "
                        f"users' data; {_regex_fixes(proof)}",
                    )
                )
    if policy.expose_headers == ANY:
        problems.append(
            Problem(
                "expose_headers",
                ANY,
                where,
                "'*' exposes nothing on requests with credentials=True; list the headers",
            )
        )
    return problems


# --- compiling --------------------------------------------------------------------------


@dataclass(frozen=True)
class CompiledPolicy:
    """Everything the request path needs, decided once per endpoint. Immutable; header
    values are pre-joined strings."""

    effective: EffectivePolicy
    matcher: OriginMatcher
    methods: frozenset[str] | None  # None: the route's own methods
    any_header: bool
    allowed_headers: frozenset[str]
    credentials: bool
    max_age: str | None
    private_network: bool
    expose_headers: str | None
    enabled: bool  # some origin may be allowed
    vary_origin: bool  # the answer depends on the request's Origin
    # Set by a dialect (dialect.py); the defaults are Flask-Preflight's own answers.
    header_patterns: tuple[re.Pattern[str], ...] = ()  # allowed names, matched whole
    actual_methods: frozenset[str] | None = None  # methods of actual requests answered
    echo_header_case: bool = False
    private_network_on_actual: bool = False
    unanswered_methods: frozenset[str] = frozenset()


def compile_policy(effective: EffectivePolicy) -> CompiledPolicy:
    """Compile a merged policy (already checked with ``check_effective``)."""
    matcher = build_matcher(effective.origins)
    methods: frozenset[str] | None = None
    if effective.methods != ANY:
        methods = frozenset(effective.methods)
        if "GET" in methods:
            methods |= {"HEAD"}  # as Flask routes HEAD to GET views
    any_header = effective.allow_headers == ANY
    allowed_headers = SAFELISTED_REQUEST_HEADERS
    header_patterns: tuple[re.Pattern[str], ...] = ()
    if not any_header:
        header_patterns = tuple(h for h in effective.allow_headers if isinstance(h, re.Pattern))
        allowed_headers = allowed_headers | frozenset(
            h.lower() for h in effective.allow_headers if isinstance(h, str)
        )
    expose = effective.expose_headers
    expose_headers = (ANY if expose == ANY else ", ".join(expose)) or None
    dialect = effective.dialect
    return CompiledPolicy(
        effective=effective,
        matcher=matcher,
        methods=methods,
        any_header=any_header,
        allowed_headers=allowed_headers,
        credentials=effective.credentials,
        max_age=None if effective.max_age is None else str(effective.max_age),
        private_network=effective.private_network,
        expose_headers=expose_headers,
        enabled=not matcher.allows_nothing,
        vary_origin=matcher.is_dynamic,
        header_patterns=header_patterns,
        actual_methods=methods if dialect.methods_limit_actual else None,
        echo_header_case=dialect.keep_header_case,
        private_network_on_actual=dialect.private_network_on_actual,
        unanswered_methods=dialect.unanswered_methods,
    )


def _leak(proof: RegexConfinement) -> str:
    if proof.own:
        return (
            f"admits {proof.leak!r} as well as {proof.own!r}, which are not under one "
            "registrable domain"
        )
    return f"admits {proof.leak!r}, which is not under the registrable domain of its others"


def _regex_fixes(proof: RegexConfinement) -> str:
    """How to write a credentialed origin regex that cannot be proven confined."""
    domain = proof.domain if proof.domain and not is_public_suffix(proof.domain) else None
    pattern = f"https://*.{domain or 'example.com'}"
    return (
        "escape every '.', let only a port follow the host and keep every branch under one "
        f"registrable domain; or use a pattern such as {pattern!r}, a list of origins, or a "
        "callable"
    )


def check_effective(effective: EffectivePolicy, where: str) -> list[Problem]:
    """Problems that appear only once levels merge (credentials from the app, ``*`` from a
    view), named after the endpoint ``where``."""
    return _conflicts(effective, where) + _dangers(effective, where)


def _dangers(policy: EffectivePolicy, where: str) -> list[Problem]:
    """Credentialed origins that others than their owner can speak for, unless the policy
    tolerates that risk by name. Checked on the merged policy only, since the tolerance,
    the credentials and the origins may each come from another level."""
    if not policy.credentials:
        return []
    # A tolerance covers the origins declared at its own level or at a level it overrides
    # (an app's tolerance does not cover a blueprint's or a view's origins).
    tolerance_rank = policy.ranks.get("dangerously_tolerate", 0)
    covers = tolerance_rank >= policy.ranks.get("origins", 0)
    tolerated = policy.dangerously_tolerate if covers else ()
    tolerance_by = policy.sources.get("dangerously_tolerate", where)
    credentials = policy.sources.get("credentials", where)
    origins_by = policy.sources.get("origins", where)
    set_by = f"(set by {origins_by}) while credentials=True (set by {credentials})"
    problems: list[Problem] = []
    # The tolerance is written where the risky origin was declared, in that place's form.
    spell = policy.spellings.get("origins", keyword_spelling)

    def refuse(spec: OriginSpec, risk: str, why: str, fix: str) -> None:
        if risk in tolerated:
            return
        hint = "if you accept the risk, add " + spell("dangerously_tolerate", repr([risk]))
        if risk in policy.dangerously_tolerate:
            hint += (
                f" where the origins are declared ({origins_by}): the one set by "
                f"{tolerance_by} covers only origins declared at its level or one it overrides"
            )
        problems.append(Problem("origins", spec, where, f"{why} {set_by}: {fix}; {hint}"))

    for spec in policy.origins:
        if spec == NULL_ORIGIN:
            refuse(
                spec,
                NULL_WITH_CREDENTIALS,
                "'null' is the origin of every sandboxed iframe, so any site can send it",
                "list real origins instead",
            )
        elif isinstance(spec, str) and spec != ANY_ORIGIN:
            parsed = parse_origin(spec)
            host = parsed.host[2:] if parsed.is_subdomain_pattern else parsed.host
            if is_cleartext_origin(parsed.scheme, host):
                refuse(
                    spec,
                    INSECURE_ORIGINS,
                    f"is a plain {parsed.scheme}:// origin, which anyone on the network "
                    "between a user and it can impersonate",
                    f"use '{'wss' if parsed.scheme == 'ws' else 'https'}://"
                    f"{spec.split('://', 1)[1]}'",
                )
            if parsed.is_subdomain_pattern and is_public_suffix(host):
                refuse(
                    spec,
                    PUBLIC_SUFFIX_SUBDOMAINS,
                    f"admits every name under the public suffix {host!r}, where anyone can "
                    "register one",
                    "list your own origins, or a pattern under your own domain",
                )
        elif isinstance(spec, re.Pattern) and not admits_arbitrary_origins(spec):
            proof = regex_confinement(spec)
            if proof.leak:
                continue  # refused with no opt-in (_conflicts)
            if not proof.confined:
                refuse(
                    spec,
                    UNVERIFIED_REGEX,
                    "cannot be proven to admit only origins under one registrable domain "
                    f"({proof.why})",
                    _regex_fixes(proof),
                )
            insecure = regex_cleartext_origin(spec)
            if insecure is not None:
                refuse(
                    spec,
                    INSECURE_ORIGINS,
                    f"admits the plain-http origin {insecure!r}, which anyone on the "
                    "network can impersonate",
                    "admit only https:// origins",
                )
    return problems


def _same_item(a: object, b: object) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a.lower() == b.lower()
    return a == b


def _meet_items(values: list[Any]) -> Any:
    """What every one of ``values`` allows: ``ANY`` where all are ``ANY``, else the items of
    the first list that every other list holds (``ANY`` holds every item)."""
    lists = [v for v in values if v != ANY]
    if not lists:
        return ANY
    return tuple(
        item
        for item in lists[0]
        if all(any(_same_item(item, other) for other in rest) for rest in lists[1:])
    )


def field_values(effective: EffectivePolicy) -> tuple[Any, ...]:
    """The values of a merged policy that decide its answers (not where they came from)."""
    return (*(getattr(effective, name) for name in FIELD_NAMES), effective.dialect)


def narrowest(policies: list[EffectivePolicy], source: str) -> EffectivePolicy:
    """A policy that grants nothing one of ``policies`` refuses, field by field: the origins,
    methods and headers every one admits, credentials and private network only where every
    one allows them, the shortest max age. Nothing is admitted when that combination is not
    a valid policy; when nothing is admitted, the other fields are the first policy's.
    (For an endpoint whose paths fall under different path rules.)"""
    first = policies[0]
    origin_lists = [p.origins for p in policies]
    non_wild = [o for o in origin_lists if "*" not in o]
    if non_wild:
        origins = tuple(
            item for item in non_wild[0] if all(item in other for other in non_wild[1:])
        )
    else:
        origins = ("*",)
    if not origins:  # nothing admitted: the other fields say nothing; keep the first's
        return replace(first, origins=(), sources={**first.sources, "origins": source})
    ages = [p.max_age for p in policies]
    max_age = ages[0] if len(set(ages)) == 1 else min(ages, key=lambda v: 5 if v is None else v)
    values: dict[str, Any] = {
        "origins": origins,
        "methods": _meet_items([p.methods for p in policies]),
        "allow_headers": _meet_items([p.allow_headers for p in policies]),
        "expose_headers": _meet_items([p.expose_headers for p in policies]),
        "credentials": all(p.credentials for p in policies),
        "max_age": max_age,
        "private_network": all(p.private_network for p in policies),
        "dangerously_tolerate": _meet_items([p.dangerously_tolerate for p in policies]),
    }
    met = EffectivePolicy(
        sources=dict.fromkeys(FIELD_NAMES, source), dialect=first.dialect, **values
    )
    if check_effective(met, ""):
        return replace(met, origins=())
    return met
