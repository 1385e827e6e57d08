"""flask-cors's API on the Flask-Preflight engine: switch by changing one import.

``from flask_preflight.compat import CORS, cross_origin`` takes flask-cors 6's options and
``CORS_*`` config keys, with its precedence (defaults < ``CORS_*`` config < ``CORS(...)`` <
``init_app(...)`` < the matching resource's options; a ``cross_origin`` view's options
replace the extension's) and its resource order. It is a front, not a second engine: each
set of options is translated once into a Flask-Preflight ``Policy`` level (with the
``flask-cors`` dialect for how answers are written), resources become path rules
(paths.py), and the engine decides and answers every request. Where flask-cors is insecure
or breaks the Fetch standard, compat follows Flask-Preflight (see the README section
"Migrating from Flask-CORS").
"""

from __future__ import annotations

import copy
import functools
import inspect
import logging
import re
import threading
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Final, TypeVar, Union

from flask import Blueprint, Flask, Response, current_app, request
from flask.blueprints import BlueprintSetupState
from werkzeug.test import run_wsgi_app

from .dialect import Dialect
from .errors import PreflightConfigError, Problem
from .extension import EXTENSION_NAME, Preflight, get_state
from .flask_cors_names import EQUIVALENT_FIELDS
from .origins import OriginError, admits_arbitrary_origins, parse_origin
from .paths import PathPolicies, PathRule
from .policy import POLICY_ATTRIBUTE, Policy, declare_policy, suggest
from .regexes import can_match_no_origin, first_letters
from .routing import blueprint_name
from .wsgi import PreflightState, preflight_middleware

__all__ = ["CORS", "cross_origin"]

logger = logging.getLogger("flask_preflight")

F = TypeVar("F", bound=Callable[..., Any])
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

COMPAT_VIEW_ATTRIBUTE: Final = "_flask_preflight_compat_view"


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


def _compile(text: str, flags: int, field: str, where: str) -> re.Pattern[str] | Problem:
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
            compiled = _compile(item, re.IGNORECASE, source.name("origins"), source.where)
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
            pattern = _compile(item, re.IGNORECASE, field, source.where)
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


def _warn_once(app: Flask, key: str, message: str, *args: object) -> None:
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
                _warn_once(app, key, "app.config[%r] is ignored: %s", key, LEGACY_KEYS[key])
            elif (known := _near_miss(key)) is not None:
                _warn_once(
                    app,
                    key,
                    "app.config[%r] is not a flask-cors key, so flask-cors and compat ignore "
                    "it; did you mean %r?",
                    key,
                    known,
                )
    return options


# --- resources -> path rules ----------------------------------------------------------------


def _describe(pattern: ResourcePattern) -> str:
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


def _path_matcher(key: ResourcePattern, source: Source) -> str | re.Pattern[str]:
    """flask-cors matches a regex at the start of the path (``re.match``), case-sensitively,
    and compares other strings exactly."""
    if isinstance(key, str) and not probably_regex(key):
        return key
    field = source.name("resources")
    pattern = key if isinstance(key, re.Pattern) else _compile(key, 0, field, source.where)
    if isinstance(pattern, Problem):
        raise PreflightConfigError([pattern])
    whole = _as_prefix_match(pattern)
    if whole is None:
        raise PreflightConfigError(
            [Problem(field, key, source.where, "regex with inline global flags")]
        )
    return whole


# --- registration on an app -----------------------------------------------------------------


@dataclass(frozen=True)
class _CompatView:
    """What a ``cross_origin`` view's level alone cannot say."""

    always_send: bool | None  # None: from the config or the default
    automatic_options: bool


