"""``cors()``: a policy on a view function, a ``View`` class or a ``Blueprint``.

The decorator only attaches the validated policy to the object; it never wraps a view, so
it costs nothing per call, works above or below ``@app.route``, and leaves async views and
``MethodView`` classes unchanged. The extension reads the policies when it compiles them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, TypeVar

from flask import Blueprint, Flask

from .policy import POLICY_ATTRIBUTE, Policy, PolicyOptions, declare_policy
from .routing import remember_url_prefix
from .unregistered import watch

if TYPE_CHECKING:  # no runtime dependency: type checkers know typing_extensions
    from typing_extensions import Unpack

logger = logging.getLogger("flask_preflight")

T = TypeVar("T")


def _describe_target(target: object) -> str:
    if isinstance(target, Blueprint):
        return f"blueprint {target.name!r}"
    if isinstance(target, type):
        return f"view class {target.__name__!r}"
    name = getattr(target, "__name__", None) or repr(target)
    return f"view {name!r}"


def cors(**policy: Unpack[PolicyOptions]) -> Callable[[T], T]:
    """Declare the CORS policy of a view function, a ``View`` class or a ``Blueprint``.

    Takes the policy fields as keywords (:class:`~flask_preflight.PolicyOptions`); each one
    set overrides the same field of the enclosing blueprint and app, the others are
    inherited. ``cors(origins=[])`` turns CORS off for one view. Malformed values raise
    ``PreflightConfigError`` at once.
    """
    # Validate before knowing the target, so a typo fails at import time of the module;
    # each target gets the validated policy under its own name.
    declared = declare_policy("@cors(...)", policy)

    def apply(target: T) -> T:
        if isinstance(target, Flask):
            raise TypeError(
                "cors() sets the policy of a view, View class or Blueprint; for an "
                "app-wide policy use Preflight(app, ...) or PREFLIGHT_* config keys"
            )
        if not callable(target) and not isinstance(target, Blueprint):
            raise TypeError(f"cors() cannot decorate {target!r}")
        owned = vars(target) if hasattr(target, "__dict__") else {}
        if isinstance(owned.get(POLICY_ATTRIBUTE), Policy):
            raise TypeError(
                f"{_describe_target(target)} already has a cors() policy: "
                "merge the two into one cors(...) call"
            )
        setattr(target, POLICY_ATTRIBUTE, replace(declared, source=_describe_target(target)))
        if isinstance(target, Blueprint):
            if target._got_registered_once:
                logger.warning(
                    "cors() on blueprint %r after it was registered: URLs under its "
                    "url_prefix that no rule matches get the app-level policy; apply cors() "
                    "before app.register_blueprint()",
                    target.name,
                )
            else:
                target.record(remember_url_prefix)
        watch(target)  # a WARNING if its app never registers Preflight
        return target

    return apply
