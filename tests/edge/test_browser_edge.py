"""The demo's preflight scenarios in Chromium, straight to the app and through nginx with
the exported configuration: the page sees the same outcome both ways, and through nginx
no preflight reaches the app (the demo's traffic counter says so)."""

from __future__ import annotations

import http.client
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from ..browser.engines import launch, missing
from ..browser.harness import BrowserClient, LiveServer, new_token
from .apps import PAGE_ORIGIN_ENV
from .harness import export, gunicorn, nginx
from .test_nginx_differential import require_nginx

FACTORY = "tests.edge.apps:demo_api_for_page"
JSON = {"Content-Type": "application/json"}

# (scenario, path, fetch() init, the page reads the response)
SCENARIOS: list[tuple[str, str, dict[str, Any], bool]] = [
    (
        "PATCH with a JSON body (gunicorn refuses a lowercase method on the actual request)",
        "/api/profile",
        {"method": "PATCH", "headers": JSON, "body": "{}"},
        True,
    ),
    ("POST with a JSON body", "/api/echo", {"method": "POST", "headers": JSON, "body": "{}"}, True),
    (
        "credentials",
        "/api/session",
        {"method": "POST", "headers": JSON, "body": "{}", "credentials": "include"},
        True,
    ),
    ("a custom header", "/api/hello", {"headers": {"X-Anything": "1"}}, True),
    ("a method the URL does not accept", "/api/hello", {"method": "DELETE"}, False),
    ("no CORS on the route", "/internal/metrics", {"headers": {"X-Anything": "1"}}, False),
    # The API blueprint owns its unknown URLs: the 404 is readable.
    ("an unknown URL under the API", "/api/nothing", {"method": "PUT"}, True),
    ("an unknown URL outside the API", "/nothing", {"method": "PUT"}, False),
]


def _preflights(app_port: int, token: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", app_port, timeout=10)
    connection.request("GET", f"/api/traffic?token={token}")
    counts = json.loads(connection.getresponse().read())
    connection.close()
    return int(counts["preflights"])


@pytest.fixture(scope="module")
def chromium_page() -> Iterator[tuple[BrowserClient, str]]:
    reason = missing("chromium")
    if reason is not None:
        if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
            pytest.fail(f"chromium: {reason} (CI is set, so this is a failure)")
        pytest.skip(f"chromium: {reason}")
    page = LiveServer("127.0.0.1")
    site = Flask("edge_page")
    site.add_url_rule("/", "index", lambda: "<!doctype html><title>page</title>")
    site.add_url_rule("/favicon.ico", "favicon", lambda: ("", 204))
    page.install(site)
    engine = launch("chromium")
    tab = engine.new_tab()
    tab.goto(page.origin + "/")
    try:
        yield BrowserClient(tab), page.origin
    finally:
        tab.close()
        engine.close()
        page.stop()


def test_the_demos_preflights_in_chromium_through_nginx(
    chromium_page: tuple[BrowserClient, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    require_nginx()
    client, page_origin = chromium_page
    monkeypatch.setenv(PAGE_ORIGIN_ENV, page_origin)
    with gunicorn(FACTORY) as app_port, tempfile.TemporaryDirectory() as tmp:
        export(FACTORY, f"http://127.0.0.1:{app_port}", Path(tmp))
        with nginx(Path(tmp)) as edge_port:
            for name, path, init, readable in SCENARIOS:
                outcomes = []
                for port in (app_port, edge_port):
                    token = new_token()
                    result = client.fetch(f"http://127.0.0.1:{port}{path}?t={token}", **init)
                    outcomes.append((result.resolved, result.status))
                    assert result.resolved == readable, (
                        name,
                        port,
                        page_origin,
                        app_port,
                        "\n".join(result.console),
                    )
                    # A preflight was sent; through nginx, it never reached the app.
                    assert _preflights(app_port, token) == (1 if port == app_port else 0), name
                assert outcomes[0] == outcomes[1], name