class _CompatOverride:
    """The level under a ``cross_origin`` view's own: flask-cors's defaults and the app's
    ``CORS_*`` config, in place of any resource's options, with the view's dialect.

    flask-cors reads the config on every request to such a view; compat reads it once,
    when the app's setup ends (``freeze``), and checks it then. A ``CORS_*`` value changed
    later is ignored, with a warning. It also notes the config each ``CORS(app)`` read, to
    warn of keys set after it (flask-cors ignores those too)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._levels: dict[tuple[bool | None, bool], Policy] = {}
        self._config: Options | None = None  # read at freeze
        self._read_by_cors: list[dict[str, Any]] = []

    def note_read(self, options: Options) -> None:
        """``CORS(app)`` read these ``CORS_*`` values."""
        self._read_by_cors.append(_snapshot(options))

    def freeze(self) -> None:
        """Read and check the config once setup is done; warn of keys changed since a
        ``CORS(app)`` read it."""
        self._config = config_options(self.app)
        now = _snapshot(self._config)
        for before in self._read_by_cors:
            for option in sorted(set(before) | set(now)):
                if before.get(option, _MISSING) != now.get(option, _MISSING):
                    _warn_once(
                        self.app,
                        f"late {option}",
                        "app.config[%r] was changed after CORS(app) read the config: it has "
                        "no effect on CORS(app)'s resources (as in flask-cors); set it before "
                        "calling CORS(app)",
                        f"CORS_{option.upper()}",
                    )
        self._levels.clear()

    def _flask_answers_options(self, endpoint: str) -> bool:
        """Whether Flask answers OPTIONS on the endpoint's rules (the view never sees it)."""
        try:
            rules = list(self.app.url_map.iter_rules(endpoint))
        except KeyError:
            return False
        return any(getattr(rule, "provide_automatic_options", False) for rule in rules)

    def __call__(self, endpoint: str | None) -> Policy | None:
        if endpoint is None:
            return None
        view = self.app.view_functions.get(endpoint)
        info = getattr(view, COMPAT_VIEW_ATTRIBUTE, None)
        if not isinstance(info, _CompatView):
            return None
        # flask-cors's automatic_options=False: Flask's own OPTIONS answer never passes
        # through the decorator, so it carries no CORS headers.
        unanswered = not info.automatic_options and self._flask_answers_options(endpoint)
        key = (info.always_send, unanswered)
        level = self._levels.get(key)
        if level is not None:
            if self._config is not None:
                self._warn_if_changed()
            return level
        config = self._config if self._config is not None else config_options(self.app)
        merged = {**DEFAULT_SOURCED, **config}
        if info.always_send is not None:
            merged["always_send"] = (info.always_send, DEFAULTS)
        level = translate(merged, "flask-cors defaults and CORS_* config")
        if unanswered and level.dialect is not None:
            dialect = replace(level.dialect, unanswered_methods=frozenset({"OPTIONS"}))
            level = replace(level, dialect=dialect)
        self._levels[key] = level
        return level

    def _warn_if_changed(self) -> None:
        """After freeze: a ``CORS_*`` value changed since is ignored, and said so once."""
        assert self._config is not None
        config = getattr(self.app, "config", {})
        for key, option in CONFIG_KEYS.items():
            value = config.get(key)
            held = self._config.get(option)
            if (value is None and held is None) or (held is not None and held[0] == value):
                continue
            _warn_once(
                self.app,
                f"changed {key}",
                "app.config[%r] was changed after the app's first request: compat ignores "
                "the change until the app restarts (flask-cors would apply it to "
                "@cross_origin views)",
                key,
            )


_MISSING: Final = object()


def _snapshot(options: Options) -> dict[str, Any]:
    """Option values as they are now (deep copies: a list changed in place counts)."""
    try:
        return {name: copy.deepcopy(value) for name, (value, _) in options.items()}
    except Exception:  # an uncopyable value: compared by identity
        return {name: value for name, (value, _) in options.items()}


_install_lock = threading.Lock()


def install(app: Flask) -> tuple[PreflightState, bool]:
    """Register the engine on ``app`` if needed, with path rules; ``True`` when this call
    registered it (so the request in progress did not pass through it)."""
    with _install_lock:
        created = EXTENSION_NAME not in app.extensions
        if created:
            Preflight(app)
        state = get_state(app)
        if state.paths is None:
            if state.frozen:
                raise RuntimeError(
                    "flask_preflight.compat must be set up before the app's first request"
                )
            override = _CompatOverride(app)
            state.paths = PathPolicies(override=override, on_freeze=override.freeze)
        return state, created


def install_for_decorated_views(app: Flask) -> bool:
    """Register the engine on an app that has a ``cross_origin`` view, as its first request
    to such a view does (for the CLI, which must see what that request would see); ``True``
    when the app has one."""
    if not any(hasattr(view, COMPAT_VIEW_ATTRIBUTE) for view in app.view_functions.values()):
        return False
    install(app)
    return True


def _scope_depth(rule: PathRule) -> int:
    return -1 if rule.scope is None else rule.scope.count(".")


