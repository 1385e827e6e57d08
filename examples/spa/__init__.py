"""A two-origin single-page-app demo of Flask-Preflight.

Run it with ``python -m examples.spa``: the front end is served on ``http://127.0.0.1:5000``
and the API on ``http://localhost:5001`` (another origin and another site), each a Flask app.
Tests start both in-process on ports the OS chooses with ``start(page_port=0, api_port=0)``.
"""

from __future__ import annotations

import errno
import socket
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask import Flask
from werkzeug.serving import (
    BaseWSGIServer,
    WSGIRequestHandler,
    get_sockaddr,
    make_server,
    select_address_family,
)

from .api import create_api_app
from .frontend import create_frontend_app

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = ["DemoServers", "create_apps", "start"]


def create_apps(api_origin: str, page_origin: str) -> tuple[Flask, Flask]:
    """Build ``(api_app, frontend_app)`` for an API and a page served at these origins."""
    return create_api_app(page_origin), create_frontend_app(api_origin)


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class _Slot:
    """Lets a server bind (and learn its port) before the app it serves is built."""

    app: WSGIApplication | None = None

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if self.app is None:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"starting"]
        return self.app(environ, start_response)


@dataclass
class DemoServers:
    page_url: str
    api_url: str
    api_app: Flask
    frontend_app: Flask
    _servers: list[BaseWSGIServer] = field(default_factory=list, repr=False)
    _threads: list[threading.Thread] = field(default_factory=list, repr=False)

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)


class PortInUse(OSError):
    """The port one of the demo's servers should listen on is taken (``which``: ``"page"``
    or ``"api"``)."""

    def __init__(self, which: str, host: str, port: int) -> None:
        super().__init__(errno.EADDRINUSE, f"{host}:{port} is in use")
        self.which, self.host, self.port = which, host, port


def _check_free(which: str, host: str, port: int) -> None:
    """Raise ``PortInUse`` when ``host:port`` is taken, before Werkzeug would print its
    generic advice and exit (binding as Werkzeug's server does)."""
    if port == 0:
        return
    family = select_address_family(host, port)
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(get_sockaddr(host, port, family))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise PortInUse(which, host, port) from None
            raise


def start(
    page_host: str = "127.0.0.1",
    page_port: int = 5000,
    api_host: str = "localhost",
    api_port: int = 5001,
    *,
    quiet: bool = False,
) -> DemoServers:
    """Serve both apps in background threads and return their URLs (port 0: the OS chooses).
    Raises ``PortInUse`` when a port is taken."""
    handler = _QuietHandler if quiet else WSGIRequestHandler
    page_slot, api_slot = _Slot(), _Slot()
    _check_free("page", page_host, page_port)
    _check_free("api", api_host, api_port)
    page_server = make_server(
        page_host, page_port, page_slot, threaded=True, request_handler=handler
    )
    api_server = make_server(api_host, api_port, api_slot, threaded=True, request_handler=handler)
    page_origin = f"http://{page_host}:{page_server.server_port}"
    api_origin = f"http://{api_host}:{api_server.server_port}"
    api_app, frontend_app = create_apps(api_origin, page_origin)
    api_slot.app, page_slot.app = api_app, frontend_app
    demo = DemoServers(page_origin + "/", api_origin + "/", api_app, frontend_app)
    for server in (page_server, api_server):
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        demo._servers.append(server)
        demo._threads.append(thread)
    return demo
