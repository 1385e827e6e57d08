"""flask-cors's options, read and translated (flask-cors's own ``core.py``): its defaults,
option names and ``CORS_*`` config keys, where each option was set (``Source``), each set
of options translated once into a Flask-Preflight ``Policy`` level (origin, header and
method values, regex heuristics, the ``flask-cors`` dialect), and ``resources`` parsed into
path matchers in flask-cors's order. It registers nothing: ``extension.py`` and
``decorator.py`` use it.
"""

from __future__ import annotations

import logging
import re
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Final, Union

from flask import Blueprint, Flask

from ..dialect import Dialect
from ..errors import PreflightConfigError, Problem
from ..flask_cors_names import EQUIVALENT_FIELDS
from ..origins import OriginError, admits_arbitrary_origins, parse_origin
from ..policy import Policy, declare_policy, suggest
from ..regexes import can_match_no_origin, first_letters

logger = logging.getLogger("flask_preflight")

ResourcePattern = Union[str, "re.Pattern[str]"]

ALL_METHODS: Final = ["GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE"]
DEFAULT_OPTIONS: Final[Mapping[str, Any]] = {
    "origins": "*",
    "methods": ALL_METHODS,
    "allow_headers": "*",
    "expose_headers": None,
    "supports_credentials": False,
    "max_age": None,
    "send_wildcard": False,
    "automatic_options": True,
    "vary_header": True,
    "resources": r"/*",
    "intercept_exceptions": True,
    "always_send": True,
    "allow_private_network": False,
}
# Every option compat takes: flask-cors's, and Flask-Preflight's named tolerances (so that
# the fix an error suggests can be written where the error arose).
OPTIONS: Final = (*DEFAULT_OPTIONS, "dangerously_tolerate")
CONFIG_KEYS: Final = {f"CORS_{name.upper()}": name for name in OPTIONS}
# Keys of older flask-cors versions, ignored by flask-cors 6 (and compat), with why.
LEGACY_KEYS: Final = {
    "CORS_HEADERS": (
        "it has had no effect since flask-cors 2.0, which ignores it (flask_preflight.compat "
        "too); the request headers allowed are CORS_ALLOW_HEADERS's, every header ('*') by "
        "default, so you can delete it"
    ),
}
# Options whose flask-cors behaviour Flask-Preflight gives anyway or replaces by a safer
# one: accepted, and translated into nothing (README, "Migrating from Flask-CORS").
_NO_FIELD: Final = ("send_wildcard", "vary_header", "intercept_exceptions", "automatic_options")
# flask-cors's heuristic for "this string is a regex".
_REGEX_HINTS: Final = frozenset("*\\]?$^[]()")
_WILDCARDS: Final = ("*", ".*")

# Answers written as flask-cors writes them (dialect.py): methods limit preflights only,
# header names keep their case, and requests without Origin get always_send's answer.
DIALECT_ALWAYS_SEND: Final = Dialect(
    "flask-cors",
    methods_limit_actual=False,
    keep_header_case=True,
    no_origin="listed",
    private_network_on_actual=True,
)
DIALECT_NO_ALWAYS_SEND: Final = replace(DIALECT_ALWAYS_SEND, no_origin="never")


