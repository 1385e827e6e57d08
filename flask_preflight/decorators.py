"""``cors()``: a policy on a view function, a ``View`` class or a ``Blueprint``.

The decorator only attaches the validated policy to the object; it never wraps a view, so
it costs nothing per call, works above or below ``@app.route``, and leaves async views and
``MethodView`` classes unchanged. The extension reads the policies when it compiles them.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING, TypeVar

from flask import Blueprint, Flask

from ._flask import blueprint_registered
from .policy import ENDPOINT_POLICIES, POLICY_ATTRIBUTE, Policy, PolicyOptions, declare_policy
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


class Cors:
    """A validated policy, as ``cors(...)`` returns it: apply it to a view, ``View`` class
    or ``Blueprint`` (as a decorator), or to an endpoint by name with ``endpoint()``."""

    def __init__(self, declared: Policy) -> None:
        self._declared = declared  # validated once; each target gets it under its own name

    def __call__(self, target: T) -> T:
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
        try:
            setattr(
                target, POLICY_ATTRIBUTE, replace(self._declared, source=_describe_target(target))
            )
        except AttributeError:  # a bound method, a builtin: nowhere to keep the policy
            raise TypeError(
                f"cors() cannot keep a policy on {target!r}: declare it by endpoint name, "
                "cors(...).endpoint(app, 'the.endpoint')"
            ) from None
        if isinstance(target, Blueprint):
            if blueprint_registered(target):
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

    def endpoint(self, app: Flask, name: str) -> None:
        """Declare this policy on ``app``'s endpoint ``name``, as a decorator on its view
        would: for views that cannot carry it (bound methods, such as flask-restx's
        ``root`` and ``specs``; a view function several endpoints share, such as a
        blueprint's ``static``). The endpoint may be added later; it must exist when the
        app serves its first request. Declare it before ``Preflight(app)``'s first request.
        """
        if not isinstance(app, Flask):
            raise TypeError(f"cors(...).endpoint() takes the Flask app, not {app!r}")
        if not isinstance(name, str) or not name:
            raise TypeError(f"cors(...).endpoint() takes an endpoint name, not {name!r}")
        state = app.extensions.get("preflight")
        if getattr(state, "frozen", False):
            raise RuntimeError(
                f"cors(...).endpoint(app, {name!r}) after the app's first request: declare "
                "it where the app is set up"
            )
        policies = app.extensions.setdefault(ENDPOINT_POLICIES, {})
        if name in policies:
            raise TypeError(
                f"endpoint {name!r} already has a cors(...).endpoint() policy: merge the two "
                "into one cors(...) call"
            )
        policies[name] = replace(self._declared, source=f"cors(...).endpoint(app, {name!r})")
        watch(app)


def cors(**policy: Unpack[PolicyOptions]) -> Cors:
    """Declare the CORS policy of a view function, a ``View`` class or a ``Blueprint``
    (``@cors(...)``), or of an endpoint by name (``cors(...).endpoint(app, name)``).

    Takes the policy fields as keywords (:class:`~flask_preflight.PolicyOptions`); each one
    set overrides the same field of the
    enclosing blueprint and app, the others are inherited. ``cors(origins=[])`` turns CORS
    off for one view. Malformed values raise ``PreflightConfigError`` at once.
    """
    # Validate before knowing the target, so a typo fails at import time of the module.
    return Cors(declare_policy("@cors(...)", policy))
