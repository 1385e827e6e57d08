"""The declared policy: its fields, their validation, and the merging of levels.

A ``Policy`` is what one level declares (built-in defaults, app config, ``Preflight``
keywords, a blueprint, a view); a field a level does not set is ``UNSET`` and inherited.
``resolve`` merges the levels into an ``EffectivePolicy`` that remembers where each value
came from, and ``compile_policy`` turns that into the immutable ``CompiledPolicy`` the
request path reads. Every problem found is reported at once, in one ``PreflightConfigError``.

Nothing here imports Flask.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any, Final, Union

from .dialect import NATIVE, Dialect
from .errors import PreflightConfigError, Problem
from .flask_cors_names import flask_cors_hint
from .headers import (
    ALLOW_CREDENTIALS,
    ALLOW_ORIGIN,
    EXPOSE_HEADERS,
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
    admits_arbitrary_origins,
    build_matcher,
    insecure_regex_example,
    is_cleartext_origin,
    is_public_suffix,
    parse_origin,
    regex_leak,
)

ANY: Final = "*"
HeaderSpec = Union[str, "re.Pattern[str]"]  # a header name, or a regex matching names whole

# The risks ``dangerously_tolerate`` can accept, each with what it lets an attacker do.
INSECURE_ORIGINS: Final = "insecure_origins"
NULL_WITH_CREDENTIALS: Final = "null_with_credentials"
PUBLIC_SUFFIX_SUBDOMAINS: Final = "public_suffix_subdomains"
TOLERABLE_RISKS: Final = (INSECURE_ORIGINS, NULL_WITH_CREDENTIALS, PUBLIC_SUFFIX_SUBDOMAINS)


class _Unset:
    __slots__ = ()

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Final = _Unset()

FIELD_NAMES: Final = (
    "origins",
    "methods",
    "allow_headers",
    "expose_headers",
    "credentials",
    "max_age",
    "private_network",
    "dangerously_tolerate",
)
CONFIG_KEYS: Final = {f"PREFLIGHT_{name.upper()}": name for name in FIELD_NAMES}


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

    def set_fields(self) -> dict[str, Any]:
        """The fields this level sets, by name."""
        return {
            name: getattr(self, name) for name in FIELD_NAMES if getattr(self, name) is not UNSET
        }


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


def _suggest(name: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _as_items(value: object) -> tuple[object, ...] | None:
    """A list-like value as a tuple; ``None`` when it is not an iterable of items."""
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        return None
    return tuple(value)


def _several_in_one(value: str) -> str:
    parts = [part.strip() for part in value.split(",") if part.strip()]
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


def _validate_names(
    value: object,
    kind: str,
    *,
    upper: bool,
    check: Any = None,
    patterns: bool = False,
    keep_case: bool = False,
) -> tuple[tuple[Any, ...] | str, list[str]]:
    """Validate ``"*"`` or a list of token names (methods or header names), and compiled
    regexes when ``patterns``."""
    if value == ANY:
        return ANY, []
    if isinstance(value, str):
        if "," in value:
            return (), [_several_in_one(value)]
        items: tuple[object, ...] | None = (value,)
    elif patterns and isinstance(value, re.Pattern):
        items = (value,)
    else:
        items = _as_items(value)
    if items is None:
        return (), [f"must be '*' or a list of {kind} names (got {type(value).__name__})"]
    if items == (ANY,):
        return ANY, []
    names: list[Any] = []
    errors: list[str] = []
    for item in items:
        if patterns and isinstance(item, re.Pattern) and isinstance(item.pattern, str):
            names.append(item)
        elif item == ANY:
            errors.append(f"'*' must be the whole value, not one {kind} name among others")
        elif not isinstance(item, str) or not is_token(item):
            errors.append(f"{item!r} is not a valid {kind} name (an HTTP token)")
        elif check is not None and (message := check(item)):
            errors.append(message)
        else:
            name = item if keep_case else item.upper() if upper else item.lower()
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
    source: str, values: Mapping[str, object], dialect: Dialect | None = None
) -> Policy:
    """Validate the fields one level declares; raise ``PreflightConfigError`` listing every
    problem (unknown names, malformed values, and conflicts within this level). A
    ``dialect`` (dialect.py) changes how the answers are written, not what is allowed."""
    keep_case = dialect is not None and dialect.keep_header_case
    problems: list[Problem] = []
    normalized: dict[str, Any] = {}
    for name, value in values.items():
        if name not in FIELD_NAMES:
            hint = flask_cors_hint(name) or _suggest(name, FIELD_NAMES)
            problems.append(Problem(name, value, source, "unknown field" + hint))
            continue
        errors: list[str]
        if name == "origins":
            normalized[name], errors = _validate_origins(value)
        elif name == "methods":
            normalized[name], errors = _validate_names(value, "method", upper=True)
        elif name == "allow_headers":
            normalized[name], errors = _validate_names(
                value, "header", upper=False, check=_check_request_header, patterns=True
            )
        elif name == "expose_headers":
            normalized[name], errors = _validate_names(
                value, "header", upper=False, check=_check_response_header, keep_case=keep_case
            )
        elif name == "max_age":
            normalized[name], errors = _validate_max_age(value)
        elif name == "dangerously_tolerate":
            normalized[name], errors = _validate_risks(value)
        else:
            normalized[name], errors = _validate_bool(value)
        problems.extend(Problem(name, value, source, error) for error in errors)
    if problems:
        raise PreflightConfigError(problems)
    policy = Policy(source=source, dialect=dialect, **normalized)
    conflicts = _conflicts(policy, source)
    if conflicts:
        raise PreflightConfigError(conflicts)
    return policy


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
            hint = flask_cors_hint(key, config_prefix="PREFLIGHT_") or _suggest(key, CONFIG_KEYS)
            problems.append(Problem(key, value, "app.config", "unknown config key" + hint))
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


def resolve(levels: Iterable[Policy]) -> EffectivePolicy:
    """Merge levels, lowest first, field by field: a level overrides only what it sets."""
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    dialect = NATIVE
    for level in (DEFAULT_POLICY, *levels):
        for name, value in level.set_fields().items():
            values[name] = value
            sources[name] = level.source
        dialect = level.dialect or dialect
    return EffectivePolicy(sources=sources, dialect=dialect, **values)


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
            elif isinstance(spec, re.Pattern) and (leak := regex_leak(spec)) is not None:
                problems.append(
                    Problem(
                        "origins",
                        spec,
                        where,
                        f"admits {leak[1]!r} as well as {leak[0]!r} (set by {origin}) while "
                        f"credentials=True (set by {credentials}): whoever owns that other "
                        "domain could read your users' data; anchor the host so that nothing "
                        "can follow or precede it, or list the origins",
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
    # Headers of an allowed actual request besides Access-Control-Allow-Origin
    # (credentials, exposed headers); for a "*" policy, all of them, "*" included.
    actual_extra: tuple[tuple[str, str], ...]
    actual_wildcard: tuple[tuple[str, str], ...] | None
    # Set by a dialect (dialect.py); the defaults are Flask-Preflight's own answers.
    header_patterns: tuple[re.Pattern[str], ...] = ()  # allowed names, matched whole
    actual_methods: frozenset[str] | None = None  # methods of actual requests answered
    echo_header_case: bool = False
    no_origin: tuple[tuple[str, str], ...] | None = None  # answer without Origin, if fixed
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
    actual_extra: list[tuple[str, str]] = []
    if effective.credentials:
        actual_extra.append((ALLOW_CREDENTIALS, "true"))
    if expose_headers is not None:
        actual_extra.append((EXPOSE_HEADERS, expose_headers))
    dialect = effective.dialect
    no_origin: tuple[tuple[str, str], ...] | None = None
    if dialect.no_origin == "never":
        no_origin = ()
    elif dialect.no_origin == "listed":
        if matcher.any_origin:
            no_origin = () if effective.credentials else ((ALLOW_ORIGIN, ANY), *actual_extra)
        else:
            listed = sorted(o for o in effective.origins if isinstance(o, str) and "*" not in o)
            no_origin = ((ALLOW_ORIGIN, listed[0]), *actual_extra) if listed else ()
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
        actual_extra=tuple(actual_extra),
        actual_wildcard=((ALLOW_ORIGIN, ANY), *actual_extra) if matcher.any_origin else None,
        header_patterns=header_patterns,
        actual_methods=methods if dialect.methods_limit_actual else None,
        echo_header_case=dialect.keep_header_case,
        no_origin=no_origin,
        private_network_on_actual=dialect.private_network_on_actual,
        unanswered_methods=dialect.unanswered_methods,
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
    tolerated = policy.dangerously_tolerate
    credentials = policy.sources.get("credentials", where)
    set_by = f"(set by {policy.sources.get('origins', where)}) while credentials=True (set by "
    set_by += f"{credentials})"
    problems: list[Problem] = []

    def refuse(spec: OriginSpec, risk: str, why: str, fix: str) -> None:
        if risk not in tolerated:
            problems.append(
                Problem(
                    "origins",
                    spec,
                    where,
                    f"{why} {set_by}: {fix}; if you accept the risk, add "
                    f"dangerously_tolerate=[{risk!r}]",
                )
            )

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
        elif isinstance(spec, re.Pattern):
            insecure = insecure_regex_example(spec)
            if insecure is not None:
                refuse(
                    spec,
                    INSECURE_ORIGINS,
                    f"admits the plain-http origin {insecure!r}, which anyone on the "
                    "network can impersonate",
                    "admit only https:// origins",
                )
    return problems


def describe(policy: Policy) -> str:
    """A short, stable rendering of what a level sets, for error messages and the CLI."""
    parts = [f"{name}={value!r}" for name, value in policy.set_fields().items()]
    return ", ".join(parts) or "(nothing)"


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
