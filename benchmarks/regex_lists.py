"""Regex origin lists: does the cost of an allowed request grow with the number of regexes?

``python -m benchmarks.regex_lists`` builds, with 1 and with 100 origin regexes of
flask-cors's usual form (``https://[a-z0-9.-]+\\.s<i>\\.example\\.com$``, case-insensitive),
the native app (``Preflight(app, origins=[re.compile(...), ...])``) and the compat app
(``flask_preflight.compat.CORS(app, origins=[...])``), and times an actual GET and a
preflight from an allowed origin through ``app.wsgi_app``. Each request comes from another
subdomain, rotating through 50,000 distinct origins that match the last regex of the list,
so no per-origin cache can be what makes it fast. Rounds are interleaved as in
``benchmarks.micro``; the figures are medians over rounds of per-round ratios: each
workload to the bare Flask GET of the same round, and the 100-regex workload to its
1-regex twin (the growth).
"""

from __future__ import annotations

import argparse
import gc
import random
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from flask import Flask

from benchmarks.apps import METHODS, Shape, _base_app, make_bare
from benchmarks.micro import (
    ACTUAL_GET,
    PLAIN_GET,
    PREFLIGHT_REQ,
    RequestKind,
    WSGIApp,
    _start_response,
    call_once,
)

SHAPE = Shape()
COUNTS = (1, 100)
ORIGINS = 50_000
KINDS = (ACTUAL_GET, PREFLIGHT_REQ)


def regex_sources(count: int) -> list[str]:
    return [rf"https://[a-z0-9.-]+\.s{i}\.example\.com$" for i in range(count)]


def make_native(count: int) -> Flask:
    from flask_preflight import Preflight

    app = _base_app(SHAPE)
    origins = [re.compile(source, re.IGNORECASE) for source in regex_sources(count)]
    Preflight(app, origins=origins, methods=list(METHODS), allow_headers="*", max_age=600)
    return app


def make_compat(count: int) -> Flask:
    from flask_preflight.compat import CORS

    app = _base_app(SHAPE)
    CORS(app, origins=regex_sources(count), methods=list(METHODS), allow_headers="*", max_age=600)
    return app


FACTORIES = {"native": make_native, "compat": make_compat}


def rotating_origins(count: int) -> list[str]:
    """Distinct origins, each admitted by the last regex of a list of ``count`` only."""
    return [f"https://u{n}.s{count - 1}.example.com" for n in range(ORIGINS)]


@dataclass
class Workload:
    name: str
    app: WSGIApp
    environ: dict[str, Any]
    origins: list[str] | None
    batch: int = 1
    position: int = 0
    samples: list[float] = field(default_factory=list)

    def run(self, n: int) -> float:
        """Time ``n`` requests; each gets a shallow environ copy with the next origin."""
        app, copy, origins = self.app, self.environ.copy, self.origins
        position = self.position
        t0 = time.perf_counter_ns()
        for _ in range(n):
            environ = copy()
            if origins is not None:
                environ["HTTP_ORIGIN"] = origins[position]
                position = (position + 1) % ORIGINS
            body = app(environ, _start_response)
            for _chunk in body:
                pass
            close = getattr(body, "close", None)
            if close is not None:
                close()
        elapsed = time.perf_counter_ns() - t0
        self.position = position
        return elapsed / n


def workloads() -> tuple[Workload, list[Workload]]:
    bare = Workload("bare GET", make_bare(SHAPE).wsgi_app, PLAIN_GET.environ(SHAPE), None)
    found = []
    for contender, factory in FACTORIES.items():
        for count in COUNTS:
            app = factory(count).wsgi_app
            origins = rotating_origins(count)
            for kind in KINDS:
                environ = kind.environ(SHAPE)
                check = dict(environ, HTTP_ORIGIN=origins[-1])
                response = call_once(app, check)
                granted = response.headers.get("Access-Control-Allow-Origin")
                assert granted == origins[-1], (contender, count, kind.key, response)
                found.append(Workload(_name(contender, count, kind), app, environ, origins))
    return bare, found


def _name(contender: str, count: int, kind: RequestKind) -> str:
    return f"{contender} {count:>3} regex{'es' if count > 1 else '  '} {kind.key}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.regex_lists", description=__doc__)
    parser.add_argument("--seconds", type=float, default=20.0, help="time budget of the rounds")
    args = parser.parse_args(argv)
    bare, measured = workloads()
    everything = [bare, *measured]
    for w in everything:  # warm up and size batches to about 2 ms
        w.run(200)
        w.batch = max(1, round(2e6 / w.run(200)))
    rng = random.Random(18)
    gc.collect()
    gc.freeze()
    deadline = time.perf_counter() + args.seconds
    rounds = 0
    try:
        while rounds < 3 or time.perf_counter() < deadline:
            rng.shuffle(everything)
            for w in everything:
                w.samples.append(w.run(w.batch))
            rounds += 1
    finally:
        gc.unfreeze()
    print(f"{rounds} interleaved rounds, {ORIGINS:,} rotating origins; ratios per round")
    print(f"{'workload':28} {'to bare GET':>12} {'100 / 1':>8}")
    by_name = {w.name: w for w in measured}
    for w in measured:
        ratio = statistics.median(a / b for a, b in zip(w.samples, bare.samples))
        growth = ""
        if " 100 " in w.name:
            one = by_name[w.name.replace(" 100 regexes", "   1 regex  ")]
            growth = f"{statistics.median(a / b for a, b in zip(w.samples, one.samples)):8.3f}"
        print(f"{w.name:28} {ratio:12.3f} {growth:>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
