"""docs/development.md's package map names every module of the package once, and marks
exactly the pure modules, the ones ruff's banned-imports rule (TID251) holds for."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "flask_preflight"
PURE_MARK = "·"


def map_rows() -> dict[str, bool]:
    """The map's rows: the module (``decision.py``, ``compat/``) -> whether it is marked
    pure."""
    text = (ROOT / "docs" / "development.md").read_text(encoding="utf-8")
    section = text.split("## Package map", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, bool] = {}
    for line in section.splitlines():
        match = re.match(rf"\| `([^`]+)`( {PURE_MARK})? \|", line)
        if match is not None:
            assert match.group(1) not in rows, f"{match.group(1)} is in the map twice"
            rows[match.group(1)] = match.group(2) is not None
    return rows


def package_entries() -> set[str]:
    """The package's modules as the map names them: top-level modules, subpackages whole."""
    entries = {p.name for p in PACKAGE.glob("*.py") if p.name != "__init__.py"}
    entries |= {f"{p.parent.name}/" for p in PACKAGE.glob("*/__init__.py")}
    return entries


def pure_modules() -> set[str]:
    """The modules TID251 holds for: those the per-file ignore's negated glob lists."""
    config = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    match = re.search(r'"!flask_preflight/\{([^}]*)\}\.py" = \["TID251"\]', config)
    assert match is not None, "pyproject.toml no longer lists the pure modules as expected"
    return {f"{name}.py" for name in match.group(1).split(",")}


def test_the_map_names_every_module_and_no_other() -> None:
    assert set(map_rows()) == package_entries()


def test_the_map_marks_exactly_the_pure_modules() -> None:
    marked = {module for module, pure in map_rows().items() if pure}
    assert marked == pure_modules()
