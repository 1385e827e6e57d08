"""The package's import graph has no cycle.

Every import of one ``flask_preflight`` module by another counts, wherever it stands: at
the top, inside a function, or under ``TYPE_CHECKING``. An import placed inside a function
to dodge a cycle hides the cycle from Python, not from this walk.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = "flask_preflight"
ROOT = Path(__file__).resolve().parents[1] / PACKAGE


def _module_name(path: Path) -> str:
    parts = [PACKAGE, *path.relative_to(ROOT).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _package_of(path: Path, name: str) -> str:
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


def import_graph() -> dict[str, set[str]]:
    """Each module of the package -> the modules of the package it imports."""
    paths = {_module_name(path): path for path in ROOT.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        imported: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = _package_of(path, name)
                    for _ in range(node.level - 1):
                        base = base.rpartition(".")[0]
                    base = f"{base}.{node.module}" if node.module else base
                else:
                    base = node.module or ""
                imported.add(base)
                # ``from . import signals`` imports a module, not a name.
                imported.update(f"{base}.{alias.name}" for alias in node.names)
        # A module's own packages are loaded before it: importing them closes no cycle.
        ancestors = {name.rsplit(".", depth)[0] for depth in range(name.count(".") + 1)}
        graph[name] = {module for module in imported if module in paths} - ancestors
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a list of modules (the first repeated last), or None."""
    done: set[str] = set()
    stack: list[str] = []
    on_stack: set[str] = set()

    def visit(module: str) -> list[str] | None:
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(graph[module]):
            if imported in on_stack:
                return [*stack[stack.index(imported) :], imported]
            if imported not in done:
                cycle = visit(imported)
                if cycle:
                    return cycle
        stack.pop()
        on_stack.discard(module)
        done.add(module)
        return None

    for module in sorted(graph):
        if module not in done:
            cycle = visit(module)
            if cycle:
                return cycle
    return None


def test_the_walk_sees_imports_inside_functions() -> None:
    graph = import_graph()
    assert "flask_preflight.compat.migrate" in graph["flask_preflight.cli"]
    assert "flask_preflight.signals" in graph["flask_preflight.wsgi"]


def test_the_walk_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]


def test_the_package_imports_have_no_cycle() -> None:
    assert find_cycle(import_graph()) is None