class CORS:
    """flask-cors's extension: ``CORS(app_or_blueprint, **options)`` or
    ``CORS(**options).init_app(app_or_blueprint, **options)``."""

    def __init__(self, app: Flask | Blueprint | None = None, **kwargs: Any) -> None:
        sourced(kwargs, Source("call", "CORS(...)"))  # fail at construction on a typo
        self._options = kwargs
        if app is not None:
            self._init(app, {}, "CORS")

    def init_app(self, app: Flask | Blueprint, **kwargs: Any) -> None:
        self._init(app, kwargs, "init_app")

    def _init(self, app: Flask | Blueprint, kwargs: Mapping[str, Any], call: str) -> None:
        blueprint = f"blueprint {app.name!r}, " if isinstance(app, Blueprint) else ""
        constructor = Source("call", f"CORS({blueprint}...)")
        options: Options = {
            **DEFAULT_SOURCED,
            **config_options(app),
            **sourced(self._options, constructor),
            **sourced(kwargs, Source("call", f"{call}({blueprint}...)")),
        }
        rules = self._rules(options, f"CORS({blueprint}")
        if isinstance(app, Blueprint):

            def on_register(state: BlueprintSetupState) -> None:
                name = blueprint_name(state)
                assert isinstance(state.app, Flask)
                self._add(state.app, [replace(rule, scope=name) for rule in rules])

            app.record(on_register)
        else:
            self._add(app, rules, options)

    def _rules(self, options: Options, opening: str) -> list[PathRule]:
        resources, resources_source = options["resources"]
        rules: list[PathRule] = []
        for key, opts in parse_resources(resources, resources_source):
            label = f"{opening}resources={_describe(key)})"
            at = Source("resource", label, resource=_describe(key))
            level = translate({**options, **sourced(opts, at)}, label)
            rules.append(PathRule(_path_matcher(key, resources_source), level, source=label))
        return rules

    def _add(self, app: Flask, rules: list[PathRule], options: Options | None = None) -> None:
        state, _ = install(app)
        assert state.paths is not None
        if options is not None and isinstance(state.paths.override, _CompatOverride):
            state.paths.override.note_read({k: v for k, v in options.items() if v[1] is CONFIG})
        # flask-cors runs the after_request functions of blueprints before the app's, and
        # the last registered first; the first whose resource matches answers.
        state.paths.add(rules, first=True)
        state.paths.rules.sort(key=_scope_depth, reverse=True)
        state.paths.check(app.view_functions, state._compile)  # the views declared so far


# --- the decorator --------------------------------------------------------------------------


def _through_engine(app: Flask, value: Any) -> Response:
    """For the one request that reached a ``cross_origin`` view before the engine was
    registered on its app: pass the view's response through the engine, which answers a
    preflight or adds the CORS headers, exactly as for later requests."""
    response = app.make_response(value)
    wsgi = preflight_middleware(response, get_state(app))
    body, status, headers = run_wsgi_app(wsgi, request.environ)
    typed = "Content-Type" in headers  # before the class adds its default type to them
    answer = app.response_class(body, status=status, headers=headers)
    if not typed:  # a preflight's 204 has no type: none added
        del answer.headers["Content-Type"]
    return answer


def cross_origin(*args: Any, **kwargs: Any) -> Callable[[F], F]:
    """flask-cors's decorator, below ``@app.route``: the view's options replace the
    extension's (over flask-cors's defaults and ``CORS_*`` config). Works on async views,
    and on apps that never call ``CORS(...)``."""
    level = translate_view(
        sourced(kwargs, Source("decorator", "@cross_origin(...)")), "@cross_origin(...)"
    )
    automatic_options = bool(kwargs.get("automatic_options", True))

    def decorator(f: F) -> F:
        def respond(app: Flask, fresh: bool, value: Any) -> Any:
            return _through_engine(app, value) if fresh else value

        if inspect.iscoroutinefunction(f):

            @functools.wraps(f)
            async def view(*a: Any, **kw: Any) -> Any:
                app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
                fresh = EXTENSION_NAME not in app.extensions and install(app)[1]
                if automatic_options and request.method == "OPTIONS":
                    return respond(app, fresh, app.make_default_options_response())
                return respond(app, fresh, await f(*a, **kw))

        else:

            @functools.wraps(f)
            def view(*a: Any, **kw: Any) -> Any:
                app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
                fresh = EXTENSION_NAME not in app.extensions and install(app)[1]
                if automatic_options and request.method == "OPTIONS":
                    return respond(app, fresh, app.make_default_options_response())
                return respond(app, fresh, f(*a, **kw))

        if automatic_options:
            # As flask-cors: the view (not Flask) answers OPTIONS, so that an app whose first
            # request is a preflight registers the engine then.
            methods = set(getattr(f, "required_methods", ()))
            view.required_methods = methods | {"OPTIONS"}  # type: ignore[attr-defined]
            view.provide_automatic_options = False  # type: ignore[attr-defined]
        view.__name__ = f.__name__
        name = f"@cross_origin(...) on {f.__name__!r}"
        sources = dict.fromkeys(level.sources, name)
        setattr(view, POLICY_ATTRIBUTE, replace(level, source=name, sources=sources))
        always_send = kwargs.get("always_send")
        setattr(
            view,
            COMPAT_VIEW_ATTRIBUTE,
            _CompatView(None if always_send is None else bool(always_send), automatic_options),
        )
        return view  # type: ignore[return-value]

    return decorator
