"""The documentation site as a reader sees it (issue 20, point 8): on every page that shows
CLI output (a ```console block), no code block scrolls sideways, on a phone (420 px) or a
desktop (1280 px), in each engine. A screenshot of each page and width is kept in
``tests/browser/artifacts/`` (not tracked) to look at.

The site is built by ``make docs`` (CI runs it before ``make test``). The fixture builds it
afresh into a temporary directory when Sphinx is installed (the ``docs`` extra), else uses
``docs/_build/html``; with neither it skips, or fails in CI.
"""

from __future__ import annotations

import functools
import http.server
import importlib.util
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import REPO_ROOT, _in_ci
from .engines import Engine

DOCS = REPO_ROOT / "docs"
ARTIFACTS = Path(__file__).parent / "artifacts"
WIDTHS = (420, 1280)
# The pages showing CLI output: those with a console block.
CLI_PAGES = sorted(path.stem for path in DOCS.glob("*.md") if "```console" in path.read_text())

# Every code block (furo's highlight div and its <pre>) whose content is wider than its box.
_SCROLLING_JS = """() => [...document.querySelectorAll("div.highlight, div.highlight pre")]
  .filter((box) => box.scrollWidth > box.clientWidth + 1)
  .map((box) => `${box.scrollWidth} > ${box.clientWidth}: ${box.textContent.slice(0, 100)}`)"""
_BLOCKS_JS = """() => document.querySelectorAll("div.highlight pre").length"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if importlib.util.find_spec("sphinx") is not None:
        out = tmp_path_factory.mktemp("site")
        build = subprocess.run(
            [sys.executable, "-m", "sphinx", "-E", "-W", "-q", "-b", "html", str(DOCS), str(out)],
            capture_output=True,
            text=True,
        )
        assert build.returncode == 0, build.stdout + build.stderr
        return out
    built = DOCS / "_build" / "html"
    if (built / "index.html").exists():
        return built
    reason = "the documentation site is not built: run `make docs` (or install the docs extra)"
    if _in_ci():
        pytest.fail(f"{reason} (CI is set, so this is a failure)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def site_url(site: Path) -> Iterator[str]:
    """The built site over HTTP (every engine loads http:// the same way)."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(site))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_the_pages_with_cli_output_are_found() -> None:
    assert {"debugging", "policy", "migrating"} <= set(CLI_PAGES), CLI_PAGES


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("page", CLI_PAGES)
def test_no_code_block_scrolls_sideways(
    engine: Engine, site_url: str, page: str, width: int
) -> None:
    tab = engine.new_tab(width=width, height=900)
    try:
        tab.goto(f"{site_url}/{page}.html")
        blocks = tab.call(_BLOCKS_JS)
        scrolling = tab.call(_SCROLLING_JS)
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / f"docs-{page}-{width}px-{engine.name}.png").write_bytes(tab.screenshot())
    finally:
        tab.close()
    assert blocks > 0, f"{page}.html shows no code block"
    assert scrolling == [], f"{page}.html at {width}px: code blocks scroll sideways: {scrolling}"


def test_the_api_page_shows_the_policy_options_with_their_types(site: Path) -> None:
    text = (site / "api.html").read_text()
    assert "PolicyOptions" in text
    for name in ("origins", "credentials", "max_age", "dangerously_tolerate"):
        assert f'id="flask_preflight.PolicyOptions.{name}"' in text, name
