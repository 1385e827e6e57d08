"""The edge row: preflights answered by nginx with ``flask preflight export nginx``'s
configuration, against preflights answered by the app under gunicorn (2 sync workers), and
an actual GET through that nginx against nginx with a plain ``proxy_pass``.

``python -m benchmarks.edge`` (``--smoke``: one short round). The app is the demo's API;
all servers run side by side on loopback, and every round runs one wrk run per workload in
a fresh random order, so the ratios compare runs made under the same load. The result goes
to ``benchmarks/results/edge.md``.
"""

from __future__ import annotations

import argparse
import http.client
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "edge.md"
PAGE_ORIGIN = "http://127.0.0.1:5000"
FACTORY = f"examples.spa.api:create_api_app({PAGE_ORIGIN!r})"
PREFLIGHT_PATH = "/api/profile"
GET_PATH = "/api/hello"
LUA = {
    "preflight": (
        'wrk.method = "OPTIONS"\n'
        f'wrk.headers["Origin"] = "{PAGE_ORIGIN}"\n'
        'wrk.headers["Access-Control-Request-Method"] = "PATCH"\n'
        'wrk.headers["Access-Control-Request-Headers"] = "content-type"\n'
    ),
    "get": f'wrk.method = "GET"\nwrk.headers["Origin"] = "{PAGE_ORIGIN}"\n',
}
# (label, server, request kind)
WORKLOADS = (
    ("preflight, gunicorn (2 sync workers)", "app", "preflight"),
    ("preflight, nginx with the exported config", "edge", "preflight"),
    ("actual GET, nginx with the exported config", "edge", "get"),
    ("actual GET, nginx with a plain proxy_pass", "plain", "get"),
)
PLAIN_SERVER = "location / {{\n    proxy_pass {upstream};\n}}\n"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), 0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


@contextmanager
def _process(command: list[str], port: int) -> Iterator[None]:
    process = subprocess.Popen(command, cwd=ROOT)
    try:
        _wait(port, process)
        yield
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _nginx_conf(prefix: Path, port: int, http_include: str, server_include: str) -> str:
    temp = "".join(
        f"    {name}_temp_path {prefix}/{name};\n"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"daemon off;\nworker_processes auto;\npid {prefix}/nginx.pid;\n"
        f"error_log {prefix}/error.log warn;\nevents {{ worker_connections 1024; }}\n"
        f"http {{\n    access_log off;\n{temp}    include {http_include}\n"
        f"    server {{\n        listen 127.0.0.1:{port};\n        include {server_include}\n"
        "    }\n}\n"
    )


@contextmanager
def _nginx(
    nginx: str, directory: Path, name: str, http_conf: str, server_conf: str
) -> Iterator[int]:
    prefix = directory / name
    prefix.mkdir()
    (prefix / "http.conf").write_text(http_conf)
    (prefix / "server.conf").write_text(server_conf)
    port = _free_port()
    conf = prefix / "nginx.conf"
    conf.write_text(_nginx_conf(prefix, port, f"{prefix}/http.conf;", f"{prefix}/server.conf;"))
    with _process([nginx, "-p", str(prefix), "-c", str(conf)], port):
        yield port


def _answer(port: int, kind: str) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    headers = {"Origin": PAGE_ORIGIN}
    if kind == "preflight":
        headers["Access-Control-Request-Method"] = "PATCH"
        headers["Access-Control-Request-Headers"] = "content-type"
    connection.request("OPTIONS" if kind == "preflight" else "GET", _path(kind), headers=headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    return f"{response.status} {response.getheader('Access-Control-Allow-Origin')}"


def _path(kind: str) -> str:
    return PREFLIGHT_PATH if kind == "preflight" else GET_PATH


_RPS = re.compile(r"Requests/sec:\s+([\d.]+)")
_NON2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")


def _wrk(wrk: str, script: Path, port: int, kind: str, seconds: int) -> float:
    command = [wrk, "-t2", "-c8", f"-d{seconds}s", "-s", str(script)]
    command.append(f"http://127.0.0.1:{port}{_path(kind)}")
    out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30).stdout
    match = _RPS.search(out)
    if match is None:
        raise RuntimeError(f"could not read wrk's output:\n{out}")
    if _NON2XX.search(out):
        raise RuntimeError(f"non-2xx answers:\n{out}")
    return float(match.group(1))


