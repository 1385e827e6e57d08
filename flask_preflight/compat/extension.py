"""flask-cors's extension object, ``CORS`` (flask-cors's own ``extension.py``), and how
compat registers the engine on an app: ``Preflight`` with path rules (paths.py), one per
resource, and the override that gives a ``cross_origin`` view flask-cors's defaults and the
app's ``CORS_*`` config in place of any resource's options. Options are read and translated
by ``core.py``; the decorator (``decorator.py``) registers through ``install``.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Final

from flask import Blueprint, Flask
from flask.blueprints import BlueprintSetupState

from ..extension import EXTENSION_NAME, Preflight, get_state
from ..paths import PathPolicies, PathRule
from ..policy import Policy
from ..routing import blueprint_name
from ..wsgi import PreflightState
from .core import (
    CONFIG,
    CONFIG_KEYS,
    DEFAULT_SOURCED,
    DEFAULTS,
    Options,
    Source,
    config_options,
    describe_resource,
    parse_resources,
    path_matcher,
    sourced,
    translate,
    warn_once,
)

# The attribute of a ``cross_origin`` view that holds its ``CompatView``.
COMPAT_VIEW_ATTRIBUTE: Final = "_flask_preflight_compat_view"


@dataclass(frozen=True)
class CompatView:
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
                    warn_once(
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
        if not isinstance(info, CompatView):
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
            warn_once(
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
            label = f"{opening}resources={describe_resource(key)})"
            at = Source("resource", label, resource=describe_resource(key))
            level = translate({**options, **sourced(opts, at)}, label)
            rules.append(PathRule(path_matcher(key, resources_source), level, source=label))
        return rules

    def _add(self, app: Flask, rules: list[PathRule], options: Options | None = None) -> None:
        state, _ = install(app)
        assert state.paths is not None
        if options is not None and isinstance(state.paths.override, _CompatOverride):
            state.paths.override.note_read({k: v for k, v in options.items() if v[1] is CONFIG})
        # flask-cors runs the after_request functions of blueprints before the app's, and
        # the last registered first; the first whose resource matches answers.
        # (PathPolicies puts a nested blueprint's rules before its parent's and the app's.)
        state.paths.add(rules, first=True)
        state.check_path_rules()
