"""The two-origin demo (``examples/spa``), clicked through in real Chromium.

Set ``UPDATE_SCREENSHOT=1`` to rewrite ``docs/demo.png`` (the README's screenshot); otherwise
the screenshot goes to a temporary file and is only checked to be a PNG.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from examples.spa import start

from .conftest import REPO_ROOT

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

    from examples.spa import DemoServers

SCREENSHOT = REPO_ROOT / "docs" / "demo.png"


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoServers]:
    servers = start(page_port=0, api_port=0, quiet=True)
    yield servers
    servers.stop()


def open_demo(chromium: Browser, url: str) -> tuple[BrowserContext, Page, list[str]]:
    """A fresh context (no cookies, empty preflight cache) with the demo's front page open."""
    context = chromium.new_context(viewport={"width": 1240, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    page.wait_for_selector("body[data-ready=true]", timeout=10_000)
    return context, page, errors


@pytest.fixture
def demo_page(chromium: Browser, demo: DemoServers) -> Iterator[Page]:
    context, page, errors = open_demo(chromium, demo.page_url)
    yield page
    context.close()
    assert errors == [], f"JavaScript errors on the demo page: {errors}"


def click(page: Page, name: str) -> None:
    """Click one card's button and wait for the card to show that click's result."""
    runs = int(page.get_attribute(f"#{name}", "data-runs") or 0)
    page.click(f"button[data-run='{name}']")
    page.wait_for_selector(f"#{name}[data-runs='{runs + 1}']", timeout=10_000)


def texts(page: Page, name: str, field: str) -> list[str]:
    return page.locator(f"#{name} dd.{field}").all_inner_texts()


def test_demo_origins_come_from_the_server(demo_page: Page, demo: DemoServers) -> None:
    assert demo_page.inner_text("#api-origin") == demo.api_url.rstrip("/")
    assert demo_page.inner_text("#page-origin") == demo.page_url.rstrip("/")
    assert demo.page_url.startswith("http://127.0.0.1:")
    assert demo.api_url.startswith("http://localhost:")


def test_every_demo_button_shows_what_the_browser_saw(demo_page: Page) -> None:
    page = demo_page

    click(page, "simple-get")
    assert page.get_attribute("#simple-get", "data-outcome") == "ok"
    assert texts(page, "simple-get", "preflight") == ["no: a simple request, sent directly"]
    assert texts(page, "simple-get", "server") == ["received 1 request"]
    (response,) = texts(page, "simple-get", "response")
    assert response.startswith("200 OK") and "Hello from the API" in response
    assert "readable header x-served-by: flask-preflight-demo" in response

    click(page, "json-post")
    assert page.get_attribute("#json-post", "data-outcome") == "ok"
    assert texts(page, "json-post", "preflight") == ["yes: 1 OPTIONS before the request"]
    (response,) = texts(page, "json-post", "response")
    assert response.startswith("200 OK") and '{"you_sent":{"hello":"world"}}' in response
    # Same URL again: Chromium reuses the cached preflight (max_age=600).
    click(page, "json-post")
    assert texts(page, "json-post", "preflight") == ["no: the browser reused its cached preflight"]
    assert texts(page, "json-post", "server") == ["received 1 request"]

    click(page, "credentials")
    assert page.get_attribute("#credentials", "data-outcome") == "ok"
    assert texts(page, "credentials", "preflight") == [
        "yes: 1 OPTIONS before the request",
        "no: a simple request, sent directly",
    ]
    login, me = texts(page, "credentials", "response")
    assert login.startswith("200 OK") and '{"logged_in":"ada"}' in login
    assert me.startswith("200 OK") and '"user":"ada"' in me

    click(page, "patch")
    assert page.get_attribute("#patch", "data-outcome") == "ok"
    (request,) = texts(page, "patch", "request")
    assert request.startswith("patch http://localhost:")
    assert texts(page, "patch", "preflight") == ["yes: 1 OPTIONS before the request"]
    (response,) = texts(page, "patch", "response")
    assert response.startswith("200 OK") and '"method_on_the_wire":"patch"' in response

    click(page, "no-cors")
    assert page.get_attribute("#no-cors", "data-outcome") == "failed"
    assert page.inner_text("#no-cors .badge") == "blocked by the browser"
    assert texts(page, "no-cors", "server") == ["received 1 request"]
    (failure,) = texts(page, "no-cors", "failed")
    assert failure.startswith("TypeError: Failed to fetch")

    click(page, "error")
    assert page.get_attribute("#error", "data-outcome") == "ok"
    assert page.inner_text("#error .badge") == "error response, readable"
    (response,) = texts(page, "error", "response")
    assert response.startswith("404 NOT FOUND") and "order 404 does not exist" in response


def test_demo_screenshot(chromium: Browser, demo: DemoServers, tmp_path: Path) -> None:
    update = os.environ.get("UPDATE_SCREENSHOT") == "1"
    # The README's picture shows the URLs `python -m examples.spa` prints: default ports.
    servers = start(quiet=True) if update else demo
    context, page, errors = open_demo(chromium, servers.page_url)
    try:
        page.click("#run-all")
        for name in ("simple-get", "json-post", "credentials", "patch", "no-cors", "error"):
            page.wait_for_selector(f"#{name}[data-state=done]", timeout=10_000)
        page.wait_for_selector("#run-all:enabled")
        target = SCREENSHOT if update else tmp_path / "demo.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(target), full_page=True)
    finally:
        context.close()
        if servers is not demo:
            servers.stop()
    assert errors == [], f"JavaScript errors on the demo page: {errors}"
    data = target.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000
