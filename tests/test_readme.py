"""Every code block in README.md is executed, so the documentation cannot rot.

- ```python blocks run (each in a fresh namespace); a ```text block right after one is the
  output it must print.
- ```console blocks: each ``$ flask ...`` line runs, and its output must match the lines
  that follow it.
- ```sh blocks: each ``make TARGET`` must be a target of the Makefile (running them here
  would run this suite recursively; CI runs ``make test`` itself).
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def blocks() -> list[tuple[str, str, int]]:
    text = README.read_text()
    return [
        (match.group(1), match.group(2), text.count("\n", 0, match.start()) + 1)
        for match in FENCE.finditer(text)
    ]


def python_cases() -> list[pytest.ParameterSet]:
    found = blocks()
    cases = []
    for index, (language, code, line) in enumerate(found):
        if language != "python":
            continue
        following = found[index + 1] if index + 1 < len(found) else None
        expected = following[1] if following is not None and following[0] == "text" else None
        cases.append(pytest.param(code, expected, id=f"line-{line}"))
    return cases


def console_cases() -> list[pytest.ParameterSet]:
    cases = []
    for language, code, line in blocks():
        if language != "console":
            continue
        command, *output = code.rstrip("\n").split("\n")
        assert command.startswith("$ flask "), command
        cases.append(pytest.param(command[2:], "\n".join(output), id=f"line-{line}"))
    return cases


def test_every_block_is_checked() -> None:
    found = blocks()
    assert found, "README.md has no code blocks"
    for index, (language, _, line) in enumerate(found):
        if language == "text":
            assert index > 0 and found[index - 1][0] == "python", f"line {line}: orphan output"
        else:
            assert language in ("python", "console", "sh"), f"line {line}: {language!r}"


def test_readme_starts_with_the_two_commands() -> None:
    language, code, line = blocks()[0]
    assert (language, line) == ("sh", 3)
    assert [command.split()[:2] for command in code.splitlines()] == [
        ["make", "example"],
        ["make", "test"],
    ]


def test_make_targets_exist() -> None:
    makefile = (ROOT / "Makefile").read_text()
    for language, code, _ in blocks():
        if language != "sh":
            continue
        for command in code.splitlines():
            target = command.split()[1]
            assert re.search(rf"^{target}:", makefile, re.MULTILINE), target


@pytest.mark.parametrize(("code", "expected"), python_cases())
def test_python_block(code: str, expected: str | None) -> None:
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        exec(compile(code, str(README), "exec"), {"__name__": "readme_example"})
    if expected is not None:
        assert output.getvalue().rstrip() == expected.rstrip()


@pytest.mark.parametrize(("command", "expected"), console_cases())
def test_console_block(command: str, expected: str) -> None:
    argv = [sys.executable, "-m", "flask", *shlex.split(command)[1:]]
    result = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=60)
    lines = [line.rstrip() for line in result.stdout.rstrip().splitlines()]
    assert lines == expected.splitlines(), result.stderr


def test_errors_table_is_the_one_the_tests_pin() -> None:
    """The README's "Errors you may see" table and accepted forms are exactly those of
    ``tests/hostile/ERRORS.md``, which ``tests/hostile/test_config.py`` checks against the
    code."""
    marker = "| What you wrote |"
    pinned = (ROOT / "tests" / "hostile" / "ERRORS.md").read_text()
    table = pinned[pinned.index(marker) :]
    readme = README.read_text()
    assert marker in readme
    assert readme[readme.index(marker) :].startswith(table)
