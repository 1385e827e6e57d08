"""Real servers on loopback, spoken to through ``http.client``: gunicorn (sync and gthread
workers) and waitress, each started as its documentation says (``gunicorn module:app``,
``waitress-serve module:app``) on a free port and stopped by its PID.

One keep-alive connection carries preflights (204, 403) and actual requests (200, 401, 404,
HEAD, a streamed body); threads speaking for different origins never see each other's
headers. gunicorn's sync worker closes every connection by design ("does not support
persistent connections"), so there each request opens its own. waitress closes the
connection after every response without ``Content-Length``, whoever produced it: a 204 or
304 (it drops the length of bodiless statuses, then closes for want of one) and
a chunked stream; the app's own 204 shows it on the same server."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from ..helpers import EVIL, SHOP

ROOT = Path(__file__).resolve().parents[2]
APP = "tests.integration.server_app:app"
STARTUP_SECONDS = 30.0


@dataclass(frozen=True)
class Server:
    name: str
    port: int
    prefix: str

    def closes_after(self, response: http.client.HTTPResponse) -> bool:
        """Whether this server closes the connection after ``response``, by its own rules."""
        if self.name == "gunicorn-sync":
            return True
        if self.name.startswith("waitress"):
            return response.getheader("Content-Length") is None
        return False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


COMMANDS = {
    "gunicorn-sync": ["-m", "gunicorn", "--workers", "1", "--worker-class", "sync", "--bind"],
    "gunicorn-gthread": [
        "-m",
        "gunicorn",
        "--workers",
        "1",
        "--worker-class",
        "gthread",
        "--threads",
        "4",
        "--bind",
    ],
    "waitress": ["-m", "waitress", "--threads", "4", "--listen"],
    # Mounted under a prefix, as waitress documents it: SCRIPT_NAME=/app, PATH_INFO the rest.
    "waitress-prefix": ["-m", "waitress", "--threads", "4", "--url-prefix=/app", "--listen"],
}
PREFIXES = {"waitress-prefix": "/app"}


def wait_until_listening(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited with {process.returncode}:\n{log.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"server not listening after {STARTUP_SECONDS}s:\n{log.read_text()}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(15)


@pytest.fixture(scope="module", params=list(COMMANDS))
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    name = request.param
    port = free_port()
    log = tmp_path_factory.mktemp(name) / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, *COMMANDS[name], f"127.0.0.1:{port}", APP],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_listening(process, port, log)
        yield Server(name, port, PREFIXES.get(name, ""))
    finally:
        stop(process)
    assert process.returncode is not None


def exchange(
    server: Server,
    connection: http.client.HTTPConnection,
    method: str,
    path: str,
    headers: dict[str, str],
) -> tuple[http.client.HTTPResponse, bytes]:
    connection.request(method, server.prefix + path, headers=headers)
    response = connection.getresponse()
    return response, response.read()


def acao(response: http.client.HTTPResponse) -> str | None:
    return response.getheader("Access-Control-Allow-Origin")


def test_servers_own_rule_for_closing_connections(server: Server) -> None:
    """The rule ``closes_after`` states, shown on the app's own 204 and 200."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    for method, status in (("DELETE", 204), ("GET", 200)):
        response, _ = exchange(server, connection, method, "/items/9", {"Origin": SHOP})
        assert (response.status, acao(response)) == (status, SHOP)
        expected = server.name == "gunicorn-sync" or (
            server.name.startswith("waitress") and status == 204
        )
        assert response.will_close == expected, (method, status)
    connection.close()


def test_one_connection_carries_preflights_and_actual_responses(server: Server) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    ok = {"Origin": SHOP}
    steps = [
        (
            "OPTIONS",
            "/items/1",
            {
                **ok,
                "Access-Control-Request-Method": "PUT",
                "Access-Control-Request-Headers": "content-type,x-req",
            },
        ),
        ("OPTIONS", "/items/1", {"Origin": EVIL, "Access-Control-Request-Method": "PUT"}),
        ("PUT", "/items/1", {**ok, "X-Req": "put-1", "Content-Type": "application/json"}),
        ("GET", "/private", ok),
        ("GET", "/missing", ok),
        ("HEAD", "/items/2", ok),
        ("GET", "/stream", {**ok, "X-Req": "s-1"}),
        ("GET", "/items/3", {"X-Req": "same-origin"}),
    ]
    seen = []
    for method, path, headers in steps:
        response, body = exchange(server, connection, method, path, headers)
        seen.append((response.status, acao(response), body))
        assert "Origin" in (response.getheader("Vary") or ""), (method, path)
        assert response.will_close == server.closes_after(response), (method, path)
        if response.status == 204:
            assert response.getheader("Access-Control-Allow-Methods") == "PUT"
            assert response.getheader("Access-Control-Allow-Headers") == "content-type,x-req"
            assert response.getheader("Access-Control-Allow-Credentials") == "true"
        if path == "/items/1" and method == "PUT":
            assert response.getheader("Access-Control-Expose-Headers") == "x-req"
            assert response.getheader("X-Req") == "put-1"
        if path == "/stream":
            assert response.getheader("Transfer-Encoding") == "chunked"
    connection.close()
    assert [(status, origin) for status, origin, _ in seen] == [
        (204, SHOP),
        (403, None),
        (200, SHOP),
        (401, SHOP),
        (404, SHOP),
        (200, SHOP),
        (200, SHOP),
        (200, None),
    ]
    assert seen[0][2] == b""
    assert seen[1][2].startswith(b"CORS preflight refused: origin not allowed.")
    assert seen[2][2] == b'{"id":1,"method":"PUT"}\n'
    assert seen[5][2] == b""  # HEAD
    assert seen[6][2] == b"req=s-1;0;1;2"


THREADS = 6
ROUNDS = 15


def speak_for(server: Server, thread: int) -> list[str]:
    """One origin's conversation on its own connection; returns what went wrong."""
    origin = f"https://t{thread}.example.com"
    problems = []
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=20)
    got: tuple[object, ...]
    want: tuple[object, ...]
    try:
        for i in range(ROUNDS):
            tag = f"t{thread}-{i}"
            kind = i % 3
            if kind == 0:
                headers = {
                    "Origin": origin,
                    "Access-Control-Request-Method": "PUT",
                    "Access-Control-Request-Headers": f"x-{tag}",
                }
                response, _ = exchange(server, connection, "OPTIONS", "/items/1", headers)
                got = (
                    response.status,
                    acao(response),
                    response.getheader("Access-Control-Allow-Headers"),
                )
                want = (204, origin, f"x-{tag}")
            elif kind == 1:
                response, body = exchange(
                    server, connection, "PUT", f"/items/{i}", {"Origin": origin, "X-Req": tag}
                )
                got = (response.status, acao(response), response.getheader("X-Req"), body)
                want = (200, origin, tag, f'{{"id":{i},"method":"PUT"}}\n'.encode())
            else:
                response, body = exchange(
                    server, connection, "GET", "/stream", {"Origin": origin, "X-Req": tag}
                )
                got = (response.status, acao(response), body)
                want = (200, origin, f"req={tag};0;1;2".encode())
            if got != want:
                problems.append(f"{tag}: got {got}, want {want}")
    finally:
        connection.close()
    return problems


def test_threads_from_several_origins_never_see_each_others_headers(server: Server) -> None:
    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(lambda t: speak_for(server, t), range(THREADS)))
    problems = [problem for result in results for problem in result]
    assert problems == []
