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

import difflib
import functools
import inspect
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Final, TypeVar, Union

from flask import Blueprint, Flask, Response, current_app, request
from flask.blueprints import BlueprintSetupState
from werkzeug.test import run_wsgi_app

from .decorators import POLICY_ATTRIBUTE
from .dialect import Dialect
from .errors import PreflightConfigError, Problem
from .extension import EXTENSION_NAME, Preflight, PreflightState, get_state, preflight_middleware
from .origins import admits_arbitrary_origins
from .paths import PathPolicies, PathRule
from .policy import Policy, declare_policy

__all__ = ["CORS", "cross_origin"]

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
CONFIG_KEYS: Final = {f"CORS_{name.upper()}": name for name in DEFAULT_OPTIONS}
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


# --- options -> Policy levels ----------------------------------------------------------------


def probably_regex(value: ResourcePattern) -> bool:
    """flask-cors's test for a regex: a compiled pattern, or a string with a regex character."""
    return isinstance(value, re.Pattern) or not _REGEX_HINTS.isdisjoint(value)


def _suggest(name: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _unknown(options: Mapping[str, object], where: str) -> list[Problem]:
    return [
        Problem(name, value, where, "unknown flask-cors option" + _suggest(name, DEFAULT_OPTIONS))
        for name, value in options.items()
        if name not in DEFAULT_OPTIONS
    ]


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


def _origins(value: object, where: str, problems: list[Problem]) -> list[Any]:
    origins: list[Any] = []
    for item in _items(value):
        if isinstance(item, str) and item in _WILDCARDS:
            origins.append("*")
        elif isinstance(item, str) and probably_regex(item):
            # flask-cors: case-insensitive; the engine matches regexes whole (flask-cors #209).
            compiled = _compile(item, re.IGNORECASE, "origins", where)
            if isinstance(compiled, Problem):
                problems.append(compiled)
            else:
                origins.append(compiled)
        else:
            origins.append(item)
    return origins


def _allow_headers(value: object, where: str, problems: list[Problem]) -> object:
    headers: list[Any] = []
    for item in _split(value):
        if isinstance(item, str) and item in _WILDCARDS:
            return "*"
        pattern: re.Pattern[str] | Problem | None = None
        if isinstance(item, re.Pattern):
            pattern = item
        elif isinstance(item, str) and probably_regex(item):
            pattern = _compile(item, re.IGNORECASE, "allow_headers", where)
        if isinstance(pattern, Problem):
            problems.append(pattern)
        elif pattern is not None:
            whole = _as_prefix_match(pattern)
            if whole is None:
                problems.append(
                    Problem("allow_headers", item, where, "regex with inline global flags")
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


def translate(options: Mapping[str, Any], where: str, *, complete: bool) -> Policy:
    """One Flask-Preflight level from flask-cors options: every field when ``complete``
    (options already merged over the defaults), else only the fields the options set."""
    problems = _unknown(options, where)
    fields: dict[str, object] = {}
    if "origins" in options:
        fields["origins"] = _origins(options["origins"], where, problems)
    if "methods" in options:
        fields["methods"] = _methods(options["methods"])
    if "allow_headers" in options:
        fields["allow_headers"] = _allow_headers(options["allow_headers"], where, problems)
    if "expose_headers" in options:
        value = options["expose_headers"]
        fields["expose_headers"] = [] if value is None else sorted(_split(value), key=str)
    if "supports_credentials" in options:
        fields["credentials"] = bool(options["supports_credentials"])
    if "max_age" in options:
        fields["max_age"] = _max_age(options["max_age"])
    if "allow_private_network" in options:
        fields["private_network"] = bool(options["allow_private_network"])
    origins = fields.get("origins")
    if fields.get("credentials") is True and isinstance(origins, list):
        wide = [o for o in origins if admits_arbitrary_origins(o)]
        if wide:
            problems.append(
                Problem(
                    "supports_credentials",
                    True,
                    where,
                    f"with origins={wide[0] if isinstance(wide[0], str) else wide[0].pattern!r}"
                    " (flask-cors's default is '*'), flask-cors would send any site's origin "
                    "back with Access-Control-Allow-Credentials: true, so any site could read "
                    "your users' data; list the origins that may call with credentials, e.g. "
                    "origins=['https://app.example.com']",
                )
            )
    if problems:
        raise PreflightConfigError(problems)
    always_send = bool(options.get("always_send", True))
    level = declare_policy(
        where, fields, DIALECT_ALWAYS_SEND if always_send else DIALECT_NO_ALWAYS_SEND
    )
    if not complete:  # a cross_origin view's: its dialect comes with the level below it
        return replace(level, dialect=None)
    return level


def config_options(app: Flask | Blueprint) -> dict[str, Any]:
    """The flask-cors options set by ``CORS_*`` keys (a blueprint has no config); a key that
    looks like a misspelled one is an error."""
    config: Mapping[str, Any] = getattr(app, "config", {})
    options: dict[str, Any] = {}
    problems: list[Problem] = []
    for key, value in config.items():
        if key in CONFIG_KEYS:
            if value is not None:
                options[CONFIG_KEYS[key]] = value
        elif isinstance(key, str) and key.startswith("CORS_"):
            problems.append(
                Problem(
                    key, value, "app.config", "unknown flask-cors key" + _suggest(key, CONFIG_KEYS)
                )
            )
    if problems:
        raise PreflightConfigError(problems)
    return options


# --- resources -> path rules ----------------------------------------------------------------


def _describe(pattern: ResourcePattern) -> str:
    return repr(pattern.pattern if isinstance(pattern, re.Pattern) else pattern)


def parse_resources(resources: object) -> list[tuple[ResourcePattern, Mapping[str, Any]]]:
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
                    "resources",
                    resources,
                    "CORS(...)",
                    "must be a path, a regex, a list of them, or a dict of them to options",
                )
            ]
        )
    for key, opts in pairs:
        if not isinstance(key, (str, re.Pattern)) or not isinstance(opts, Mapping):
            raise PreflightConfigError(
                [Problem("resources", key, "CORS(...)", "a resource is a path or a regex")]
            )
    return pairs


