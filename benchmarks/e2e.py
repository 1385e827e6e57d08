"""End-to-end run: each contender under gunicorn (one sync worker) on loopback, driven by wrk.

Servers for every contender run side by side on different ports. A round runs one short wrk
run per (server, request) pair in a fresh random order, each between two runs of the bare app's
GET; a run's requests per second is divided by the mean of those two neighbours, and the median
over rounds is reported.
"""

from __future__ import annotations

import http.client
import os
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
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.apps import ALLOWED_ORIGIN, BARE, FLASK_CORS, PREFLIGHT, Shape

SERVER_NAMES = {BARE: "bare", FLASK_CORS: "flask-cors", PREFLIGHT: "preflight"}
PATH = Shape().target_path()

LUA = {
    "GET": 'wrk.method = "GET"\n',
    "P1": f'wrk.method = "GET"\nwrk.headers["Origin"] = "{ALLOWED_ORIGIN}"\n',
    "P2": (
        'wrk.method = "OPTIONS"\n'
        f'wrk.headers["Origin"] = "{ALLOWED_ORIGIN}"\n'
        'wrk.headers["Access-Control-Request-Method"] = "PUT"\n'
        'wrk.headers["Access-Control-Request-Headers"] = "x-custom"\n'
    ),
}
# The reference is the bare app's answer to the very request a browser sends for an actual GET
# (with its Origin header): gunicorn parses every request header in Python, so a reference
# without it would charge the extension for the header's parsing.
REFERENCE_KIND = "P1"
KIND_LABEL = {"GET": "GET, no Origin", "P1": "actual GET (allowed origin)", "P2": "preflight"}


@dataclass
class E2EWorkload:
    """One wrk target: a contender's server and a kind of request."""

    contender: str
    kind: str
    rps: list[float] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)  # to the neighbouring bare GET runs
    non_2xx: int = 0
    errors: int = 0


