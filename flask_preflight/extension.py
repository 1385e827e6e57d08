"""``Preflight``: the Flask extension object. ``init_app`` reads the app-wide policy, creates
the app's state (``wsgi.PreflightState``, the policy registry and its wiring) and wraps the
app's ``wsgi_app`` in the wrapper chosen once, there (``wsgi.preflight_middleware``);
``get_state`` finds the state again."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from flask import Flask

from .chain import is_flask_wsgi_app
from .errors import PreflightConfigError
from .policy import (
    Policy,
    PolicyOptions,
    config_spelling,
    config_values,
    declare_policy,
    keyword_spelling,
)
from .wsgi import PreflightState, preflight_middleware

if TYPE_CHECKING:
    from typing_extensions import Unpack  # no runtime dependency

EXTENSION_NAME: Final = "preflight"


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
            state.hook_into_flask()
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