def run(rounds: int, seconds: int, seed: int = 21) -> str:
    """The edge row as Markdown (or why it could not run)."""
    wrk, nginx = shutil.which("wrk"), shutil.which("nginx") or "/usr/sbin/nginx"
    gunicorn = Path(sys.executable).with_name("gunicorn")
    missing = [
        what
        for what, present in (
            ("wrk", wrk is not None),
            ("nginx", Path(nginx).exists()),
            ("gunicorn", gunicorn.exists()),
        )
        if not present
    ]
    if missing or wrk is None:
        return f"Edge row skipped: {', '.join(missing)} not installed.\n"
    sys.path.insert(0, str(ROOT))
    from examples.spa.api import create_api_app
    from flask_preflight.edge import read_app
    from flask_preflight.edge.nginx import HTTP_CONF, SERVER_CONF, render

    rng = random.Random(seed)
    rps: dict[str, list[float]] = {label: [] for label, _, _ in WORKLOADS}
    with tempfile.TemporaryDirectory(prefix="bench-edge-") as tmp, ExitStack() as stack:
        directory = Path(tmp)
        app_port = _free_port()
        command = [str(gunicorn), "-w", "2", "-k", "sync", "-b", f"127.0.0.1:{app_port}"]
        stack.enter_context(_process([*command, "--log-level", "warning", FACTORY], app_port))
        upstream = f"http://127.0.0.1:{app_port}"
        # The demo's traffic counter wraps the app after Preflight(app) and only counts
        # (docs/edge.md exports it the same way).
        edge = read_app(create_api_app(PAGE_ORIGIN), outer_middleware_changes_nothing=True)
        if edge.everything_passed is not None:  # the row would time proxy_pass, not nginx
            raise SystemExit(f"edge row: the export answers nothing: {edge.everything_passed}")
        files = render(edge, upstream, FACTORY)
        ports = {"app": app_port}
        ports["edge"] = stack.enter_context(
            _nginx(nginx, directory, "edge", files[HTTP_CONF], files[SERVER_CONF])
        )
        ports["plain"] = stack.enter_context(
            _nginx(nginx, directory, "plain", "", PLAIN_SERVER.format(upstream=upstream))
        )
        answers = {label: _answer(ports[server], kind) for label, server, kind in WORKLOADS}
        scripts = {}
        for kind, lua in LUA.items():
            scripts[kind] = directory / f"{kind}.lua"
            scripts[kind].write_text(lua)
        # Each compared pair runs back to back (in a random order), so that its ratio is
        # taken under the same load; the median of the per-round ratios is reported.
        pairs = [list(WORKLOADS[:2]), list(WORKLOADS[2:])]
        for _ in range(rounds):
            rng.shuffle(pairs)
            for pair in pairs:
                rng.shuffle(pair)
                for label, server, kind in pair:
                    rps[label].append(_wrk(wrk, scripts[kind], ports[server], kind, seconds))
    median = {label: statistics.median(values) for label, values in rps.items()}
    labels = [label for label, _, _ in WORKLOADS]
    ratio = [
        statistics.median(a / b for a, b in zip(rps[labels[i]], rps[labels[j]]))
        for i, j in ((1, 0), (2, 3))
    ]
    lines = [
        f"Edge row: the demo's API, {rounds} interleaved rounds of {seconds} s wrk runs "
        "(2 threads, 8 connections) on loopback; nginx with worker_processes auto, as Debian's "
        "nginx.conf has it; median requests per second.",
        "",
        "| workload | answer | req/s |",
        "|---|---|---|",
    ]
    lines += [f"| {label} | {answers[label]} | {median[label]:.0f} |" for label in labels]
    lines += [
        "",
        f"- preflights, nginx / gunicorn: {ratio[0]:.1f}x (median of the rounds' ratios)",
        f"- actual GET, exported config / plain proxy_pass: {ratio[1]:.2f}x",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="one short round, nothing written")
    args = parser.parse_args()
    text = run(1, 1) if args.smoke else run(9, 2)
    print(text, end="")
    if not args.smoke:
        RESULTS.write_text(text)


if __name__ == "__main__":
    main()
