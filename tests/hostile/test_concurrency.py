"""No cross-talk: under concurrency, every response carries exactly its own request's origin.

A bug peer libraries shipped: precomputed header values shared between responses let one
request's origin leak into another's response. Two tests: a real threaded Werkzeug server
hammered over sockets by many client threads, and many threads calling one app's WSGI callable
directly while middleware downstream mutates every response's header list in place.
"""

from __future__ import annotations

import http.client
import random
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from flask import Flask, Response, request
from werkzeug.serving import make_server

from flask_preflight import Preflight, cors

from .harness import call_environ, environ_for
from .model import WireResponse, vary_tokens

THREADS = 16
REQUESTS_PER_THREAD = 30
SITES = 6


def make_app() -> Flask:
    app = Flask("concurrency")

    @app.route("/r", methods=["GET", "PUT"])
    @cors(origins=["https://*.example.com"], credentials=True, expose_headers=["X-Req"])
    def r() -> Response:
        time.sleep(0.0005)  # let other requests run in between
        response = Response("r")
        response.headers["X-Req"] = request.headers.get("X-Req", "")
        return response

    Preflight(app)
    return app


@contextmanager
def threaded_server(app: Flask) -> Iterator[int]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.port
    finally:
        server.shutdown()
        thread.join(10)
        server.server_close()


def plan(thread: int) -> list[tuple[str, str, dict[str, str]]]:
    """(kind, request id, headers) for one client thread: allowed, refused and Origin-less
    actual requests, and preflights asking for their own header names."""
    rng = random.Random(thread)
    out = []
    for i in range(REQUESTS_PER_THREAD):
        rid = f"t{thread}-r{i}"
        # Few distinct sites, so identical requests recur across threads (a cache or a shared
        # header list would be hit), yet every request is told apart by its X-Req.
        site = f"s{rng.randrange(SITES)}"
        kind = rng.choice(["allowed", "allowed", "preflight", "refused", "no-origin"])
        headers = {"X-Req": rid, "X-Site": site}
        if kind in ("allowed", "preflight"):
            headers["Origin"] = f"https://{site}.example.com"
        elif kind == "refused":
            headers["Origin"] = f"https://{site}.example.com.evil.net"
        if kind == "preflight":
            headers["Access-Control-Request-Method"] = "PUT"
            headers["Access-Control-Request-Headers"] = f"x-{site}"
        out.append((kind, rid, headers))
    return out


def check(kind: str, rid: str, headers: dict[str, str], response: WireResponse) -> list[str]:
    problems = []
    site = headers["X-Site"]
    acao = response.get_all("Access-Control-Allow-Origin")
    tokens = vary_tokens(response.get_all("Vary"))
    if len(tokens) != len(set(tokens)):
        problems.append(f"{rid}: duplicated Vary {response.get_all('Vary')}")
    if kind == "preflight":
        if response.status != 204:
            problems.append(f"{rid}: preflight status {response.status}")
        if acao != [f"https://{site}.example.com"]:
            problems.append(f"{rid}: preflight ACAO {acao}")
        if response.get_all("Access-Control-Allow-Headers") != [f"x-{site}"]:
            problems.append(f"{rid}: ACAH {response.get_all('Access-Control-Allow-Headers')}")
        return problems
    if response.get_all("X-Req") != [rid]:
        problems.append(f"{rid}: answered for {response.get_all('X-Req')}")
    if kind == "allowed":
        if acao != [f"https://{site}.example.com"]:
            problems.append(f"{rid}: ACAO {acao}")
        if response.get_all("Access-Control-Allow-Credentials") != ["true"]:
            problems.append(f"{rid}: ACAC {response.get_all('Access-Control-Allow-Credentials')}")
        if [v.lower() for v in response.get_all("Access-Control-Expose-Headers")] != ["x-req"]:
            problems.append(f"{rid}: ACEH {response.get_all('Access-Control-Expose-Headers')}")
    elif response.access_control_names():
        problems.append(f"{rid} ({kind}): {response.access_control_names()}")
    if "origin" not in tokens:
        problems.append(f"{rid}: no Vary: Origin")
    return problems


def over_http(port: int, thread: int) -> list[str]:
    problems = []
    for kind, rid, headers in plan(thread):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            method = "OPTIONS" if kind == "preflight" else "GET"
            connection.request(method, "/r", headers=headers)
            raw = connection.getresponse()
            body = raw.read()
            response = WireResponse(raw.status, tuple(raw.getheaders()), body)
        finally:
            connection.close()
        problems += check(kind, rid, headers, response)
    return problems


def test_threaded_server_never_mixes_origins() -> None:
    app = make_app()
    with threaded_server(app) as port, ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(lambda t: over_http(port, t), range(THREADS)))
    problems = [p for result in results for p in result]
    assert not problems, "\n".join(problems[:30])


class MutateHeaders:
    """WSGI middleware that scribbles on each response's header list, in place, after the
    extension has filled it: if that list (or anything in it) were shared, the next response
    would show the scribbles."""

    def __init__(self, wsgi_app: Any) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        rid = environ.get("HTTP_X_REQ", "?")

        def scribbling_start_response(status: str, headers: list[tuple[str, str]], *a: Any) -> Any:
            result = start_response(status, list(headers), *a)
            for i, (name, value) in enumerate(headers):
                if name.lower().startswith(("access-control-", "vary")):
                    headers[i] = (name, f"{value}, leak-{rid}")
            headers.append(("Vary", f"leak-{rid}"))
            return result

        body: Iterable[bytes] = self.wsgi_app(environ, scribbling_start_response)
        return body


def test_interleaved_wsgi_calls_with_mutating_middleware() -> None:
    app = make_app()
    app.wsgi_app = MutateHeaders(app.wsgi_app)  # type: ignore[method-assign]

    def run(thread: int) -> list[str]:
        problems = []
        for kind, rid, headers in plan(thread):
            method = "OPTIONS" if kind == "preflight" else "GET"
            response = call_environ(app, environ_for(method, "/r", headers.items()))
            problems += check(kind, rid, headers, response)
            leaked = [v for _, v in response.headers if "leak-" in v]
            if leaked:
                problems.append(f"{rid}: another response's edits leaked in: {leaked}")
        return problems

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(run, range(THREADS)))
    problems = [p for result in results for p in result]
    assert not problems, "\n".join(problems[:30])
