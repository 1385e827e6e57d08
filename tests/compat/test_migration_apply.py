"""Issue 17.7's proof on the migration suite: for every app in ``tests/compat/migration/``, applying
``flask preflight migrate``'s output to the app with compat removed gives the same
``flask preflight routes --json`` and the same answers as compat
(``tests.compat.migration_check.assert_migration_equivalent``).

The apps are discovered from the package, so a new one is covered without editing this
file. An app that compat refuses at start-up by design is migrated in the form its error
suggests (its module's ``create_fixed_app``); an app that fails at start-up without one
fails the test. The comparison is exact: every browser request is refused by both apps,
or read by both with the same status and readable headers.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest
from flask import Flask

import tests.compat.migration
from flask_preflight import PreflightConfigError

from .migration_check import assert_migration_equivalent, compat_removed


def discovered() -> list[str]:
    return sorted(
        info.name
        for info in pkgutil.iter_modules(tests.compat.migration.__path__)
        if not info.name.startswith("_")
    )


def test_every_app_of_the_suite_is_discovered() -> None:
    # The differential's list (tests/compat/test_migration_differential.py, tests/edge) and the
    # discovered modules agree.
    assert set(discovered()) == set(tests.compat.migration.APPS)


def fixed_factory(module: ModuleType) -> Callable[[bool], Flask]:
    """``build(compat)``: the app in its fixed form, on compat or with compat removed."""

    def build(compat: bool) -> Flask:
        if compat:
            app: Flask = module.create_fixed_app()
            return app
        with compat_removed():
            app = module.create_fixed_app()
        return app

    return build


@pytest.mark.parametrize("name", discovered())
def test_migrate_output_applied_serves_what_compat_serves(name: str) -> None:
    dotted = f"tests.compat.migration.{name}"
    module = importlib.import_module(dotted)
    source: Any = dotted
    if hasattr(module, "create_fixed_app"):
        # Refused at start-up by design: migrate the app as its error tells the user to fix it.
        with pytest.raises(PreflightConfigError):
            module.create_app()
        source = fixed_factory(module)
    # Same answers, exactly: none of the suite's apps has endpoints whose paths fall under
    # different path rules, nor a methods list narrower than its routes, so no documented
    # difference is allowed either.
    assert_migration_equivalent(source, exact=True)
