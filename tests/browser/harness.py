"""Plumbing for the real-browser suite: live WSGI servers, a request log, and fetch() in a page.

Nothing here knows about CORS policies; the scenarios live in ``test_conformance.py`` and the
API they talk to in ``api_app.py``.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable
from urllib.parse import parse_qs

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

    from .engines import Tab

#: The environ key under which the server passes on the request's header names as sent.
RAW_NAMES = "preflight_tests.raw_header_names"


class _QuietHandler(WSGIRequestHandler):
    """Request handler that prints no access log and keeps the header names' case."""

    def make_environ(self) -> WSGIEnvironment:
        environ = super().make_environ()
        # The WSGI environ folds names to HTTP_UPPER_CASE; browsers differ in the case they
        # send (expectations.py), so the log keeps the names as they came off the wire.
        environ[RAW_NAMES] = list(self.headers.keys())
        return environ

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class _Slot:
    """A WSGI app whose target is installed after the server is bound (and its port known)."""

    def __init__(self) -> None:
        self.app: WSGIApplication | None = None

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if self.app is None:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"no app installed yet"]
        return self.app(environ, start_response)


class LiveServer:
    """A threaded Werkzeug server on a loopback port chosen by the OS.

    ``host`` is what the socket binds to; ``url_host`` is the name the browser uses, so one
    socket on 127.0.0.1 can be reached as ``http://localhost:<port>`` (another site).
    """

    def __init__(self, host: str = "127.0.0.1", url_host: str | None = None) -> None:
        self._slot = _Slot()
        self._server: BaseWSGIServer = make_server(
            host, 0, self._slot, threaded=True, request_handler=_QuietHandler
        )
        self.port: int = self._server.server_port
        self.origin = f"http://{url_host or host}:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, name=f"live-server-{self.port}", daemon=True
        )
        self._thread.start()

    def install(self, app: WSGIApplication) -> None:
        self._slot.app = app

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@dataclass
class Received:
    """One request as the API server saw it, and the response it gave."""

    method: str  # the method on the wire (environ REQUEST_METHOD), not Werkzeug's uppercased one
    path: str
    server: str  # the Host header, to tell the cross-site and same-site servers apart
    headers: dict[str, str]  # request headers, names lowercased
    raw_names: list[str] = field(default_factory=list)  # header names as sent, in order
    status: int | None = None
    response_headers: list[tuple[str, str]] = field(default_factory=list)

    @property
    def is_preflight(self) -> bool:
        return self.method == "OPTIONS" and "access-control-request-method" in self.headers

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def response_header(self, name: str) -> str | None:
        values = [v for k, v in self.response_headers if k.lower() == name.lower()]
        return ", ".join(values) if values else None


class RequestLog:
    """WSGI middleware that records every request carrying a ``t=<token>`` query parameter."""

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._by_token: dict[str, list[Received]] = {}

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        token = parse_qs(environ.get("QUERY_STRING", "")).get("t", [None])[0]
        if token is None:
            return self.app(environ, start_response)
        headers = {
            key[5:].replace("_", "-").lower(): str(value)
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            if environ.get(key):
                headers[key.replace("_", "-").lower()] = str(environ[key])
        entry = Received(
            method=environ["REQUEST_METHOD"],
            path=environ.get("PATH_INFO", ""),
            server=headers.get("host", ""),
            headers=headers,
            raw_names=list(environ.get(RAW_NAMES, [])),
        )
        with self._lock:
            self._by_token.setdefault(token, []).append(entry)

        def recording_start_response(
            status: str, response_headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], object]:
            entry.status = int(status.split(" ", 1)[0])
            entry.response_headers = list(response_headers)
            return start_response(status, response_headers, exc_info)

        return self.app(environ, recording_start_response)

    def traffic(self, token: str) -> Traffic:
        with self._lock:
            return Traffic(list(self._by_token.get(token, [])))


@dataclass
class Traffic:
    """What the server received for one token."""

    requests: list[Received]

    @property
    def preflights(self) -> list[Received]:
        return [r for r in self.requests if r.is_preflight]

    @property
    def actual(self) -> list[Received]:
        return [r for r in self.requests if not r.is_preflight]

    def __iter__(self) -> Iterator[Received]:
        return iter(self.requests)

    def summary(self) -> str:
        lines = []
        for r in self.requests:
            sent = {
                k: v
                for k, v in r.headers.items()
                if k.startswith("access-control") or k == "origin"
            }
            got = {k: v for k, v in r.response_headers if k.lower().startswith("access-control")}
            lines.append(f"{r.method} {r.path} {sent} -> {r.status} {got}")
        return "\n".join(lines) or "(nothing received)"


@dataclass
class FetchResult:
    """What JavaScript saw: a resolved Response, or the rejection."""

    resolved: bool
    status: int | None = None
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    console: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """True when fetch() rejected with the browser's CORS TypeError."""
        return not self.resolved and (self.error or "").startswith("TypeError")

    def __str__(self) -> str:
        if self.resolved:
            return f"resolved {self.status} {self.body[:200]!r} headers={self.headers}"
        return f"rejected {self.error}; console: {self.console}"


_FETCH_JS = """
async ([url, init]) => {
  try {
    const response = await fetch(url, init);
    const body = await response.text();
    const headers = {};
    response.headers.forEach((value, name) => { headers[name] = value; });
    return {resolved: true, status: response.status, body, headers};
  } catch (error) {
    return {resolved: false, error: String(error)};
  }
}
"""


class BrowserClient:
    """Runs fetch() inside a page loaded from the page origin (or in an iframe of it).

    No request interception, no cache flags: both would bypass the browsers' preflight caches.
    """

    def __init__(self, tab: Tab) -> None:
        self.tab = tab

    def fetch(self, url: str, *, in_frame: str | None = None, **init: Any) -> FetchResult:
        """fetch(url, init) from the page, or from its iframe of origin ``in_frame``."""
        start = len(self.tab.console())
        raw = self.tab.call(_FETCH_JS, [url, init], frame=in_frame)
        return FetchResult(console=self.tab.console()[start:], **raw)


def new_token() -> str:
    return uuid.uuid4().hex[:16]
