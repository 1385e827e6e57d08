"""Run an app under gunicorn on loopback with nginx in front, using the configuration
``flask preflight export nginx`` writes, and compare the answers of both.

``serve(factory)`` is reusable for any app: ``factory`` is ``"module:function"`` returning
the Flask app (gunicorn imports it again in its worker). nginx runs unprivileged-style, in
the foreground, with its prefix, pid, logs and temp paths in a temporary directory.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner
from flask import Flask
from flask.cli import ScriptInfo

from flask_preflight.cli import preflight_cli
from flask_preflight.edge import read_app
from flask_preflight.edge.nginx import render

from .apps import COUNTED_ONLY, FACTORY_ENV, PROBE_HEADER, SEEN_PATH, load

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
MIME_TYPES = "/etc/nginx/mime.types"

Headers = Sequence[tuple[str, "str | bytes"]]


@dataclass(frozen=True)
class Probe:
    """One request: an OPTIONS (or other) request to ``path`` with ``headers``;
    ``shaped`` when a browser could send it as it is."""

    method: str
    path: str
    headers: tuple[tuple[str, str | bytes], ...]
    shaped: bool
    callable_origin: bool = False


@dataclass(frozen=True)
class Answer:
    """What the differential compares: the status, every Access-Control-* header, the
    Vary fields, the Content-Type and the body's first line."""

    status: int
    access_control: tuple[tuple[str, str], ...]
    vary: frozenset[str]
    content_type: str | None
    first_line: bytes


def nginx_available() -> bool:
    return os.path.exists(NGINX)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(port: int, process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on {port}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def gunicorn(factory: str, workers: int = 1, threads: int = 4) -> Iterator[int]:
    """The app ``factory`` names, counted (apps.counted), under gunicorn on loopback."""
    port = free_port()
    env = {**os.environ, FACTORY_ENV: factory, "PYTHONPATH": str(ROOT)}
    worker = ["-k", "gthread", "--threads", str(threads)] if threads > 1 else ["-k", "sync"]
    command = [sys.executable, "-m", "gunicorn", "-w", str(workers), *worker]
    command += ["-b", f"127.0.0.1:{port}", "--log-level", "warning", "tests.edge.apps:served()"]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        _wait_for(port, process, "gunicorn")
        yield port
    finally:
        _stop(process)


EXAMPLE_CONF = ROOT / "examples" / "spa" / "nginx" / "nginx.conf"


def nginx_conf(
    prefix: Path, port: int, conf_dir: Path, server_extra: str = "", http_extra: str = ""
) -> str:
    """docs/edge.md's nginx.conf (examples/spa/nginx/nginx.conf) serving the exported
    files in ``conf_dir`` on ``port``, with every path nginx writes inside ``prefix``;
    ``server_extra``: more directives for its ``server { }`` (before the include),
    ``http_extra`` for its ``http { }``."""
    text = EXAMPLE_CONF.read_text()
    text = text.replace("/etc/nginx/flask-preflight/", f"{conf_dir}/")
    text = text.replace("include mime.types;", f"include {MIME_TYPES};")
    listen = f"listen 127.0.0.1:{port};"
    if server_extra:
        listen += "\n" + "\n".join(f"        {line}" for line in server_extra.splitlines())
    text = text.replace("listen 8080;", listen)
    assert str(conf_dir) in text and str(port) in text
    paths = "\n".join(
        f"    {name}_temp_path {prefix}/{name};"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    paths += "".join(f"\n    {line}" for line in http_extra.splitlines())
    text = text.replace("http {\n", f"http {{\n    access_log off;\n{paths}\n", 1)
    head = f"daemon off;\nworker_processes 1;\npid {prefix}/nginx.pid;\n"
    head += f"error_log {prefix}/error.log warn;\n"
    return head + text.replace("events {}", "events { worker_connections 512; }")


def export(factory: str, upstream: str, directory: Path) -> None:
    """``flask preflight export nginx`` on the app ``factory`` returns, as a user runs it
    (the command sees an app whose only flask-cors front is ``@cross_origin`` as its first
    request would)."""
    info = ScriptInfo(create_app=lambda: load(factory))
    args = ["export", "nginx", "--upstream", upstream, "--output-dir", str(directory)]
    if factory in COUNTED_ONLY:  # the demo's traffic counter
        args.append("--outer-middleware-changes-nothing")
    result = CliRunner().invoke(preflight_cli, args, obj=info)
    assert result.exit_code == 0, (factory, result.output, result.exception)


def export_app(app: Flask, upstream: str, directory: Path, source: str) -> None:
    """What `flask preflight export nginx` writes for ``app`` (named ``source``), for an
    app built in this process (the browser suite's)."""
    for name, text in render(read_app(app), upstream, source).items():
        (directory / name).write_text(text)


def nginx_test(prefix: Path, conf: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [NGINX, "-t", "-q", "-p", str(prefix), "-c", str(conf)],
        capture_output=True,
        text=True,
        check=False,
    )


@contextlib.contextmanager
def nginx(
    conf_dir: Path,
    upstream_port: int | None = None,
    server_extra: str = "",
    http_extra: str = "",
) -> Iterator[int]:
    """nginx in the foreground serving ``conf_dir``'s exported files on a free port
    (``server_extra``, ``http_extra``: see nginx_conf)."""
    with tempfile.TemporaryDirectory(prefix="edge-nginx-") as tmp:
        prefix = Path(tmp)
        os.chmod(prefix, 0o755)
        port = free_port()
        conf = prefix / "nginx.conf"
        conf.write_text(nginx_conf(prefix, port, conf_dir, server_extra, http_extra))
        checked = nginx_test(prefix, conf)
        if checked.returncode != 0:
            raise RuntimeError(f"nginx -t failed: {checked.stderr}")
        process = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(conf)])
        try:
            _wait_for(port, process, "nginx")
            yield port
        finally:
            _stop(process)


