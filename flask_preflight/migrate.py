"""``flask preflight migrate``: native declarations that give an app's current policies.

For an app configured through ``flask_preflight.compat``, prints Python that declares the
same effective policy on each view with ``cors(...)`` (and the unrouted policy with
``PREFLIGHT_*`` config), to apply to the app built without ``CORS(...)``/``@cross_origin``
before ``Preflight(app)``. What native declarations cannot say (policies of unrouted paths
by path, flask-cors's answer forms) is listed as comments.
"""

from __future__ import annotations

import re
import textwrap
from typing import Any

from flask import Flask

from .extension import APP_LEVEL, get_state
from .policy import FIELD_NAMES, EffectivePolicy, resolve


def _literal(value: Any) -> str:
    if isinstance(value, re.Pattern):
        return f"re.compile({value.pattern!r}, {int(value.flags) & ~re.UNICODE})"
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
    unrouted = state.policy_for(APP_LEVEL, {"PATH_INFO": "/"}).effective
    defaults = resolve(())
    for name in FIELD_NAMES:  # the app-wide policy, where it is not the default
        if getattr(unrouted, name) != getattr(defaults, name):
            value = _literal(getattr(unrouted, name))
            lines.append(f'app.config["PREFLIGHT_{name.upper()}"] = {value}')
    if len(lines) > 7:
        lines.append("")
    for endpoint in sorted(app.view_functions):
        rules = list(app.url_map.iter_rules(endpoint))
        path = rules[0].rule if rules else "/"
        effective = state.policy_for(endpoint, {"PATH_INFO": path}).effective
        fields = _fields(effective, unrouted)  # over the app-wide policy, field by field
        if fields:
            lines.append(f"cors({fields})(app.view_functions[{endpoint!r}])")
    notes = []
    if state.paths is not None and state.paths.rules:
        notes.append(
            "unrouted URLs (404) under a resource got that resource's policy; natively "
            "they get the app's (PREFLIGHT_*) policy above"
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