def _path_matcher(key: ResourcePattern, where: str) -> str | re.Pattern[str]:
    """flask-cors matches a regex at the start of the path (``re.match``), case-sensitively,
    and compares other strings exactly."""
    if isinstance(key, str) and not probably_regex(key):
        return key
    pattern = key if isinstance(key, re.Pattern) else _compile(key, 0, "resources", where)
    if isinstance(pattern, Problem):
        raise PreflightConfigError([pattern])
    whole = _as_prefix_match(pattern)
    if whole is None:
        raise PreflightConfigError(
            [Problem("resources", key, where, "regex with inline global flags")]
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
    ``CORS_*`` config, in place of any resource's options, with the view's dialect."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._levels: dict[tuple[bool | None, bool], Policy] = {}

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
        if level is None:
            merged = {**DEFAULT_OPTIONS, **config_options(self.app)}
            if info.always_send is not None:
                merged["always_send"] = info.always_send
            level = translate(merged, "flask-cors defaults and CORS_* config", complete=True)
            if unanswered and level.dialect is not None:
                dialect = replace(level.dialect, unanswered_methods=frozenset({"OPTIONS"}))
                level = replace(level, dialect=dialect)
            self._levels[key] = level
        return level


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
            state.paths = PathPolicies(override=_CompatOverride(app))
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
        problems = _unknown(kwargs, "CORS(...)")
        if problems:
            raise PreflightConfigError(problems)
        self._options = kwargs
        if app is not None:
            self.init_app(app, **kwargs)

    def init_app(self, app: Flask | Blueprint, **kwargs: Any) -> None:
        problems = _unknown(kwargs, "init_app(...)")
        if problems:
            raise PreflightConfigError(problems)
        if isinstance(app, Blueprint):
            blueprint = app
            rules = self._rules(blueprint, kwargs, f"CORS(blueprint {blueprint.name!r}")

            def on_register(state: BlueprintSetupState) -> None:
                name = f"{state.name_prefix}.{state.name}".lstrip(".")
                assert isinstance(state.app, Flask)
                self._add(state.app, [replace(rule, scope=name) for rule in rules])

            blueprint.record(on_register)
        else:
            self._add(app, self._rules(app, kwargs, "CORS("))

    def _rules(
        self, target: Flask | Blueprint, kwargs: Mapping[str, Any], where: str
    ) -> list[PathRule]:
        merged = {**DEFAULT_OPTIONS, **config_options(target), **self._options, **kwargs}
        rules: list[PathRule] = []
        for key, opts in parse_resources(merged["resources"]):
            source = f"{where}resources={_describe(key)})"
            problems = _unknown(opts, source)
            if problems:
                raise PreflightConfigError(problems)
            level = translate({**merged, **opts}, source, complete=True)
            rules.append(PathRule(_path_matcher(key, source), level, source=source))
        return rules

    def _add(self, app: Flask, rules: list[PathRule]) -> None:
        state, _ = install(app)
        assert state.paths is not None
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
    return app.response_class(body, status=status, headers=headers)


def cross_origin(*args: Any, **kwargs: Any) -> Callable[[F], F]:
    """flask-cors's decorator, below ``@app.route``: the view's options replace the
    extension's (over flask-cors's defaults and ``CORS_*`` config). Works on async views,
    and on apps that never call ``CORS(...)``."""
    level = translate(kwargs, "@cross_origin(...)", complete=False)
    automatic_options = kwargs.get("automatic_options", True)

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
        setattr(
            view, POLICY_ATTRIBUTE, replace(level, source=f"@cross_origin(...) on {f.__name__!r}")
        )
        always_send = kwargs.get("always_send")
        setattr(
            view,
            COMPAT_VIEW_ATTRIBUTE,
            _CompatView(None if always_send is None else bool(always_send), automatic_options),
        )
        return view  # type: ignore[return-value]

    return decorator
