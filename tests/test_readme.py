"""Every code block in README.md and in the documentation pages (docs/*.md) is executed, so
the documentation cannot rot.

- ```python blocks run (each in a fresh namespace); a ```text block right after one is the
  output it must print.
- ```console blocks: each ``$ flask ...`` line runs, and its output must match the lines
  that follow it; ``$ COLUMNS=N flask ...`` runs it for a terminal N columns wide (without
  it, COLUMNS is unset).
- ```sh blocks: each ``make TARGET`` must be a target of the Makefile (running them here
  would run this suite recursively; CI runs ``make test`` itself).

Directives of the Sphinx site (toctree, include) are written with ``:::`` fences, which are
not code; the API page's ```{eval-rst} block may hold autodoc directives only. Every relative
link of these files must point to a file that exists (and to a heading of it, when it names
one), and the README must link to every page.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.glob("*.md"))
FILES = [README, *PAGES]
FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
LINK = re.compile(r"\]\(([^)\s]*)\)|<img [^>]*src=\"([^\"]*)\"")


def name(path: Path) -> str:
    return str(path.relative_to(ROOT))


def blocks(path: Path) -> list[tuple[str, str, int]]:
    text = path.read_text()
    return [
        (match.group(1), match.group(2), text.count("\n", 0, match.start()) + 1)
        for match in FENCE.finditer(text)
    ]


def python_cases() -> list[pytest.ParameterSet]:
    cases = []
    for path in FILES:
        found = blocks(path)
        for index, (language, code, line) in enumerate(found):
            if language != "python":
                continue
            following = found[index + 1] if index + 1 < len(found) else None
            expected = following[1] if following is not None and following[0] == "text" else None
            cases.append(pytest.param(path, code, expected, id=f"{name(path)}:{line}"))
    return cases


def console_cases() -> list[pytest.ParameterSet]:
    cases = []
    for path in FILES:
        for language, code, line in blocks(path):
            if language != "console":
                continue
            command, *output = code.rstrip("\n").split("\n")
            assert re.match(r"\$ (COLUMNS=\d+ )?flask ", command), f"{name(path)}:{line}: {command}"
            cases.append(pytest.param(command[2:], "\n".join(output), id=f"{name(path)}:{line}"))
    return cases


def test_the_documentation_pages_are_found() -> None:
    assert DOCS / "index.md" in PAGES
    assert len(PAGES) >= 10, PAGES


@pytest.mark.parametrize("path", FILES, ids=name)
def test_every_block_is_checked(path: Path) -> None:
    text = path.read_text()
    found = blocks(path)
    fences = sum(1 for line in text.splitlines() if line.startswith("```"))
    assert fences == 2 * len(found), f"{name(path)}: a ``` fence the tests do not read"
    for index, (language, _, line) in enumerate(found):
        if language == "text":
            assert index > 0 and found[index - 1][0] == "python", f"line {line}: orphan output"
        elif language == "{eval-rst}":
            lines = [entry for entry in found[index][1].splitlines() if entry.strip()]
            for entry in lines:
                assert re.fullmatch(r"\.\. auto\w+:: [\w.]+|   :[\w-]+:.*", entry), entry
        else:
            assert language in ("python", "console", "sh"), f"line {line}: {language!r}"


def test_the_pages_with_examples_keep_them() -> None:
    """The pages the reference moved to keep their examples: a page that lost its code
    blocks in a move would otherwise pass silently."""
    with_code = {path.name for path in PAGES if blocks(path)}
    assert {
        "policy.md",
        "errors.md",
        "debugging.md",
        "recipes.md",
        "works-with.md",
        "migrating.md",
        "development.md",
    } <= with_code


def test_readme_starts_with_the_two_commands() -> None:
    language, code, line = blocks(README)[0]
    assert (language, line) == ("sh", 3)
    assert [command.split()[:2] for command in code.splitlines()] == [
        ["make", "example"],
        ["make", "test"],
    ]


@pytest.mark.parametrize("path", FILES, ids=name)
def test_make_targets_exist(path: Path) -> None:
    makefile = (ROOT / "Makefile").read_text()
    for language, code, _ in blocks(path):
        if language != "sh":
            continue
        for command in code.splitlines():
            target = command.split()[1]
            assert re.search(rf"^{target}:", makefile, re.MULTILINE), target


@pytest.mark.parametrize(("path", "code", "expected"), python_cases())
def test_python_block(path: Path, code: str, expected: str | None) -> None:
    output = io.StringIO()
    # A block may set environment variables (as a shell would): they end with it.
    with contextlib.redirect_stdout(output), mock.patch.dict(os.environ):
        exec(compile(code, str(path), "exec"), {"__name__": "readme_example"})
    if expected is not None:
        assert output.getvalue().rstrip() == expected.rstrip()


@pytest.mark.parametrize(("command", "expected"), console_cases())
def test_console_block(command: str, expected: str) -> None:
    words = shlex.split(command)
    # The width the command fits (flask preflight routes): the block's COLUMNS=, else none.
    env = {name: value for name, value in os.environ.items() if name != "COLUMNS"}
    while "=" in words[0]:
        variable, _, value = words.pop(0).partition("=")
        env[variable] = value
    argv = [sys.executable, "-m", "flask", *words[1:]]
    result = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=60, env=env)
    lines = [line.rstrip() for line in result.stdout.rstrip().splitlines()]
    assert lines == expected.splitlines(), result.stderr


def slug(heading: str) -> str:
    """The anchor GitHub and MyST (``myst_heading_anchors``) give a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = FENCE.sub("", path.read_text())
    return {slug(m.group(1)) for m in re.finditer(r"^#{1,3} (.+)$", text, re.MULTILINE)}


