"""``flask preflight migrate``: native declarations that give an app's current policies.

For an app configured through ``flask_preflight.compat``, prints Python that declares the
same effective policy on each view with ``cors(...)`` (and the unrouted policy with
``PREFLIGHT_*`` config), to apply to the app built without ``CORS(...)``/``@cross_origin``
before ``Preflight(app)``. What native declarations cannot say (policies of unrouted paths
by path, flask-cors's answer forms) is listed as comments.

Each view's policy is the one its concrete paths get (rule_paths.py): where they fall under
different path rules, the narrowest of their policies, with a comment naming each rule and
an example path, so that the output never grants what the compat app refuses. A view that
cannot carry a policy (a bound method, a function serving several endpoints) is declared by
endpoint name, ``cors(...).endpoint(app, name)``.
"""

from __future__ import annotations

import inspect
import re
import textwrap
from collections.abc import Sequence
from typing import Any

from flask import Flask

from ..extension import get_state
from ..policy import FIELD_NAMES, EffectivePolicy, resolve
from ..rule_paths import PathChoice, choose_policy, choose_unrouted_policy

# The flags an origin regex can carry, by the names every supported Python has (3.11 added
# re.NOFLAG, which the output must not need).
_FLAGS = ("IGNORECASE", "LOCALE", "MULTILINE", "DOTALL", "VERBOSE", "ASCII")


def _flags(pattern: re.Pattern[Any]) -> str:
    """``pattern``'s flags as Python that reads the same on every supported version: flag
    names joined by ``|`` (a number for any other), empty when there are none."""
    rest = int(pattern.flags) & ~int(re.UNICODE)  # implied for a str pattern
    names = []
    for name in _FLAGS:
        flag = int(getattr(re, name))
        if rest & flag:
            names.append(f"re.{name}")
            rest &= ~flag
    if rest:
        names.append(str(rest))
    return " | ".join(names)


def _literal(value: Any) -> str:
    if isinstance(value, re.Pattern):
        flags = _flags(value)
        return f"re.compile({value.pattern!r}{', ' + flags if flags else ''})"
    if isinstance(value, tuple):
        return "[" + ", ".join(_literal(item) for item in value) + "]"
    if callable(value):
        raise ValueError(f"a callable origin ({value!r}) cannot be printed; declare it by hand")
    return repr(value)


def _fields(effective: EffectivePolicy, base: EffectivePolicy) -> str:
    """The fields of ``effective`` that differ from ``base``, as keyword arguments."""
    return ", ".join(
        f"{name}={_literal(getattr(effective, name))}"
        for name in FIELD_NAMES
        if getattr(effective, name) != getattr(base, name)
    )


def _can_carry_policy(view: object, views: Sequence[object]) -> bool:
    """Whether ``cors(...)(view)`` keeps the policy on ``view`` for its endpoint alone."""
    if inspect.ismethod(view) or not hasattr(view, "__dict__"):
        return False
    return sum(other is view for other in views) == 1


def _varies_comment(endpoint: str, choice: PathChoice) -> list[str]:
    listed = [
        f"{candidate.witness!r} {'gets' if candidate.proven else 'may get'} "
        + (candidate.rule.source if candidate.rule is not None else "no path rule")
        for candidate, _ in choice.candidates
    ]
    if len(listed) > 4:
        listed[3:] = [f"and {len(listed) - 3} more"]
    examples = "; ".join(listed)
    text = (
        f"{endpoint!r}: its paths fall under different path rules ({examples}), and a "
        "native policy cannot depend on the path: declared with the narrowest policy, which "
        "grants nothing any of them refuses (no origins when they share none). Write it by "
        "hand if some paths need more."
    )
    return textwrap.wrap(
        text, 88, initial_indent="# ", subsequent_indent="#   ", break_on_hyphens=False
    )


def native_declarations(app: Flask) -> str:
    """The Python that declares ``app``'s current policies natively."""
    state = get_state(app)
    lines = [
        "# Native Flask-Preflight declarations giving this app's current policies.",
        "# Build the app without CORS(...) and @cross_origin, run this with `app` bound to it,",
        "# then call Preflight(app).",
        "import re",
        "",
        "from flask_preflight import cors",
        "",
    ]
    unrouted_choice = choose_unrouted_policy(state)
    unrouted = unrouted_choice.effective
    defaults = resolve(())
    for name in FIELD_NAMES:  # the app-wide policy, where it is not the default
        if getattr(unrouted, name) != getattr(defaults, name):
            value = _literal(getattr(unrouted, name))
            lines.append(f'app.config["PREFLIGHT_{name.upper()}"] = {value}')
    if len(lines) > 7:
        lines.append("")
    views = list(app.view_functions.values())
    for endpoint in sorted(app.view_functions):
        choice = choose_policy(state, endpoint, app.url_map.iter_rules(endpoint))
        fields = _fields(choice.effective, unrouted)  # over the app-wide policy, field by field
        if choice.varies:
            lines.extend(_varies_comment(endpoint, choice))
        if not fields:
            continue
        view = app.view_functions[endpoint]
        if _can_carry_policy(view, views):
            lines.append(f"cors({fields})(app.view_functions[{endpoint!r}])")
        else:  # a bound method, or a view several endpoints share
            lines.append(f"cors({fields}).endpoint(app, {endpoint!r})")
    notes = []
    if state.paths is not None and state.paths.rules:
        narrowest = (
            ", the narrowest of those policies (no origins when they share none)"
            if unrouted_choice.varies
            else ""
        )
        notes.append(
            "unrouted URLs (404) under a resource got that resource's policy; natively "
            f"they get the app's (PREFLIGHT_*) policy above{narrowest}"
        )
    if state.paths is not None:  # set up by flask_preflight.compat
        notes.append(
            "flask-cors's answer forms are not kept: header names are sent lowercase, "
            "`methods` also limits actual requests, and requests without Origin get no "
            "Access-Control-Allow-Origin unless the policy is '*'"
        )
    if notes:
        lines.append("")
        for note in notes:
            lines.extend(
                textwrap.wrap(
                    f"Note: {note}.",
                    88,
                    initial_indent="# ",
                    subsequent_indent="#   ",
                    break_on_hyphens=False,
                )
            )
    return "\n".join(lines) + "\n"