class Client:
    """Keep-alive connections, one per thread and port."""

    def __init__(self) -> None:
        self._local = threading.local()

    def send(self, port: int, probe: Probe, probe_id: str | None = None) -> Answer:
        headers = list(probe.headers)
        if probe_id is not None:
            headers.append((PROBE_HEADER, probe_id))
        for attempt in range(3):
            connection = self._connection(port)
            try:
                connection.putrequest(probe.method, probe.path, skip_accept_encoding=True)
                for name, value in headers:
                    connection.putheader(name, value)
                connection.endheaders()
                response = connection.getresponse()
                body = response.read()
                break
            except (http.client.HTTPException, OSError):
                connection.close()
                self._drop(port)
                if attempt == 2:
                    raise
        if response.will_close:
            self._drop(port)
        return _answer(response, body)

    def _connection(self, port: int) -> http.client.HTTPConnection:
        connections: dict[int, http.client.HTTPConnection]
        connections = self._local.__dict__.setdefault("connections", {})
        if port not in connections:
            connections[port] = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        return connections[port]

    def _drop(self, port: int) -> None:
        connection = self._local.__dict__.get("connections", {}).pop(port, None)
        if connection is not None:
            connection.close()


def _answer(response: http.client.HTTPResponse, body: bytes) -> Answer:
    access_control = sorted(
        (name.lower(), value)
        for name, value in response.getheaders()
        if name.lower().startswith("access-control-")
    )
    vary = frozenset(
        field.strip().lower()
        for value in response.headers.get_all("Vary") or ()
        for field in value.split(",")
        if field.strip()
    )
    return Answer(
        response.status,
        tuple(access_control),
        vary,
        response.getheader("Content-Type"),
        body.split(b"\n", 1)[0],
    )


def seen_ids(app_port: int) -> set[str]:
    connection = http.client.HTTPConnection("127.0.0.1", app_port, timeout=30)
    connection.request("GET", SEEN_PATH)
    seen = set(connection.getresponse().read().decode().split("\n")) - {""}
    connection.close()
    return seen


@dataclass
class Report:
    """The differential's outcome: mismatches, and which probes nginx answered itself."""

    total: int
    mismatches: list[tuple[Probe, Answer, Answer]]
    answered_at_edge: list[bool]
    probes: Sequence[Probe]
    unparsed: list[Probe]

    def share(self, shaped_only: bool = True) -> tuple[int, int]:
        """(answered at the edge, counted): browser-shaped preflights on routes without
        a callable origin."""
        counted = [
            edge
            for probe, edge in zip(self.probes, self.answered_at_edge)
            if (probe.shaped or not shaped_only) and not probe.callable_origin
        ]
        return sum(counted), len(counted)


def differential(
    factory: str,
    probes: Sequence[Probe],
    threads: int = 4,
    conf_dir: Path | None = None,
    warm_up: bool = False,
) -> Report:
    """Send every probe to the app under gunicorn and through nginx (the exported
    configuration in front of it), and compare the answers. ``warm_up``: first send the
    first probe to the app alone (not counted), so that the requests that follow, in
    parallel, do not race with an app that registers its engine at its first request."""
    with gunicorn(factory) as app_port, tempfile.TemporaryDirectory(prefix="edge-") as tmp:
        directory = conf_dir or Path(tmp)
        export(factory, f"http://127.0.0.1:{app_port}", directory)
        with nginx(directory) as edge_port:
            client = Client()
            if warm_up and probes:
                client.send(app_port, probes[0])

            def one(index: int) -> tuple[Answer, Answer]:
                probe = probes[index]
                return (
                    client.send(app_port, probe, f"d{index}"),
                    client.send(edge_port, probe, f"p{index}"),
                )

            with ThreadPoolExecutor(threads) as pool:
                answers = list(pool.map(one, range(len(probes)), chunksize=64))
            seen = seen_ids(app_port)
    mismatches = []
    unparsed = []
    for index, (probe, (direct, edge)) in enumerate(zip(probes, answers)):
        if f"d{index}" not in seen or _nginx_error_page(edge):
            # The WSGI server (or nginx itself, before any configuration is read) refused
            # the request as malformed HTTP: no answer of the app to compare with.
            unparsed.append(probe)
        elif direct != edge:
            mismatches.append((probe, direct, edge))
    answered = [f"p{index}" not in seen for index in range(len(probes))]
    return Report(len(probes), mismatches, answered, probes, unparsed)


def _nginx_error_page(answer: Answer) -> bool:
    return answer.status in (400, 414, 494) and answer.first_line.startswith(b"<html>")
