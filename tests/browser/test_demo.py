"""The two-origin demo (``examples/spa``), clicked through in every engine.

Set ``UPDATE_SCREENSHOT=1`` to rewrite ``docs/demo-<engine>.png`` (the README's and
docs/browsers.md's screenshots); otherwise each screenshot is only checked to be a PNG of
the whole page.

The page is driven with plain DOM calls run by the engine (``Tab.call``), so the same steps
work over Playwright, WebDriver BiDi and WebDriver classic alike.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from examples.spa import start

from .conftest import REPO_ROOT
from .engines import Engine, Tab
from .expectations import EXPECT

if TYPE_CHECKING:
    from examples.spa import DemoServers

WIDTH, HEIGHT = 1240, 900
CARDS = ("simple-get", "json-post", "credentials", "patch", "no-cors", "error")

_WAIT_JS = """
async ([selector, timeout]) => {
  const end = Date.now() + timeout;
  while (!document.querySelector(selector)) {
    if (Date.now() > end) throw new Error("timed out waiting for " + selector);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return true;
}
"""

# Errors thrown by the page from now on are kept in window.__demoErrors (the page sets
# data-ready only after a clean start, so errors before that show up as a wait timeout).
_WATCH_ERRORS_JS = """
() => {
  window.__demoErrors = [];
  addEventListener("error", (e) => window.__demoErrors.push(String(e.message)));
  addEventListener("unhandledrejection", (e) => window.__demoErrors.push(String(e.reason)));
  return true;
}
"""

_CLICK_JS = """
(selector) => { document.querySelector(selector).click(); return true; }
"""

_TEXTS_JS = """
(selector) => Array.from(document.querySelectorAll(selector), (node) => node.innerText.trim())
"""


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoServers]:
    servers = start(page_port=0, api_port=0, quiet=True)
    yield servers
    servers.stop()


def wait_for(tab: Tab, selector: str, timeout_ms: int = 10_000) -> None:
    tab.call(_WAIT_JS, [selector, timeout_ms])


def open_demo(engine: Engine, url: str) -> Tab:
    """A new tab (fresh cookies and preflight cache where the engine allows) on the demo."""
    tab = engine.new_tab(WIDTH, HEIGHT)
    tab.goto(url)
    wait_for(tab, "body[data-ready=true]")
    tab.call(_WATCH_ERRORS_JS)
    return tab


def page_errors(tab: Tab) -> list[str]:
    errors: list[str] = tab.call("() => window.__demoErrors")
    return errors


@pytest.fixture
def demo_page(engine: Engine, demo: DemoServers) -> Iterator[Tab]:
    tab = open_demo(engine, demo.page_url)
    yield tab
    errors = page_errors(tab)
    tab.close()
    assert errors == [], f"JavaScript errors on the demo page: {errors}"


def click(tab: Tab, name: str) -> None:
    """Click one card's button and wait for the card to show that click's result."""
    runs = int(attribute(tab, f"#{name}", "data-runs") or 0)
    tab.call(_CLICK_JS, f"button[data-run='{name}']")
    wait_for(tab, f"#{name}[data-runs='{runs + 1}']")


def attribute(tab: Tab, selector: str, name: str) -> Any:
    return tab.call("([s, n]) => document.querySelector(s).getAttribute(n)", [selector, name])


def inner_text(tab: Tab, selector: str) -> str:
    (text,) = tab.call(_TEXTS_JS, selector)
    return str(text)


def texts(tab: Tab, name: str, field: str) -> list[str]:
    found: list[str] = tab.call(_TEXTS_JS, f"#{name} dd.{field}")
    # innerText of a <dd> holding a <small>: engines differ in the line break before it.
    return [text.split("\n")[0].strip() for text in found]


def test_demo_origins_come_from_the_server(demo_page: Tab, demo: DemoServers) -> None:
    assert inner_text(demo_page, "#api-origin") == demo.api_url.rstrip("/")
    assert inner_text(demo_page, "#page-origin") == demo.page_url.rstrip("/")
    assert demo.page_url.startswith("http://127.0.0.1:")
    assert demo.api_url.startswith("http://localhost:")


def test_every_demo_button_shows_what_the_browser_saw(demo_page: Tab) -> None:
    page = demo_page
    expect = EXPECT[page.engine]

    click(page, "simple-get")
    assert attribute(page, "#simple-get", "data-outcome") == "ok"
    assert texts(page, "simple-get", "preflight") == ["no: a simple request, sent directly"]
    assert texts(page, "simple-get", "server") == ["received 1 request"]
    (response,) = tab_texts_full(page, "simple-get", "response")
    assert response.startswith("200 OK") and "Hello from the API" in response
    assert "readable header x-served-by: flask-preflight-demo" in response

    click(page, "json-post")
    assert attribute(page, "#json-post", "data-outcome") == "ok"
    assert texts(page, "json-post", "preflight") == ["yes: 1 OPTIONS before the request"]
    (response,) = texts(page, "json-post", "response")
    assert response.startswith("200 OK") and '{"you_sent":{"hello":"world"}}' in response
    # Same URL again: every engine reuses the cached preflight (max_age=600).
    click(page, "json-post")
    assert texts(page, "json-post", "preflight") == ["no: the browser reused its cached preflight"]
    assert texts(page, "json-post", "server") == ["received 1 request"]

    click(page, "credentials")
    assert texts(page, "credentials", "preflight") == [
        "yes: 1 OPTIONS before the request",
        "no: a simple request, sent directly",
    ]
    login, me = texts(page, "credentials", "response")
    assert login.startswith("200 OK") and '{"logged_in":"ada"}' in login
    if expect.partitioned_cookie_cross_site:
        assert attribute(page, "#credentials", "data-outcome") == "ok"
        assert me.startswith("200 OK") and '"user":"ada"' in me
    else:
        # The session cookie is a third-party cookie (API on localhost, page on 127.0.0.1):
        # WebKit never sends it back, so the API answers a readable 401.
        assert inner_text(page, "#credentials .badge") == "error response, readable"
        assert me.startswith("401 UNAUTHORIZED") and "not logged in" in me

    click(page, "patch")
    assert attribute(page, "#patch", "data-outcome") == "ok"
    (request,) = texts(page, "patch", "request")
    assert request.startswith("patch http://localhost:")
    assert texts(page, "patch", "preflight") == ["yes: 1 OPTIONS before the request"]
    (response,) = texts(page, "patch", "response")
    assert response.startswith("200 OK") and '"method_on_the_wire":"patch"' in response

    click(page, "no-cors")
    assert attribute(page, "#no-cors", "data-outcome") == "failed"
    assert inner_text(page, "#no-cors .badge") == "blocked by the browser"
    assert texts(page, "no-cors", "server") == ["received 1 request"]
    (failure,) = texts(page, "no-cors", "failed")
    assert failure == expect.fetch_error

    click(page, "error")
    assert attribute(page, "#error", "data-outcome") == "ok"
    assert inner_text(page, "#error .badge") == "error response, readable"
    (response,) = texts(page, "error", "response")
    assert response.startswith("404 NOT FOUND") and "order 404 does not exist" in response


def tab_texts_full(tab: Tab, name: str, field: str) -> list[str]:
    """Like texts(), with the <small> line (readable headers) joined in."""
    found: list[str] = tab.call(_TEXTS_JS, f"#{name} dd.{field}")
    return [" ".join(part.strip() for part in text.splitlines() if part.strip()) for text in found]


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(b"\x89PNG\r\n\x1a\n"), "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def test_demo_screenshot(engine: Engine, demo: DemoServers) -> None:
    update = os.environ.get("UPDATE_SCREENSHOT") == "1"
    # The README's and docs/browsers.md's pictures show the URLs `python -m examples.spa`
    # prints: default ports.
    servers = start(quiet=True) if update else demo
    tab = open_demo(engine, servers.page_url)
    try:
        tab.call(_CLICK_JS, "#run-all")
        for name in CARDS:
            wait_for(tab, f"#{name}[data-state=done]")
        wait_for(tab, "#run-all:enabled")
        errors = page_errors(tab)
        data = tab.screenshot()
    finally:
        tab.close()
        if servers is not demo:
            servers.stop()
    assert errors == [], f"JavaScript errors on the demo page: {errors}"
    width, height = png_size(data)
    assert len(data) > 10_000 and width >= WIDTH - 20 and height >= 600, (width, height)
    if update:
        (REPO_ROOT / "docs" / f"demo-{engine.name}.png").write_bytes(data)
