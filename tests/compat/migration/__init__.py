"""Small apps, one per pattern real flask-cors apps use, each written from the pattern.

Every module exposes ``create_app(flask_cors=None)``: the app built with ``flask_cors``'s
``CORS``/``cross_origin`` (a module: ``flask_cors`` itself, or ``flask_preflight.compat``,
the default). ``flask --app tests.compat.migration.<module>`` therefore runs it on compat.
``tests/compat/test_migration_differential.py`` compares each with flask-cors 6.0.5. A module whose
app compat refuses at start-up by design also exposes ``create_fixed_app(flask_cors=None)``,
the app as the start-up error tells the user to fix it (``tests/compat/test_migration_apply.py``
migrates it, ``tests/edge`` serves it behind nginx).
"""

from __future__ import annotations

import importlib
from types import ModuleType

APPS = (
    "legacy_headers",
    "factory_blueprint",
    "config_credentials",
    "compiled_resources",
    "decorator_per_method",
    "prefix_origin",
    "options_key",
    "credentialed_regex",
    "restx_flasgger",
)


def cors_module(flask_cors: ModuleType | None) -> ModuleType:
    """The module whose ``CORS`` and ``cross_origin`` an app uses (compat by default)."""
    return flask_cors or importlib.import_module("flask_preflight.compat")