@dataclass
class E2EResult:
    """The outcome of the end-to-end run (or why it was skipped)."""

    skipped: str | None = None
    rounds: int = 0
    seconds: float = 0.0
    workloads: list[E2EWorkload] = field(default_factory=list)
    responses: dict[tuple[str, str], str] = field(default_factory=dict)

    def reference(self) -> E2EWorkload:
        """The bare app's GET, with the same ``Origin`` header as the actual GET."""
        return next(w for w in self.workloads if w.contender == BARE and w.kind == REFERENCE_KIND)

    def ratio(self, w: E2EWorkload) -> float:
        """Median of rps(w) / mean rps of the bare GET runs just before and after it."""
        if w is self.reference():
            return 1.0
        return statistics.median(w.ratios) if w.ratios else float("nan")

    def find(self, contender: str, kind: str) -> E2EWorkload | None:
        """The workload for a contender and kind, if run."""
        return next(
            (w for w in self.workloads if w.contender == contender and w.kind == kind), None
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait_ready(port: int, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", PATH)
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn on port {port} not ready after {timeout} s")


def _quiet_flags(gunicorn: Path) -> list[str]:
    """Gunicorn >= 24 opens a control socket at a fixed path; side-by-side servers collide."""
    help_text = subprocess.run([str(gunicorn), "--help"], capture_output=True, text=True).stdout
    return ["--no-control-socket"] if "--no-control-socket" in help_text else []


@contextmanager
def _servers(contenders: list[str]) -> Iterator[dict[str, int]]:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    procs: list[subprocess.Popen[bytes]] = []
    ports: dict[str, int] = {}
    root = Path(__file__).resolve().parent.parent
    try:
        for contender in contenders:
            port = _free_port()
            env = dict(os.environ, BENCH_CONTENDER=SERVER_NAMES[contender])
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH")]))
            cmd = [str(gunicorn), "--workers", "1", "--worker-class", "sync"]
            cmd += ["--bind", f"127.0.0.1:{port}", "--log-level", "warning"]
            cmd += _quiet_flags(gunicorn)
            cmd += ["benchmarks.serve:app"]
            procs.append(subprocess.Popen(cmd, env=env, cwd=root))
            ports[contender] = port
        for proc, port in zip(procs, ports.values()):
            _wait_ready(port, proc)
        yield ports
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def check_response(port: int, kind: str) -> str:
    """One request of this kind, summarised as status plus CORS headers present."""
    headers = {}
    method = "GET"
    if kind in ("P1", "P2"):
        headers["Origin"] = ALLOWED_ORIGIN
    if kind == "P2":
        method = "OPTIONS"
        headers["Access-Control-Request-Method"] = "PUT"
        headers["Access-Control-Request-Headers"] = "x-custom"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request(method, PATH, headers=headers)
        resp = conn.getresponse()
        resp.read()
        present = [
            short
            for name, short in (
                ("Access-Control-Allow-Origin", "ACAO"),
                ("Access-Control-Allow-Methods", "ACAM"),
            )
            if resp.getheader(name)
        ]
        return f"{resp.status}" + (" " + "+".join(present) if present else "")
    finally:
        conn.close()


_RPS = re.compile(r"Requests/sec:\s+([\d.]+)")
_NON2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


def _wrk(wrk: str, script: Path, port: int, seconds: float) -> tuple[float, int, int]:
    cmd = [wrk, "-t1", "-c2", f"-d{max(1, round(seconds))}s", "-s", str(script)]
    cmd.append(f"http://127.0.0.1:{port}{PATH}")
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 30).stdout
    match = _RPS.search(out)
    if match is None:
        raise RuntimeError(f"could not parse wrk output:\n{out}")
    non_2xx = int(m.group(1)) if (m := _NON2XX.search(out)) else 0
    errors = sum(map(int, m.groups())) if (m := _ERRORS.search(out)) else 0
    return float(match.group(1)), non_2xx, errors


def run(contenders: list[str], rounds: int, seconds: float, seed: int = 4) -> E2EResult:
    """Run the interleaved end-to-end benchmark; skip (with the reason) if it cannot run."""
    wrk = shutil.which("wrk")
    if wrk is None:
        return E2EResult(skipped="wrk is not installed (Debian package `wrk`)")
    if not Path(sys.executable).with_name("gunicorn").exists():
        return E2EResult(skipped="gunicorn is not installed in this environment")
    started = time.monotonic()
    contenders = [BARE, *(c for c in contenders if c != BARE)]  # the reference always runs
    workloads = [E2EWorkload(BARE, REFERENCE_KIND), E2EWorkload(BARE, "GET")]
    for contender in contenders:
        workloads += [E2EWorkload(contender, kind) for kind in ("P1", "P2")]
    workloads = list({(w.contender, w.kind): w for w in workloads}.values())
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as tmp:
        scripts = {}
        for kind, lua in LUA.items():
            scripts[kind] = Path(tmp, f"{kind}.lua")
            scripts[kind].write_text(lua)
        with _servers(contenders) as ports:
            responses = {
                (w.contender, w.kind): check_response(ports[w.contender], w.kind) for w in workloads
            }

            def measure(w: E2EWorkload) -> float:
                rps, non_2xx, errors = _wrk(wrk, scripts[w.kind], ports[w.contender], seconds)
                w.rps.append(rps)
                w.non_2xx += non_2xx
                w.errors += errors
                return rps

            # Each target runs between two runs of the reference (the bare app's GET): R t R t R ...
            # and is compared with the mean of its two neighbours, which cancels drift.
            reference, targets = workloads[0], workloads[1:]
            done = 0
            for _ in range(rounds):
                rng.shuffle(targets)
                before = measure(reference)
                for w in targets:
                    rps = measure(w)
                    after = measure(reference)
                    if before > 0 and after > 0:
                        w.ratios.append(rps / ((before + after) / 2))
                    before = after
                done += 1
    return E2EResult(
        rounds=done,
        seconds=time.monotonic() - started,
        workloads=workloads,
        responses=responses,
    )
