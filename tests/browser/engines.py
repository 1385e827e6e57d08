"""The three browser engines the suite runs in, behind one small interface.

- **Chromium**: Debian's ``chromium``, driven by Playwright over CDP (as before).
- **Firefox**: Debian's ``firefox-esr``, driven by its built-in WebDriver BiDi server
  (``--remote-debugging-port``) through a small websocket client below. No geckodriver and no
  other third-party binary: Playwright's Firefox needs Playwright's own Firefox build, and the
  only geckodriver on PyPI is a third-party repackage.
- **WebKit**: Debian's ``webkit2gtk-driver`` (``WebKitWebDriver``, which launches WebKitGTK's
  MiniBrowser), driven by Selenium's ``webdriver.WebKitGTK``. MiniBrowser has no headless mode,
  so it runs under a private Xvfb display started and stopped with the engine.

Every engine gives :class:`Tab` objects that run an ``async`` JavaScript function in a page
(or in one of its iframes) and return its JSON result. One engine object is one browser
process; the fixtures make one per engine per test session.

Nothing here knows about CORS; the expectations that differ by engine are in
``expectations.py``.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import warnings
from abc import ABC, abstractmethod
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright
    from selenium.webdriver import WebKitGTK
    from websockets.sync.client import ClientConnection

#: Engine names, in the order the suite runs them.
ENGINES = ("chromium", "firefox", "webkit")

#: Where each engine's browser is, and the Debian packages that install it.
BINARIES = {
    "chromium": Path(os.environ.get("PREFLIGHT_CHROMIUM", "/usr/bin/chromium")),
    "firefox": Path(os.environ.get("PREFLIGHT_FIREFOX", "/usr/bin/firefox-esr")),
    "webkit": Path(os.environ.get("PREFLIGHT_WEBKITDRIVER", "/usr/bin/WebKitWebDriver")),
}
XVFB = Path(os.environ.get("PREFLIGHT_XVFB", "/usr/bin/Xvfb"))
PACKAGES = {
    "chromium": "chromium",
    "firefox": "firefox-esr",
    "webkit": "webkit2gtk-driver xvfb",
}

#: Flags every Chromium launch uses. Without the background-networking ones Chromium keeps
#: trying to reach Google's hosts, which this machine's closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    # Stock Chromium lets `Access-Control-Allow-Headers: *` cover `Authorization`, against the
    # Fetch Standard (in a CORS-preflight fetch, `*` never covers `Authorization`). With this
    # feature on it follows the spec, so the Authorization scenarios fail if the server
    # answers a literal `*`.
    "--enable-features=CorsNonWildcardRequestHeadersSupport",
]

#: Firefox preferences for every launch (written to the fresh profile's user.js). The remote
#: agent applies its own "recommended" automation prefs on top (no updates, no telemetry...).
FIREFOX_PREFS: dict[str, object] = {
    "browser.shell.checkDefaultBrowser": False,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "browser.safebrowsing.update.enabled": False,
    "extensions.getAddons.cache.enabled": False,
    "media.gmp-manager.url": "",
}

#: The Fetch-strict switch: `Access-Control-Allow-Headers: *` no longer covers Authorization.
FIREFOX_STRICT_AUTHORIZATION = {"network.cors_preflight.authorization_covered_by_wildcard": False}

#: Wraps a one-argument async function so that every engine passes JSON in and out.
_WRAP = "(json) => Promise.resolve(({fn})(JSON.parse(json))).then((r) => JSON.stringify(r ?? null))"


def missing(name: str) -> str | None:
    """Why engine ``name`` cannot run here, or None when everything it needs is installed."""
    needed = [BINARIES[name]] + ([XVFB] if name == "webkit" else [])
    absent = [str(path) for path in needed if not path.exists()]
    return f"needs {', '.join(absent)}" if absent else None


def install_hint(name: str) -> str:
    return f"apt-get install -y {PACKAGES[name]}"


class Tab(ABC):
    """One page of an engine."""

    engine: str

    @abstractmethod
    def goto(self, url: str) -> None:
        """Load ``url`` and wait for its load event."""

    @abstractmethod
    def _call_json(self, wrapped: str, arg: str, frame: str | None) -> str: ...

    def call(self, fn: str, arg: Any = None, *, frame: str | None = None) -> Any:
        """Run ``fn`` (JavaScript source of a one-argument, possibly async, function) with the
        JSON value ``arg`` in the page, or in its iframe showing origin ``frame``."""
        return json.loads(self._call_json(_WRAP.format(fn=fn), json.dumps(arg), frame))

    @abstractmethod
    def screenshot(self) -> bytes:
        """A PNG of the whole page."""

    def console(self) -> list[str]:
        """Console messages so far (Chromium only; the others return none)."""
        return []

    @abstractmethod
    def close(self) -> None: ...


class Engine(ABC):
    """One running browser process."""

    name: str

    @abstractmethod
    def new_tab(self, width: int = 1240, height: int = 900) -> Tab:
        """A page with fresh cookies where the engine allows it (see WebKitEngine)."""

    @abstractmethod
    def close(self) -> None: ...


_ADD_IFRAME_JS = """
(src) => new Promise((resolve, reject) => {
  const frame = document.createElement("iframe");
  frame.src = src;
  frame.onload = () => resolve(true);
  frame.onerror = () => reject(new Error("iframe failed to load: " + src));
  document.body.append(frame);
})
"""


def _ensure_frame(tab: Tab, origin: str, find: Callable[[], Any]) -> Any:
    """The iframe of ``tab`` showing ``origin + "/"``, added on first use."""
    for _ in range(2):
        found = find()
        if found is not None:
            return found
        tab.call(_ADD_IFRAME_JS, origin + "/")
    raise AssertionError(f"no iframe for {origin}")


# -- Chromium: Playwright ------------------------------------------------------------------------


class ChromiumTab(Tab):
    engine = "chromium"

    def __init__(self, page: Page) -> None:
        self.page = page
        self._console: list[str] = []
        page.on("console", lambda message: self._console.append(message.text))

    def goto(self, url: str) -> None:
        self.page.goto(url)

    def _call_json(self, wrapped: str, arg: str, frame: str | None) -> str:
        target: Any = self.page
        if frame is not None:
            target = _ensure_frame(
                self,
                frame,
                lambda: next((f for f in self.page.frames if f.url.startswith(frame + "/")), None),
            )
        return str(target.evaluate(wrapped, arg))

    def screenshot(self) -> bytes:
        return self.page.screenshot(full_page=True)

    def console(self) -> list[str]:
        return list(self._console)

    def close(self) -> None:
        self.page.context.close()


class ChromiumEngine(Engine):
    name = "chromium"

    def __init__(self) -> None:
        from playwright.sync_api import sync_playwright

        self._manager = sync_playwright()
        self._playwright: Playwright = self._manager.start()
        self.browser: Browser = self._playwright.chromium.launch(
            executable_path=str(BINARIES["chromium"]), args=CHROMIUM_ARGS
        )

    def new_tab(self, width: int = 1240, height: int = 900) -> Tab:
        context = self.browser.new_context(viewport={"width": width, "height": height})
        return ChromiumTab(context.new_page())

    def close(self) -> None:
        self.browser.close()
        self._manager.__exit__(None, None, None)


# -- Firefox: WebDriver BiDi over a websocket ----------------------------------------------------


class BidiError(RuntimeError):
    pass


class Bidi:
    """A minimal synchronous WebDriver BiDi client: send a command, wait for its answer."""

    def __init__(self, url: str) -> None:
        from websockets.sync.client import connect

        # __enter__ returns the connection itself; websockets 17 warns when it is not called.
        self._ws: ClientConnection = connect(
            url, max_size=64 * 1024 * 1024, open_timeout=30
        ).__enter__()
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def send(self, method: str, timeout: float = 60, **params: Any) -> dict[str, Any]:
        with self._lock:
            command_id = next(self._ids)
            self._ws.send(json.dumps({"id": command_id, "method": method, "params": params}))
            deadline = time.monotonic() + timeout
            while True:
                message = json.loads(self._ws.recv(timeout=max(0.1, deadline - time.monotonic())))
                if message.get("id") != command_id:
                    continue  # an event: this client subscribes to none it needs
                if message.get("type") == "error":
                    raise BidiError(f"{method}: {message.get('error')}: {message.get('message')}")
                result: dict[str, Any] = message["result"]
                return result

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._ws.close()


class FirefoxTab(Tab):
    engine = "firefox"

    def __init__(self, bidi: Bidi, context: str, user_context: str) -> None:
        self.bidi = bidi
        self.context = context
        self.user_context = user_context

    def goto(self, url: str) -> None:
        self.bidi.send("browsingContext.navigate", context=self.context, url=url, wait="complete")

    def _frame_context(self, origin: str) -> str | None:
        tree = self.bidi.send("browsingContext.getTree", root=self.context)
        for child in tree["contexts"][0].get("children") or []:
            if child["url"].startswith(origin + "/"):
                return str(child["context"])
        return None

    def _call_json(self, wrapped: str, arg: str, frame: str | None) -> str:
        context = self.context
        if frame is not None:
            context = _ensure_frame(self, frame, lambda: self._frame_context(frame))
        result = self.bidi.send(
            "script.callFunction",
            functionDeclaration=wrapped,
            arguments=[{"type": "string", "value": arg}],
            target={"context": context},
            awaitPromise=True,
            resultOwnership="none",
        )
        if result["type"] == "exception":
            details = result["exceptionDetails"]
            raise BidiError(f"JavaScript exception: {details.get('text')}")
        return str(result["result"]["value"])

    def screenshot(self) -> bytes:
        shot = self.bidi.send(
            "browsingContext.captureScreenshot", context=self.context, origin="document"
        )
        return base64.b64decode(shot["data"])

    def close(self) -> None:
        with contextlib.suppress(BidiError):
            self.bidi.send("browsingContext.close", context=self.context)
            self.bidi.send("browser.removeUserContext", userContext=self.user_context)


class FirefoxEngine(Engine):
    """``firefox-esr -headless`` with a fresh profile, driven over WebDriver BiDi."""

    name = "firefox"

    def __init__(self, prefs: dict[str, object] | None = None) -> None:
        self._profile = tempfile.mkdtemp(prefix="preflight-firefox-")
        lines = [
            f"user_pref({json.dumps(key)}, {json.dumps(value)});"
            for key, value in {**FIREFOX_PREFS, **(prefs or {})}.items()
        ]
        Path(self._profile, "user.js").write_text("\n".join(lines) + "\n")
        self._process = subprocess.Popen(
            [
                str(BINARIES["firefox"]),
                "-headless",
                "-no-remote",
                "-profile",
                self._profile,
                "--remote-debugging-port=0",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "MOZ_CRASHREPORTER_DISABLE": "1"},
        )
        try:
            url = self._wait_for_bidi_url()
            self.bidi = Bidi(url + "/session")
            self.bidi.send("session.new", capabilities={"alwaysMatch": {}})
        except BaseException:
            self._kill()
            raise

    def _wait_for_bidi_url(self, timeout: float = 60) -> str:
        assert self._process.stderr is not None
        seen: list[str] = []
        found: list[str] = []

        def read() -> None:
            assert self._process.stderr is not None
            for line in self._process.stderr:
                if not found:
                    seen.append(line)
                    match = re.search(r"WebDriver BiDi listening on (ws://\S+)", line)
                    if match:
                        found.append(match.group(1))
                # Keep draining stderr so Firefox never blocks on a full pipe.

        threading.Thread(target=read, name="firefox-stderr", daemon=True).start()
        deadline = time.monotonic() + timeout
        while not found and time.monotonic() < deadline and self._process.poll() is None:
            time.sleep(0.05)
        if not found:
            raise RuntimeError("Firefox did not start its BiDi server:\n" + "".join(seen[-20:]))
        return found[0]

    def new_tab(self, width: int = 1240, height: int = 900) -> Tab:
        user_context = self.bidi.send("browser.createUserContext")["userContext"]
        context = self.bidi.send("browsingContext.create", type="tab", userContext=user_context)
        tab = FirefoxTab(self.bidi, context["context"], user_context)
        self.bidi.send(
            "browsingContext.setViewport",
            context=tab.context,
            viewport={"width": width, "height": height},
        )
        return tab

    def _kill(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=10)
        shutil.rmtree(self._profile, ignore_errors=True)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.bidi.send("browser.close", timeout=10)
        self.bidi.close()
        self._kill()


# -- WebKit: WebKitWebDriver + Selenium, under Xvfb ----------------------------------------------


class Xvfb:
    """A private X display for MiniBrowser (it has no headless mode)."""

    def __init__(self) -> None:
        read_fd, write_fd = os.pipe()
        self._process = subprocess.Popen(
            [
                str(XVFB),
                "-displayfd",
                str(write_fd),
                "-screen",
                "0",
                "1600x2400x24",
                "-nolisten",
                "tcp",
            ],
            pass_fds=(write_fd,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(write_fd)
        with os.fdopen(read_fd) as reader:
            number = reader.readline().strip()
        if not number:
            self.stop()
            raise RuntimeError("Xvfb did not report a display number")
        self.display = f":{number}"

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            self._process.wait(timeout=10)


_TWO_FRAMES_JS = "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))"


class WebKitTab(Tab):
    engine = "webkit"

    def __init__(self, driver: WebKitGTK) -> None:
        self.driver = driver

    def goto(self, url: str) -> None:
        self.driver.get(url)

    def _call_json(self, wrapped: str, arg: str, frame: str | None) -> str:
        from selenium.webdriver.common.by import By

        script = (
            "const done = arguments[arguments.length - 1];"
            f"({wrapped})(arguments[0]).then(done,"
            " (e) => done(JSON.stringify({__error__: String(e)})));"
        )
        if frame is None:
            return self._run(script, arg)

        def find() -> Any:
            for element in self.driver.find_elements(By.TAG_NAME, "iframe"):
                if (element.get_attribute("src") or "").startswith(frame + "/"):
                    return element
            return None

        element = _ensure_frame(self, frame, find)
        self.driver.switch_to.frame(element)
        try:
            return self._run(script, arg)
        finally:
            self.driver.switch_to.default_content()

    def _run(self, script: str, arg: str) -> str:
        raw = str(self.driver.execute_async_script(script, arg))
        if raw.startswith('{"__error__"'):
            raise RuntimeError("JavaScript exception: " + json.loads(raw)["__error__"])
        return raw

    def screenshot(self) -> bytes:
        """WebDriver classic shoots the viewport only: the window is made as tall as the page
        for the shot. Two animation frames first, or WebKitGTK may hand back a stale paint."""
        size = self.driver.get_window_size()
        inner, full = self.call("() => [innerHeight, document.documentElement.scrollHeight]")
        self.driver.set_window_size(size["width"], size["height"] - inner + full)
        try:
            self.call(_TWO_FRAMES_JS)
            return self.driver.get_screenshot_as_png()
        finally:
            self.driver.set_window_size(size["width"], size["height"])

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.driver.get("about:blank")
            self.driver.delete_all_cookies()


class WebKitEngine(Engine):
    """One WebKitWebDriver session: one MiniBrowser process with one window.

    WebKitGTK's automation session keeps its own ephemeral storage, so cookies never outlive
    the session; a "new tab" is the same window navigated afresh (MiniBrowser cannot open
    isolated contexts), and its size is set to the requested viewport.
    """

    name = "webkit"

    def __init__(self) -> None:
        from selenium import webdriver
        from selenium.webdriver.webkitgtk.service import Service

        self._xvfb = Xvfb()
        try:
            options = webdriver.WebKitGTKOptions()
            # No binary_location: WebKitWebDriver finds MiniBrowser itself, and setting it makes
            # the session fail with "Failed to match capabilities".
            service = Service(
                executable_path=str(BINARIES["webkit"]),
                env={**os.environ, "DISPLAY": self._xvfb.display},
            )
            with warnings.catch_warnings():
                # Selenium's own WebKitGTK class still passes remote_server_addr, which the same
                # Selenium release deprecates; nothing to change on this side.
                warnings.simplefilter("ignore", DeprecationWarning)
                self.driver: WebKitGTK = webdriver.WebKitGTK(options=options, service=service)
            self.driver.set_script_timeout(60)
        except BaseException:
            self._xvfb.stop()
            raise

    def new_tab(self, width: int = 1240, height: int = 900) -> Tab:
        self.driver.set_window_size(width, height)
        return WebKitTab(self.driver)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.driver.quit()
        self._xvfb.stop()


def launch(name: str, **options: Any) -> Engine:
    """Start engine ``name``'s browser."""
    if name == "chromium":
        return ChromiumEngine()
    if name == "firefox":
        return FirefoxEngine(**options)
    if name == "webkit":
        return WebKitEngine()
    raise ValueError(f"unknown engine {name!r}")
