"""Fixtures for the real-browser suite: every scenario runs in Chromium, Firefox and WebKit.

``engine`` is parametrised over the three engines and package-scoped, so pytest groups the
tests by engine and each browser is launched once (and closed before the next one starts).
The servers are shared by all engines; every scenario uses fresh URLs (a ``t=<token>`` query).

An engine missing: its tests skip on a developer's machine, saying which ``apt-get install``
brings it, and fail when ``CI`` is set. ``PREFLIGHT_ENGINES=firefox,webkit`` limits a local
run to some engines (CI runs all three).

The fixtures are package-scoped, not session-scoped, on purpose: Playwright's sync API keeps an
asyncio loop marked as running in the main thread while it is open, which breaks any later test
that runs async code (for example a Flask ``async def`` view through asgiref).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import pytest

from .edge import EXCLUDED, EdgeOrigin, edge_origin, excluded_reason
from .engines import (
    ENGINES,
    FIREFOX_STRICT_AUTHORIZATION,
    Engine,
    FirefoxEngine,
    install_hint,
    launch,
    missing,
)
from .expectations import EXPECT, Expectations
from .harness import BrowserClient, FetchResult, LiveServer, RequestLog, Traffic, new_token

# `examples.spa` lives at the repository root, which plain `pytest` does not put on sys.path.
REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

#: Seconds each engine's tests took (launch included), printed at the end of the run.
TIMINGS: dict[str, list[float]] = {}

#: The engines that also run the conformance scenarios through nginx (edge.py).
EDGE_ENGINES = ("chromium",)
#: Where the API origin is: the app itself, or nginx with the exported configuration in front.
VIAS = ("direct", "nginx")
#: (preflights nginx answered itself, preflights it received), printed at the end of the run.
EDGE_SHARE: list[tuple[int, int]] = []


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _selected() -> tuple[str, ...]:
    chosen = os.environ.get("PREFLIGHT_ENGINES", "").strip()
    if not chosen or _in_ci():
        return ENGINES
    names = tuple(name.strip() for name in chosen.split(",") if name.strip())
    unknown = set(names) - set(ENGINES)
    if unknown:
        raise pytest.UsageError(f"PREFLIGHT_ENGINES: unknown engine(s) {sorted(unknown)}")
    return names


def unavailable(name: str, reason: str) -> NoReturn:
    """Skip on a developer's machine; in CI a missing browser is a failure, never a skip."""
    hint = install_hint(name)
    if _in_ci():
        pytest.fail(f"{name}: {reason} (CI is set, so this is a failure; install: {hint})")
    pytest.skip(f"{name}: {reason}; install it with: {hint}")


def start_engine(name: str, **options: Any) -> Engine:
    reason = missing(name)
    if reason is not None:
        unavailable(name, reason)
    try:
        return launch(name, **options)
    except ImportError as error:  # pragma: no cover - the drivers are in the test extra
        unavailable(name, f"the Python driver is missing ({error}); pip install -e '.[test]'")


@pytest.hookimpl(tryfirst=True)
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """The conformance scenarios run in every engine straight to the app, and in
    EDGE_ENGINES through nginx as well: ``engine`` and ``via`` are parametrised together
    (before the fixtures' own params are read, so ``engine``'s are not applied twice)."""
    if metafunc.module.__name__.rpartition(".")[2] != "test_conformance":
        return
    if "env" not in metafunc.fixturenames:
        return
    combos = [pytest.param((name, "direct"), name, id=name) for name in _selected()]
    combos += [
        pytest.param((name, "nginx"), name, id=f"{name}-nginx")
        for name in _selected()
        if name in EDGE_ENGINES
    ]
    # `via`'s value names the engine too: pytest groups tests by equal parameter values,
    # and a bare "direct" shared by all engines would make it launch an engine twice.
    metafunc.definition.add_marker(
        pytest.mark.parametrize(("via", "engine"), combos, indirect=True, scope="package")
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Scenarios edge.EXCLUDED keeps out of the nginx variant: deselected, and listed with
    their reasons in the run's summary."""
    kept, dropped = [], []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        via = params.get("via", ("", "direct"))[1]
        name = getattr(item, "originalname", item.name)
        if via == "nginx" and excluded_reason(name, params) is not None:
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="package")
def via(request: pytest.FixtureRequest) -> str:
    """ "direct" (the API app's own servers) or "nginx" (nginx in front of them); the
    parameter is (engine, that)."""
    return str(getattr(request, "param", ("", "direct"))[1])


@pytest.fixture(scope="package", params=_selected())
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    started = time.monotonic()
    launched = start_engine(str(request.param))
    yield launched
    launched.close()
    TIMINGS.setdefault(launched.name, []).append(time.monotonic() - started)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for name, spans in TIMINGS.items():
        launches = len(spans)
        terminalreporter.write_line(
            f"browser {name}: {launches} launch{'es' if launches != 1 else ''}, "
            f"{sum(spans):.1f} s from launch to close"
        )
    for at_edge, received in EDGE_SHARE:
        terminalreporter.write_line(
            f"through nginx: {at_edge} of {received} preflights to Flask routes answered by "
            f"nginx itself ({at_edge / max(received, 1):.0%}), {received - at_edge} reached the app"
        )
    if EDGE_SHARE:
        for function, params, reason in EXCLUDED:
            shown = f"{function}{params or ''}"
            terminalreporter.write_line(f"not run through nginx: {shown}: {reason}")


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