@pytest.mark.parametrize("path", FILES, ids=name)
def test_relative_links_point_to_files_and_headings_that_exist(path: Path) -> None:
    broken = []
    for match in LINK.finditer(FENCE.sub("", path.read_text())):
        target = match.group(1) or match.group(2)
        if re.match(r"[a-z]+:", target):
            continue
        file, _, anchor = target.partition("#")
        linked = (path.parent / file).resolve() if file else path
        if not linked.exists():
            broken.append(target)
        elif anchor and anchor not in anchors(linked):
            broken.append(f"{target} (no such heading)")
    assert broken == [], f"{name(path)}: {broken}"


def test_the_readme_links_to_every_page() -> None:
    linked = {m.group(1) for m in LINK.finditer(README.read_text()) if m.group(1)}
    missing = [name(p) for p in PAGES if p.name != "index.md" and name(p) not in linked]
    assert missing == [], f"README.md's Documentation list lacks {missing}"


def test_the_site_includes_the_readmes_quick_start() -> None:
    """docs/index.md includes the README between two markers, so the site's front page is
    the README's pitch, demo and quick start (Sphinx fails if a marker is missing; this
    says which part must stay between them)."""
    index = (DOCS / "index.md").read_text()
    start = re.search(r"^:start-after: (.+)$", index, re.MULTILINE)
    end = re.search(r"^:end-before: (.+)$", index, re.MULTILINE)
    assert start and end
    readme = README.read_text()
    included = readme[readme.index(start.group(1)) : readme.index(end.group(1))]
    assert "## Quick start" in included
    assert "![The two-origin demo in Chromium](docs/demo-chromium.png)" in included


def test_errors_table_is_the_one_the_tests_pin() -> None:
    """The "Errors you may see" page's table and accepted forms are exactly those of
    ``tests/hostile/ERRORS.md``, which ``tests/hostile/test_config.py`` checks against the
    code."""
    marker = "| What you wrote |"
    pinned = (ROOT / "tests" / "hostile" / "ERRORS.md").read_text()
    table = pinned[pinned.index(marker) :]
    page = (DOCS / "errors.md").read_text()
    assert marker in page
    assert page[page.index(marker) :].startswith(table)


def test_cookie_recipe_shows_the_demos_cookie_attributes_and_the_webkit_caveat() -> None:
    """Issue 20, point 5: the cookie-session recipe names every attribute of the demo's
    login cookie and links the WebKit caveat of the browsers page."""
    from examples.spa.api import create_api_app

    page = "http://127.0.0.1:5000"
    response = (
        create_api_app(page)
        .test_client()
        .post("/api/session", json={"user": "ada"}, headers={"Origin": page})
    )
    cookie = response.headers["Set-Cookie"]
    attributes = [part.split("=")[0] for part in cookie.split("; ")[1:] if part != "Path=/"]
    text = (DOCS / "recipes.md").read_text()
    recipe = text[text.index("## A single-page app") : text.index("## A public")]
    assert len(attributes) >= 4, cookie
    for attribute in attributes:
        assert f"`{attribute}" in recipe, attribute
    assert "SameSite=None" in cookie and "`SameSite=None`" in recipe
    assert "(browsers.md#the-defaults-reviewed-against-this-table)" in recipe
    assert "WebKit" in recipe
