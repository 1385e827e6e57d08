"""compat uses only the engine's public interfaces: no module of ``flask_preflight/compat/``
reads or calls an underscore attribute of an object other than its own (``self``), imports
an underscore name from an engine module, or names one in ``getattr``/``setattr``/
``hasattr``. (compat once sorted ``state.paths.rules`` and called ``state._compile``.)"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

COMPAT = Path(__file__).resolve().parents[2] / "flask_preflight" / "compat"

# Not engine objects: Werkzeug's documented way to reach the app behind ``current_app``.
ALLOWED = {("current_app", "_get_current_object")}


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_uses(source: str) -> list[str]:
    """Each use of another object's underscore attribute in ``source``, as ``line: text``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            owner = node.value.id if isinstance(node.value, ast.Name) else None
            if owner != "self" and (owner, node.attr) not in ALLOWED:
                found.append(f"{node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.ImportFrom):
            engine = node.level > 1 or (node.module or "").startswith("flask_preflight")
            if engine and not (node.module or "").startswith("flask_preflight.compat"):
                found.extend(
                    f"{node.lineno}: import {alias.name}"
                    for alias in node.names
                    if _private(alias.name)
                )
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "setattr", "hasattr")
            and len(node.args) > 1
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
            and _private(node.args[1].value)
        ):
            found.append(f"{node.lineno}: {ast.unparse(node)}")
    return found


@pytest.mark.parametrize(
    "source",
    [
        "state._compile(endpoint)",
        "state.paths._cache.clear()",
        "from ..extension import _put_first",
        "from flask_preflight.routing import _owner",
        "getattr(state, '_lock')",
    ],
)
def test_the_check_finds_private_uses(source: str) -> None:
    assert private_uses(source) != []


@pytest.mark.parametrize(
    "source",
    [
        "self._levels.clear()",
        "state.check_path_rules()",
        "view.__name__",
        "from .core import path_matcher",
        "current_app._get_current_object()",
    ],
)
def test_the_check_lets_public_uses_pass(source: str) -> None:
    assert private_uses(source) == []


def test_compat_has_modules() -> None:
    assert {path.name for path in COMPAT.glob("*.py")} >= {
        "__init__.py",
        "core.py",
        "decorator.py",
        "extension.py",
        "migrate.py",
    }


@pytest.mark.parametrize("path", sorted(COMPAT.glob("*.py")), ids=lambda path: path.name)
def test_compat_uses_only_public_engine_interfaces(path: Path) -> None:
    assert private_uses(path.read_text(encoding="utf-8")) == []