# --- where each option came from -----------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """Where an option was set, to name it in errors and to spell a fix that works there:
    ``kind`` is ``"default"``, ``"config"`` (a ``CORS_*`` key), ``"call"`` (``CORS(...)`` or
    ``init_app(...)``), ``"resource"`` (a resource's options) or ``"decorator"``."""

    kind: str
    where: str
    resource: str = ""  # the resource pattern, as Python, for kind "resource"

    def name(self, option: str) -> str:
        """The option's name there."""
        return f"CORS_{option.upper()}" if self.kind == "config" else option

    def label(self, option: str) -> str:
        """The option's source as ``flask preflight routes`` and errors name it."""
        if self.kind == "config":
            return f"app.config[{self.name(option)!r}]"
        return self.where

    def spell(self, option: str, value: str) -> str:
        """How to write ``option=value`` there."""
        if self.kind == "config":
            return f"app.config[{self.name(option)!r}] = {value}"
        if self.kind == "resource":
            return f"resources={{{self.resource}: {{{option!r}: {value}, ...}}}}"
        if self.kind == "call":
            return f"{self.where.split('(', 1)[0]}(..., {option}={value})"
        if self.kind == "decorator":
            return f"@cross_origin(..., {option}={value})"
        return f"{option}={value}"


DEFAULTS: Final = Source("default", "flask-cors's defaults")
CONFIG: Final = Source("config", "app.config")
# Options with the place each was set, merged (the last place wins).
Options = dict[str, tuple[Any, Source]]


def _unknown(options: Mapping[str, object], source: Source) -> list[Problem]:
    return [
        Problem(name, value, source.where, "unknown flask-cors option" + suggest(name, OPTIONS))
        for name, value in options.items()
        if name not in OPTIONS
    ]


def _raise(problems: list[Problem]) -> None:
    if problems:
        raise PreflightConfigError(problems)


def sourced(options: Mapping[str, Any], source: Source) -> Options:
    """``options``, each noted as set at ``source``; unknown names are errors."""
    _raise(_unknown(options, source))
    return {name: (value, source) for name, value in options.items()}


DEFAULT_SOURCED: Final[Options] = {name: (v, DEFAULTS) for name, v in DEFAULT_OPTIONS.items()}


# --- options -> Policy levels ----------------------------------------------------------------


def probably_regex(value: ResourcePattern) -> bool:
    """flask-cors's test for a regex: a compiled pattern, or a string with a regex character."""
    return isinstance(value, re.Pattern) or not _REGEX_HINTS.isdisjoint(value)


def _items(value: object) -> list[Any]:
    if isinstance(value, (str, re.Pattern)) or not isinstance(value, Iterable):
        return [value]
    return list(value)


def _split(value: object) -> list[Any]:
    """A string or list of names; comma-joined strings are split (flask-cors would compare
    the whole string as one name, which never matches)."""
    items: list[Any] = []
    for item in _items(value):
        if isinstance(item, str):
            items.extend(part.strip() for part in item.split(",") if part.strip())
        else:
            items.append(item)
    return items


def _as_prefix_match(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """A pattern matched whole that admits what ``pattern.match`` admits (flask-cors matches
    header and path regexes at the start only)."""
    try:
        return re.compile(f"(?:{pattern.pattern})(?s:.*)", pattern.flags)
    except re.error:
        return None


def _compile_regex(text: str, flags: int, field: str, where: str) -> re.Pattern[str] | Problem:
    try:
        return re.compile(text, flags)
    except re.error as error:
        return Problem(field, text, where, f"invalid regular expression: {error}")


def _no_origin_problem(pattern: re.Pattern[str], source: Source) -> Problem:
    """An origin regex that matches no origin whole: say what flask-cors made of it."""
    everything = first_letters(pattern)[1]
    did = (
        "flask-cors matched origin regexes at the start only (re.match), where it matches "
        "the empty start of every origin, so flask-cors admitted every origin"
        if everything
        else "flask-cors admitted no origin with it either"
    )
    return Problem(
        source.name("origins"),
        pattern.pattern,
        source.where,
        f"this regex can match no origin (an origin starts with a scheme such as "
        f"'https://', or is 'null'), and compat matches the whole origin; {did}. Write "
        f"{source.spell('origins', repr('*'))} to admit every origin (not with credentials), "
        f"or list the origins, e.g. {source.spell('origins', repr(['https://app.example.com']))}",
    )


def _origins(value: object, source: Source, problems: list[Problem]) -> list[Any]:
    origins: list[Any] = []
    for item in _items(value):
        if isinstance(item, str) and item in _WILDCARDS:
            origins.append("*")
            continue
        if isinstance(item, str) and _is_subdomain_pattern(item):
            origins.append(item)  # the native pattern: only names under the host
            continue
        if isinstance(item, str) and probably_regex(item):
            # flask-cors: case-insensitive; the engine matches regexes whole (flask-cors #209).
            compiled = _compile_regex(item, re.IGNORECASE, source.name("origins"), source.where)
            if isinstance(compiled, Problem):
                problems.append(compiled)
                continue
            item = compiled
        pattern = item if isinstance(item, re.Pattern) else None
        if pattern is not None and isinstance(pattern.pattern, str) and can_match_no_origin(item):
            problems.append(_no_origin_problem(pattern, source))
            continue
        origins.append(item)
    return origins


def _is_subdomain_pattern(value: str) -> bool:
    """Whether a flask-cors origin string reads as the native subdomain pattern
    (``https://*.example.com``). flask-cors takes it for a regex in which ``*`` repeats the
    ``/`` and each ``.`` is any character, admitting ``https://xexample.com`` and no real
    subdomain; compat gives it the native meaning, names under the host only."""
    try:
        return parse_origin(value).is_subdomain_pattern
    except OriginError:
        return False


def _allow_headers(value: object, source: Source, problems: list[Problem]) -> object:
    headers: list[Any] = []
    field = source.name("allow_headers")
    for item in _split(value):
        if isinstance(item, str) and item in _WILDCARDS:
            return "*"
        pattern: re.Pattern[str] | Problem | None = None
        if isinstance(item, re.Pattern):
            pattern = item
        elif isinstance(item, str) and probably_regex(item):
            pattern = _compile_regex(item, re.IGNORECASE, field, source.where)
        if isinstance(pattern, Problem):
            problems.append(pattern)
        elif pattern is not None:
            whole = _as_prefix_match(pattern)
            if whole is None:
                problems.append(
                    Problem(field, item, source.where, "regex with inline global flags")
                )
            else:
                headers.append(whole)
        else:
            headers.append(item)
    return headers


def _methods(value: object) -> object:
    if value is None:
        return []
    if isinstance(value, str) and value.strip() in _WILDCARDS:
        return "*"
    return [m.upper() if isinstance(m, str) else m for m in _split(value)]


def _max_age(value: object) -> object:
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)  # flask-cors sends it as written; the engine wants seconds
    return value


def _flag(option: str, value: object, source: Source, problems: list[Problem]) -> bool:
    """A flask-cors boolean option. flask-cors applies ``bool()``, so the string ``"false"``
    (from an environment variable, say) turns ``supports_credentials`` on: a string is
    refused."""
    if isinstance(value, str):
        problems.append(
            Problem(
                source.name(option),
                value,
                source.where,
                "is a string, which flask-cors would read as "
                f"{bool(value)} whatever it says; write "
                f"{source.spell(option, 'True')} or {source.spell(option, 'False')}",
            )
        )
        return False
    return bool(value)


# compat option -> the Flask-Preflight field it sets.
_FIELD_OF: Final = {**EQUIVALENT_FIELDS, "dangerously_tolerate": "dangerously_tolerate"}
_OPTION_OF: Final = {field: option for option, field in _FIELD_OF.items()}


def _wide_credentials(
    options: Options, origins: list[Any], where: str, problems: list[Problem]
) -> None:
    """flask-cors's credentials with any origin: refused, with the fix where it works."""
    wide = [o for o in origins if admits_arbitrary_origins(o)]
    if not wide:
        return
    credentials_source = options["supports_credentials"][1]
    origins_source = options["origins"][1]
    fix_at = credentials_source if origins_source.kind == "default" else origins_source
    shown = wide[0] if isinstance(wide[0], str) else wide[0].pattern
    problems.append(
        Problem(
            credentials_source.name("supports_credentials"),
            True,
            credentials_source.where,
            f"with origins={shown!r} ("
            + (
                "flask-cors's default"
                if origins_source.kind == "default"
                else f"set by {origins_source.label('origins')}"
            )
            + "), flask-cors would send any site's origin back with "
            "Access-Control-Allow-Credentials: true, so any site could read your users' "
            "data; list the origins that may call with credentials, e.g. "
            + fix_at.spell("origins", repr(["https://app.example.com"])),
        )
    )


def translate(options: Options, where: str) -> Policy:
    """One Flask-Preflight level from flask-cors options, with the dialect they imply:
    every field when the options are merged over the defaults, else only the fields they
    set. ``where`` names the level; each problem names the place its option was set."""
    problems: list[Problem] = []
    fields: dict[str, object] = {}

    def value(option: str) -> Any:
        return options[option][0]

    def source(option: str) -> Source:
        return options[option][1]

    if "origins" in options:
        fields["origins"] = _origins(value("origins"), source("origins"), problems)
    if "methods" in options:
        fields["methods"] = _methods(value("methods"))
    if "allow_headers" in options:
        fields["allow_headers"] = _allow_headers(
            value("allow_headers"), source("allow_headers"), problems
        )
    if "expose_headers" in options:
        expose = value("expose_headers")
        fields["expose_headers"] = [] if expose is None else sorted(_split(expose), key=str)
    for option in ("supports_credentials", "allow_private_network"):
        if option in options:
            fields[_FIELD_OF[option]] = _flag(option, value(option), source(option), problems)
    for option in (*_NO_FIELD, "always_send"):
        if option in options:
            _flag(option, value(option), source(option), problems)
    if "max_age" in options:
        fields["max_age"] = _max_age(value("max_age"))
    if "dangerously_tolerate" in options:
        fields["dangerously_tolerate"] = value("dangerously_tolerate")
    origins = fields.get("origins")
    if fields.get("credentials") is True and isinstance(origins, list):
        _wide_credentials(options, origins, where, problems)
    _raise(problems)
    always_send = bool(options.get("always_send", (True, DEFAULTS))[0])
    set_at = {field: source(_OPTION_OF[field]) for field in fields}
    try:
        level = declare_policy(
            where,
            fields,
            DIALECT_ALWAYS_SEND if always_send else DIALECT_NO_ALWAYS_SEND,
            sources={field: at.label(_OPTION_OF[field]) for field, at in set_at.items()},
            spellings={field: at.spell for field, at in set_at.items()},
        )
    except PreflightConfigError as error:  # named where each value was set
        raise PreflightConfigError(
            replace(
                problem,
                field=set_at[problem.field].name(_OPTION_OF[problem.field]),
                where=set_at[problem.field].where,
            )
            if problem.field in set_at
            else problem
            for problem in error.problems
        ) from None
    return level


def translate_view(options: Options, where: str) -> Policy:
    """A ``cross_origin`` view's level: ``translate`` without the dialect, which comes with
    the level below it."""
    return replace(translate(options, where), dialect=None)


# --- CORS_* config keys ----------------------------------------------------------------------

_warned: weakref.WeakKeyDictionary[Flask, set[str]] = weakref.WeakKeyDictionary()


def warn_once(app: Flask, key: str, message: str, *args: object) -> None:
    """Log ``message`` once per app and ``key``."""
    seen = _warned.setdefault(app, set())
    if key not in seen:
        seen.add(key)
        logger.warning(message, *args)


def _near_miss(key: str) -> str | None:
    """The flask-cors key ``key`` is one or two edits from, if any (``CORS_ORIGIN``)."""
    for known in CONFIG_KEYS:
        if _distance(key, known) <= 2:
            return known
    return None


def _distance(a: str, b: str) -> int:
    """Levenshtein distance with adjacent transpositions (optimal string alignment)."""
    if abs(len(a) - len(b)) > 2:
        return 3
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        previous2, previous = previous, current
    return previous[-1]


def config_options(app: Flask | Blueprint) -> Options:
    """The flask-cors options set by ``CORS_*`` keys (a blueprint has no config). Other
    ``CORS_*`` keys are the app's own business, as in flask-cors: ignored, with a warning
    for a near miss of a real key and for the legacy ``CORS_HEADERS``."""
    config: Mapping[str, Any] = getattr(app, "config", {})
    options: Options = {}
    for key, value in config.items():
        if key in CONFIG_KEYS:
            if value is not None:
                options[CONFIG_KEYS[key]] = (value, CONFIG)
        elif isinstance(app, Flask) and isinstance(key, str) and key.startswith("CORS_"):
            if key in LEGACY_KEYS:
                warn_once(app, key, "app.config[%r] is ignored: %s", key, LEGACY_KEYS[key])
            elif (known := _near_miss(key)) is not None:
                warn_once(
                    app,
                    key,
                    "app.config[%r] is not a flask-cors key, so flask-cors and compat ignore "
                    "it; did you mean %r?",
                    key,
                    known,
                )
    return options


# --- resources -> path rules ----------------------------------------------------------------


def describe_resource(pattern: ResourcePattern) -> str:
    """A resource pattern as Python, to name it in errors."""
    return repr(pattern.pattern if isinstance(pattern, re.Pattern) else pattern)


def parse_resources(
    resources: object, source: Source = DEFAULTS
) -> list[tuple[ResourcePattern, Mapping[str, Any]]]:
    """flask-cors 6.0.1+'s resources, in its matching order: a dict's keys sorted (exact
    strings, then compiled patterns, then regex strings; more ``/`` first, then longer);
    a string, pattern or list keeps its order."""
    pairs: list[tuple[ResourcePattern, Mapping[str, Any]]]
    if isinstance(resources, dict):
        pairs = [(".*" if key == "*" else key, opts or {}) for key, opts in resources.items()]

        def order(pair: tuple[ResourcePattern, Any]) -> tuple[int, int, int, int]:
            key = pair[0]
            if isinstance(key, re.Pattern):
                return (1, 0, -key.pattern.count("/"), -len(key.pattern))
            if probably_regex(key):
                return (1, 1, -key.count("/"), -len(key))
            return (0, 0, -key.count("/"), -len(key))

        pairs.sort(key=order)
    elif isinstance(resources, (str, re.Pattern)):
        pairs = [(".*" if resources == "*" else resources, {})]
    elif isinstance(resources, Iterable):
        pairs = [(".*" if key == "*" else key, {}) for key in resources]
    else:
        raise PreflightConfigError(
            [
                Problem(
                    source.name("resources"),
                    resources,
                    source.where,
                    "must be a path, a regex, a list of them, or a dict of them to options",
                )
            ]
        )
    for key, opts in pairs:
        if not isinstance(key, (str, re.Pattern)) or not isinstance(opts, Mapping):
            raise PreflightConfigError(
                [
                    Problem(
                        source.name("resources"),
                        key,
                        source.where,
                        "a resource is a path or a regex, with a dict of options",
                    )
                ]
            )
    return pairs


def path_matcher(key: ResourcePattern, source: Source) -> str | re.Pattern[str]:
    """flask-cors matches a regex at the start of the path (``re.match``), case-sensitively,
    and compares other strings exactly."""
    if isinstance(key, str) and not probably_regex(key):
        return key
    field = source.name("resources")
    pattern = key if isinstance(key, re.Pattern) else _compile_regex(key, 0, field, source.where)
    if isinstance(pattern, Problem):
        raise PreflightConfigError([pattern])
    whole = _as_prefix_match(pattern)
    if whole is None:
        raise PreflightConfigError(
            [Problem(field, key, source.where, "regex with inline global flags")]
        )
    return whole
