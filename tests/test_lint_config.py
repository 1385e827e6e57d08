"""The pre-commit hooks run exactly the checks of ``make lint``, in the same order."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def make_lint_commands() -> list[str]:
    """The commands of the Makefile's ``lint`` recipe, ``$(BIN)`` spelt ``.venv/bin``."""
    lines = (ROOT / "Makefile").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(r"lint\s*:", line))
    commands = []
    for line in lines[start + 1 :]:
        if not line.startswith("\t"):
            break
        commands.append(line.strip().replace("$(BIN)", ".venv/bin"))
    return commands


def pre_commit_entries() -> list[str]:
    text = (ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    return [entry.strip() for entry in re.findall(r"^\s*entry:\s*(.+)$", text, re.MULTILINE)]


def test_make_lint_has_the_three_checks() -> None:
    assert make_lint_commands() == [
        ".venv/bin/ruff check .",
        ".venv/bin/ruff format --check .",
        ".venv/bin/mypy --strict flask_preflight tests",
    ]


def test_the_pre_commit_hooks_are_the_make_lint_commands() -> None:
    assert pre_commit_entries() == make_lint_commands()


def test_the_hooks_are_local_and_use_the_venv() -> None:
    text = (ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    assert re.findall(r"^\s*-\s*repo:\s*(\S+)", text, re.MULTILINE) == ["local"]
    assert set(re.findall(r"^\s*language:\s*(\S+)", text, re.MULTILINE)) == {"system"}