@dataclass
class Servers:
    page_origin: str  # http://127.0.0.1:<p1>: where every fetch() comes from
    sibling_origin: str  # a second page origin, same site as page_origin (shares its HTTP cache)
    cross_site: str  # http://localhost:<p2>: another origin and another site
    same_site: str  # http://127.0.0.1:<p3>: another origin, same site (cookies work)
    log: RequestLog
    api: Any = None  # the API Flask app (what the nginx variant exports)
    edge: EdgeOrigin | None = None  # nginx's record, when nginx is the API origin


@pytest.fixture(scope="package")
def servers() -> Iterator[Servers]:
    from werkzeug.middleware.dispatcher import DispatcherMiddleware

    from .api_app import create_api_app, raw_control_app

    page, sibling = _serve_page(), _serve_page()
    api = create_api_app(page.origin, sibling.origin)
    log = RequestLog(DispatcherMiddleware(api, {"/raw": raw_control_app}))
    # One API app behind two sockets. The cross-site one is reached as localhost; both bind
    # 127.0.0.1, which every engine reaches for `localhost` too.
    cross_site = LiveServer("127.0.0.1", url_host="localhost")
    same_site = LiveServer("127.0.0.1")
    cross_site.install(log)
    same_site.install(log)
    yield Servers(page.origin, sibling.origin, cross_site.origin, same_site.origin, log, api)
    for server in (cross_site, same_site, page, sibling):
        server.stop()


@dataclass
class Env:
    """Everything a scenario needs: URLs, fetch() in the page, the server's request log, and
    what this engine is expected to do where engines differ."""

    engine: str
    expect: Expectations
    page_origin: str
    sibling_origin: str
    cross_site: str
    same_site: str
    client: BrowserClient
    log: RequestLog
    #: nginx's record when nginx is the API origin (the "nginx" variant, edge.py).
    edge: EdgeOrigin | None = None

    def url(self, path: str, base: str | None = None) -> tuple[str, str]:
        """A fresh URL for ``path`` (new token: a URL the preflight cache has never seen)."""
        token = new_token()
        sep = "&" if "?" in path else "?"
        return f"{base or self.cross_site}{path}{sep}t={token}", token

    def fetch(self, url: str, *, in_frame: str | None = None, **init: Any) -> FetchResult:
        return self.client.fetch(url, in_frame=in_frame, **init)

    def traffic(self, token: str) -> Traffic:
        """What the API origin received: the app's log, or nginx's merged with it."""
        if self.edge is not None:
            return self.edge.traffic(token)
        return self.log.traffic(token)


def make_env(engine: Engine, servers: Servers, expect: Expectations) -> tuple[Env, Any]:
    tab = engine.new_tab()
    tab.goto(servers.page_origin + "/")
    env = Env(
        engine=engine.name,
        expect=expect,
        page_origin=servers.page_origin,
        sibling_origin=servers.sibling_origin,
        cross_site=servers.cross_site,
        same_site=servers.same_site,
        client=BrowserClient(tab),
        log=servers.log,
        edge=servers.edge,
    )
    return env, tab


@pytest.fixture(scope="package")
def edge_servers(servers: Servers) -> Iterator[Servers]:
    """The same API app and log, with nginx in front (the exported configuration) as the
    cross-site and same-site origins. One nginx for the whole package."""
    from ..edge.test_nginx_differential import require_nginx

    require_nginx()
    with edge_origin(servers.api, servers.log, servers.same_site) as (edge, second):
        yield Servers(
            servers.page_origin,
            servers.sibling_origin,
            f"http://localhost:{edge.port}",
            f"http://127.0.0.1:{second}",
            servers.log,
            servers.api,
            edge,
        )
        at_edge, received = edge.share()
        EDGE_SHARE.append((at_edge, received))
        assert at_edge > 0, f"nginx answered none of the {received} preflights itself"


@pytest.fixture(scope="package")
def env(
    engine: Engine, servers: Servers, via: str, request: pytest.FixtureRequest
) -> Iterator[Env]:
    if via == "nginx":
        servers = request.getfixturevalue("edge_servers")
    made, tab = make_env(engine, servers, EXPECT[engine.name])
    yield made
    tab.close()


@pytest.fixture(scope="module")
def strict_firefox_env(servers: Servers) -> Iterator[Env]:
    """Firefox with `network.cors_preflight.authorization_covered_by_wildcard=false`: it then
    follows the Fetch rule that `Access-Control-Allow-Headers: *` does not cover Authorization.
    A second Firefox process, for the scenarios that need that switch only."""
    if "firefox" not in _selected():
        pytest.skip("PREFLIGHT_ENGINES leaves Firefox out")
    started = time.monotonic()
    launched = start_engine("firefox", prefs=FIREFOX_STRICT_AUTHORIZATION)
    assert isinstance(launched, FirefoxEngine)
    made, tab = make_env(launched, servers, EXPECT["firefox-strict"])
    yield made
    tab.close()
    launched.close()
    TIMINGS.setdefault("firefox-strict", []).append(time.monotonic() - started)
