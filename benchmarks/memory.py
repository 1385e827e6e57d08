"""Peak memory (max RSS) of a process holding one contender app with many routes and origins.

Run by the benchmark as a subprocess: ``python -m benchmarks.memory CONTENDER ROUTES ORIGINS N``.
It builds the app and times that plus its first request, sends a GET and a preflight to
every route, records the peak RSS, then sends
``N`` preflights to distinct paths with distinct requested headers (what an attacker would do to
fill a cache) and records the peak RSS again. Prints one JSON object.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from dataclasses import dataclass

from benchmarks.apps import ALLOWED_ORIGIN, FACTORIES, Shape


def _maxrss_kb() -> int:
    """Peak RSS in KiB. VmHWM belongs to this process image; ru_maxrss is inherited across
    fork and exec on Linux, so it would report the (bigger) parent benchmark process."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def measure(contender: str, routes: int, origins: int, attack: int) -> dict[str, int]:
    """Build the app, warm it, attack it; return peak RSS (KiB) at each stage."""
    from benchmarks.micro import call_once

    start_kb = _maxrss_kb()
    shape = Shape(routes=routes, origins=origins)
    t0 = time.perf_counter()
    app = FACTORIES[contender](shape)
    client_headers = {
        "HTTP_ORIGIN": ALLOWED_ORIGIN,
        "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "PUT",
        "HTTP_ACCESS_CONTROL_REQUEST_HEADERS": "x-custom",
    }
    base = {
        "SERVER_NAME": "api.example.com",
        "SERVER_PORT": "443",
        "HTTP_HOST": "api.example.com",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "wsgi.url_scheme": "https",
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    import io

    def env(method: str, path: str, extra: dict[str, str]) -> dict[str, object]:
        e: dict[str, object] = dict(base)
        e.update(extra)
        e.update(
            REQUEST_METHOD=method,
            PATH_INFO=path,
            **{"wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr},
        )
        return e

    call_once(app, env("GET", "/api/res0/1", {"HTTP_ORIGIN": ALLOWED_ORIGIN}))
    setup_ms = round((time.perf_counter() - t0) * 1000)
    for i in range(routes):
        call_once(app, env("GET", f"/api/res{i}/1", {"HTTP_ORIGIN": ALLOWED_ORIGIN}))
        call_once(app, env("OPTIONS", f"/api/res{i}/1", client_headers))
    setup_kb = _maxrss_kb()
    for i in range(attack):
        headers = dict(client_headers, HTTP_ACCESS_CONTROL_REQUEST_HEADERS=f"x-h{i}")
        call_once(app, env("OPTIONS", f"/api/res{i % routes}/{i}", headers))
    return {
        "start_kb": start_kb,
        "setup_kb": setup_kb,
        "attack_kb": _maxrss_kb(),
        "setup_ms": setup_ms,
    }


@dataclass(frozen=True)
class MemoryResult:
    """Peak RSS of one contender's process."""

    contender: str
    setup_kb: int
    attack_kb: int | None  # None: no attack phase was run
    setup_ms: int  # building the app and serving its first request


def run(contender: str, routes: int, origins: int, attack: int) -> MemoryResult:
    """Measure in a fresh interpreter so nothing else the benchmark built counts."""
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.memory",
            contender,
            str(routes),
            str(origins),
            str(attack),
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    data = json.loads(out.stdout.strip().splitlines()[-1])
    return MemoryResult(
        contender, data["setup_kb"], data["attack_kb"] if attack else None, data["setup_ms"]
    )


if __name__ == "__main__":
    name, n_routes, n_origins, n_attack = sys.argv[1], *map(int, sys.argv[2:5])
    print(json.dumps(measure(name, n_routes, n_origins, n_attack)))
