"""Fixtures for the real-browser suite: one Chromium and one set of servers for the package.

Chromium missing: the tests skip on a developer's machine, and fail when ``CI`` is set.

The fixtures are package-scoped, not session-scoped, on purpose: Playwright's sync API keeps an
asyncio loop marked as running in the main thread while it is open, which breaks any later test
that runs async code (for example a Flask ``async def`` view through asgiref).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

from .harness import (
    CHROMIUM_ARGS,
    BrowserClient,
    FetchResult,
    LiveServer,
    RequestLog,
    Traffic,
    new_token,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = Path(os.environ.get("PREFLIGHT_CHROMIUM", "/usr/bin/chromium"))
INSTALL_HINT = "apt-get install -y chromium"

# `examples.spa` lives at the repository root, which plain `pytest` does not put on sys.path.
REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _unavailable(reason: str) -> NoReturn:
    """Skip on a developer's machine; in CI a missing browser is a failure, never a skip."""
    if _in_ci():
        pytest.fail(f"{reason} (CI is set, so this is a failure; install: {INSTALL_HINT})")
    pytest.skip(f"{reason}; install it with: {INSTALL_HINT}")


@pytest.fixture(scope="package")
def chromium() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        _unavailable(f"real-browser tests need Chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is in the test extra
        _unavailable("real-browser tests need the playwright package (pip install playwright)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _serve_page() -> LiveServer:
    """A blank page for fetch() to run in, on its own port of 127.0.0.1."""
    from flask import Flask

    server = LiveServer("127.0.0.1")
    app = Flask("browser_page")

    @app.get("/")
    def index() -> str:
        return "<!doctype html><title>page</title><p>fetch() runs here</p>"

    @app.get("/favicon.ico")
    def favicon() -> tuple[str, int]:
        return "", 204

    server.install(app)
    return server


@pytest.fixture(scope="package")
def page_server() -> Iterator[LiveServer]:
    """Serves the page whose origin every fetch() comes from: http://127.0.0.1:<p1>."""
    server = _serve_page()
    yield server
    server.stop()


@pytest.fixture(scope="package")
def sibling_server() -> Iterator[LiveServer]:
    """Another page origin on the same site (http://127.0.0.1:<p4>), loaded in an iframe."""
    server = _serve_page()
    yield server
    server.stop()


@dataclass
class Env:
    """Everything a scenario needs: URLs, fetch() in the page, and the server's request log."""

    page_origin: str
    sibling_origin: str  # a second page origin, same site as page_origin (shares its HTTP cache)
    cross_site: str  # http://localhost:<p2>: another origin and another site
    same_site: str  # http://127.0.0.1:<p3>: another origin, same site (cookies work)
    client: BrowserClient
    log: RequestLog

    def url(self, path: str, base: str | None = None) -> tuple[str, str]:
        """A fresh URL for ``path`` (new token: a URL the preflight cache has never seen)."""
        token = new_token()
        sep = "&" if "?" in path else "?"
        return f"{base or self.cross_site}{path}{sep}t={token}", token

    def fetch(self, url: str, *, in_frame: str | None = None, **init: Any) -> FetchResult:
        return self.client.fetch(url, in_frame=in_frame, **init)

    def traffic(self, token: str) -> Traffic:
        return self.log.traffic(token)


@pytest.fixture(scope="package")
def blank_page(chromium: Browser, page_server: LiveServer) -> Iterator[Page]:
    context = chromium.new_context()
    opened = context.new_page()
    opened.goto(page_server.origin + "/")
    yield opened
    context.close()


@pytest.fixture(scope="package")
def env(blank_page: Page, page_server: LiveServer, sibling_server: LiveServer) -> Iterator[Env]:
    from .api_app import create_api_app

    log = RequestLog(create_api_app(page_server.origin, sibling_server.origin))
    # One API app behind two sockets. The cross-site one is reached as localhost; both bind
    # 127.0.0.1, which Chromium reaches for `localhost` too.
    cross_site = LiveServer("127.0.0.1", url_host="localhost")
    same_site = LiveServer("127.0.0.1")
    cross_site.install(log)
    same_site.install(log)
    yield Env(
        page_origin=page_server.origin,
        sibling_origin=sibling_server.origin,
        cross_site=cross_site.origin,
        same_site=same_site.origin,
        client=BrowserClient(blank_page),
        log=log,
    )
    cross_site.stop()
    same_site.stop()
