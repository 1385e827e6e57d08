"""flask-cors's option names, and what to write instead: hints for configuration errors.

People moving from flask-cors write its option names (``supports_credentials``,
``resources``...) as ``cors()`` or ``Preflight()`` keywords, or as ``PREFLIGHT_*`` config
keys. Each gets the equivalent field, or, where there is none, what Flask-Preflight does
instead and ``flask_preflight.compat``, which takes flask-cors's options as they are.
"""

from __future__ import annotations

from typing import Final

# flask-cors option -> the Flask-Preflight field that does the same.
EQUIVALENT_FIELDS: Final = {
    "origins": "origins",
    "methods": "methods",
    "allow_headers": "allow_headers",
    "expose_headers": "expose_headers",
    "supports_credentials": "credentials",
    "max_age": "max_age",
    "allow_private_network": "private_network",
}

# flask-cors option -> why there is no field for it here.
NO_EQUIVALENT: Final = {
    "resources": ("policies are set per view or blueprint with cors(...), not by URL pattern"),
    "send_wildcard": (
        "origins='*' answers with a literal '*', other policies echo the allowed origin"
    ),
    "vary_header": "'Vary: Origin' is always sent when the answer depends on the origin",
    "automatic_options": "Preflight always answers preflights itself",
    "intercept_exceptions": "error responses always carry the CORS headers",
    "always_send": "CORS headers go to requests with an allowed Origin ('*' to every request)",
}

COMPAT: Final = "flask_preflight.compat, which takes flask-cors's options as they are"


def flask_cors_hint(name: str, *, config_prefix: str = "") -> str | None:
    """A hint for an unknown field or config key ``name`` that is a flask-cors option name
    (``supports_credentials``, ``CORS_RESOURCES``, ``PREFLIGHT_SEND_WILDCARD``...); ``None``
    for any other name. ``config_prefix`` is ``"PREFLIGHT_"`` for config keys."""
    option = name.lower()
    for prefix in ("preflight_", "cors_"):
        if option.startswith(prefix):
            option = option[len(prefix) :]
            break
    field = EQUIVALENT_FIELDS.get(option)
    if field is not None:
        use = f"{config_prefix}{field.upper()}" if config_prefix else field
        return f"; {name!r} is flask-cors's name: use {use!r}"
    reason = NO_EQUIVALENT.get(option)
    if reason is not None:
        return (
            f"; {name!r} is a flask-cors option with no equivalent here: {reason} (or use {COMPAT})"
        )
    return None
