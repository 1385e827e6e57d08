"""The conformance scenarios through nginx (issue 21): the API origin is nginx, serving the
configuration ``flask preflight export nginx`` writes for the API app, in front of the same
app and request log as the direct run.

What the origin received and answered comes from nginx's access log, one line per request
(the fields below): a preflight nginx answered itself has no upstream; every other request
is the app's own record (RequestLog), which is also how the app counts what reached it. So a
scenario's assertions on its traffic (how many preflights, their status and grants) hold for
the origin as a whole, and :class:`EdgeOrigin` counts the preflights that never reached the
app.

Only Chromium runs this variant (conftest.EDGE_ENGINES). Scenarios that cannot run through
a proxy for a reason unrelated to CORS are in :data:`EXCLUDED`, with the reason; the run's
summary lists them.
"""

from __future__ import annotations

import contextlib
import http.client
import re
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from flask import Flask

from .harness import Received, RequestLog, Traffic

#: (test function, parameters it must have, why it does not run through nginx).
EXCLUDED: list[tuple[str, dict[str, str], str]] = [
    (
        "test_allowed_method_succeeds",
        {"method": "patch"},
        "nginx refuses a lowercase method (`patch`) on the actual request with its own 400 "
        "before any configuration is read; the preflight (OPTIONS) is not the problem",
    ),
    (
        "test_patch_is_sent_lowercase_and_matched_case_sensitively",
        {},
        "the same: its actual `patch` request gets nginx's 400 (a /raw control, no "
        "Flask-Preflight involved)",
    ),
]

#: The request and response fields the access log keeps (``-`` when absent).
REQUEST_FIELDS = (
    "origin",
    "access-control-request-method",
    "access-control-request-headers",
    "access-control-request-private-network",
    "cookie",
    "content-type",
    "host",
)
RESPONSE_FIELDS = (
    "Access-Control-Allow-Origin",
    "Access-Control-Allow-Methods",
    "Access-Control-Allow-Headers",
    "Access-Control-Allow-Credentials",
    "Access-Control-Max-Age",
    "Access-Control-Expose-Headers",
    "Access-Control-Allow-Private-Network",
    "Vary",
    "Content-Type",
)
LEADING = ("$request_method", "$uri", "$args", "$status", "$upstream_addr")


def _variable(prefix: str, name: str) -> str:
    return f"${prefix}{name.lower().replace('-', '_')}"


def log_format() -> str:
    fields = list(LEADING)
    fields += [_variable("http_", name) for name in REQUEST_FIELDS]
    fields += [_variable("sent_http_", name) for name in RESPONSE_FIELDS]
    return "log_format preflight_edge '" + "\\t".join(fields) + "';"


def _unescape(value: str) -> str | None:
    """nginx's default log escaping: ``\\xHH`` for quotes, backslashes and controls."""
    if value == "-":
        return None
    return re.sub(r"\\x([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), value)


@dataclass
class Line:
    """One access-log line: the request as nginx received it and what it answered."""

    received: Received
    token: str | None
    upstream: bool


def _parse(line: str) -> Line:
    values = line.rstrip("\n").split("\t")
    assert len(values) == len(LEADING) + len(REQUEST_FIELDS) + len(RESPONSE_FIELDS), line
    method, uri, args, status, upstream = values[: len(LEADING)]
    request = values[len(LEADING) : len(LEADING) + len(REQUEST_FIELDS)]
    response = values[len(LEADING) + len(REQUEST_FIELDS) :]
    headers = {
        name: text
        for name, value in zip(REQUEST_FIELDS, request)
        if (text := _unescape(value)) is not None
    }
    sent = [
        (name, text)
        for name, value in zip(RESPONSE_FIELDS, response)
        if (text := _unescape(value)) is not None
    ]
    received = Received(
        method=method,
        path=uri,
        server=headers.get("host", ""),
        headers=headers,
        status=int(status),
        response_headers=sent,
    )
    token = parse_qs(_unescape(args) or "").get("t", [None])[0]
    return Line(received, token, upstream != "-")


class EdgeOrigin:
    """nginx's record of one token's requests, merged with the app's (``log``)."""

    def __init__(self, log: RequestLog, access_log: Path, port: int, passes: str | None) -> None:
        self.log = log
        self.access_log = access_log
        self.port = port
        #: What the export passes to the app, and why (None: it answers every preflight to
        #: a Flask route itself, so one that reaches the app is a defect of the export).
        self.passes = passes
        self._lock = threading.Lock()
        #: token -> (preflights nginx received, preflights that reached the app), Flask
        #: routes only (the /raw controls are routed to the app by a location of their own).
        self.counts: dict[str, tuple[int, int]] = {}

    def _flush(self) -> None:
        """One request of our own: nginx (one worker) has logged every earlier request once
        it answers it."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        connection.request("HEAD", "/__edge_flush__")
        connection.getresponse().read()
        connection.close()

    def traffic(self, token: str) -> Traffic:
        self._flush()
        with self.access_log.open() as handle:
            lines = [line for line in map(_parse, handle) if line.token == token]
        reached = iter(self.log.traffic(token).requests)
        merged: list[Received] = []
        for line in lines:
            if line.upstream:
                app_side = next(reached, None)
                assert app_side is not None, f"nginx passed a request the app never saw: {line}"
                assert app_side.path == line.received.path, (app_side, line)
                merged.append(app_side)
            else:
                merged.append(line.received)
        assert next(reached, None) is None, "the app saw a request nginx did not log"
        flask = [line for line in lines if line.received.is_preflight]
        flask = [line for line in flask if not line.received.path.startswith("/raw/")]
        reached_app = [line.received for line in flask if line.upstream]
        with self._lock:
            self.counts[token] = (len(flask), len(reached_app))
        assert self.passes is not None or not reached_app, (
            "the export passes nothing to the app, yet these preflights reached it:\n"
            + Traffic(reached_app).summary()
        )
        return Traffic(merged)

    def share(self) -> tuple[int, int]:
        """(preflights nginx answered itself, preflights nginx received), Flask routes."""
        with self._lock:
            received = sum(total for total, _ in self.counts.values())
            passed = sum(reached for _, reached in self.counts.values())
        return received - passed, received


@contextlib.contextmanager
def edge_origin(api: Flask, log: RequestLog, upstream: str) -> Iterator[tuple[EdgeOrigin, int]]:
    """nginx in front of ``upstream`` (the API app ``api``, recorded by ``log``) with the
    exported configuration, listening on two ports: (origin, second port). The first port is
    reached as localhost (the cross-site API), the second as 127.0.0.1 (the same-site one)."""
    from flask_preflight.edge import read_app

    from ..edge.harness import export_app, free_port, nginx

    exported = read_app(api)
    passes = "; ".join(exported.passed) or exported.everything_passed
    with tempfile.TemporaryDirectory(prefix="browser-edge-") as tmp:
        directory = Path(tmp)
        export_app(api, upstream, directory, "tests.browser.api_app:create_api_app")
        access_log = directory / "access.log"
        access_log.touch()
        second = free_port()
        server_extra = "\n".join(
            [
                f"listen 127.0.0.1:{second};",
                f"access_log {access_log} preflight_edge;",
                # The hand-written /raw controls are another WSGI app beside Flask
                # (api_app.raw_control_app, mounted by DispatcherMiddleware): the export
                # does not describe them, so they get their own location, as a deployment
                # would route any mount point the Flask app does not own.
                "location /raw/ {",
                f"    proxy_pass {upstream};",
                "}",
                "location = /__edge_flush__ {",
                "    return 204;",
                "}",
            ]
        )
        with nginx(directory, server_extra=server_extra, http_extra=log_format()) as port:
            yield EdgeOrigin(log, access_log, port, passes), second


def excluded_reason(name: str, params: dict[str, Any]) -> str | None:
    for function, needed, reason in EXCLUDED:
        if function == name and all(params.get(k) == v for k, v in needed.items()):
            return reason
    return None
