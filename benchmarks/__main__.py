"""Entry point: ``python -m benchmarks`` (full run) or ``python -m benchmarks --smoke``."""

from __future__ import annotations

import argparse
import datetime
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks import e2e, memory, report
from benchmarks.apps import (
    BARE,
    FLASK_CORS,
    PREFLIGHT,
    Shape,
    available_contenders,
)
from benchmarks.micro import (
    ACTUAL_GET,
    BIG,
    COMMAS,
    NAMES,
    NO_ORIGIN,
    PLAIN_GET,
    PREFLIGHT_REQ,
    REFUSED,
    SplitSuite,
)

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Settings:
    """How long each part runs."""

    name: str
    batch_seconds: float  # target duration of one batch of one workload
    warmup_seconds: float  # per workload, before timing
    rounds: int  # interleaved rounds (upper bound)
    budget_seconds: float  # stop the in-process rounds after this long
    instances: int  # identical instances of each app, run in turn in every batch
    e2e_rounds: int
    e2e_seconds: float  # one wrk run
    memory_shape: Shape
    attack: int  # preflights to distinct paths in the memory run
    judge: bool  # compare with the targets (never in a smoke run: its timings mean nothing)


FULL = Settings(
    "Full", 0.003, 0.05, 2000, 100.0, 5, 7, 1.0, Shape(routes=1000, origins=10_000), 20_000, True
)
SMOKE = Settings(
    "Smoke", 0.0002, 0.0, 3, 5.0, 1, 1, 1.0, Shape(routes=100, origins=1_000), 200, False
)


def build_suite(contenders: list[str], instances: int) -> SplitSuite:
    """Register every workload: base scenarios, the P4 scaling shapes, then each section's
    (report.SECTIONS: the reference rows, compat, the middleware order). The base-shape
    workloads and the scaling ones are measured as two suites (``SplitSuite``)."""
    suite = SplitSuite(instances)
    base = Shape()
    suite.add(BARE, base, PLAIN_GET)
    for c in contenders:
        for kind in (ACTUAL_GET, PREFLIGHT_REQ, REFUSED, COMMAS, NAMES, BIG, NO_ORIGIN):
            if not (c == BARE and kind is NO_ORIGIN):
                suite.add(c, base, kind)
        for kind in (ACTUAL_GET, PREFLIGHT_REQ):  # the scaling rows' own baseline
            suite.add(c, report.SCALING_BASE, kind)
        for n in report.ROUTES[1:]:
            for kind in (ACTUAL_GET, PREFLIGHT_REQ):
                suite.add(c, Shape(routes=n), kind)
        if c == BARE:
            continue  # the bare app has no origins to scale
        for shape in [Shape(origins=n) for n in report.ORIGINS[1:]] + [
            Shape(patterns=n) for n in report.PATTERNS
        ]:
            for kind in (ACTUAL_GET, PREFLIGHT_REQ):
                suite.add(c, shape, kind)
    for section in report.SECTIONS:
        section.add(suite, contenders)
    return suite


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the table, write results.md and p4.png."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny run for CI; asserts nothing")
    parser.add_argument("--out", type=Path, help="output directory (default benchmarks/results)")
    parser.add_argument("--no-e2e", action="store_true", help="skip gunicorn + wrk")
    parser.add_argument("--no-memory", action="store_true", help="skip the peak RSS run")
    args = parser.parse_args(argv)
    settings = SMOKE if args.smoke else FULL
    started = time.monotonic()

    contenders, missing = available_contenders()
    machine = report.machine_info()
    print(f"{settings.name} run; contenders: {', '.join(contenders)}", flush=True)
    for name, reason in missing.items():
        print(f"  {name} not run: {reason}", flush=True)

    suite = build_suite(contenders, settings.instances)
    print(f"in-process: {len(suite.workloads)} workloads, calibrating...", flush=True)
    suite.calibrate(settings.batch_seconds, settings.warmup_seconds)
    t0 = time.monotonic()
    rounds = suite.run(settings.rounds, settings.budget_seconds)
    micro_seconds = time.monotonic() - t0
    print(f"in-process: {suite.describe()}", flush=True)

    if args.no_e2e:
        e2e_result = e2e.E2EResult(skipped="disabled with --no-e2e")
    else:
        print("end-to-end: gunicorn + wrk...", flush=True)
        try:
            e2e_result = e2e.run(contenders, settings.e2e_rounds, settings.e2e_seconds)
        except Exception as exc:  # report, never fail the run on the end-to-end part
            e2e_result = e2e.E2EResult(skipped=f"error: {exc!r}")
        if e2e_result.skipped:
            print(f"end-to-end part skipped: {e2e_result.skipped}", flush=True)

    mem: dict[str, memory.MemoryResult] = {}
    shape = settings.memory_shape
    if args.no_memory:
        memory_note = "Peak memory: skipped (--no-memory)."
    else:
        print("memory: peak RSS per contender...", flush=True)
        for c in contenders:
            attack = settings.attack if c != FLASK_CORS else 0
            mem[c] = memory.run(c, shape.routes, shape.origins if c != BARE else 1, attack)
        memory_note = (
            "M rows: peak RSS (VmHWM) of a fresh process that imports the contender, builds"
            f" the app with {shape.routes:,} routes and {shape.origins:,} allowed origins and sends"
            " a GET and a preflight to every route; ratio to the bare app with the same routes."
            " Setup is the time to build the app and serve its first request."
            f" M-a then sends {settings.attack:,} preflights to distinct paths with distinct"
            " requested headers, to show caches stay bounded (not run for flask-cors, which"
            " caches nothing and takes ~1.5 ms per request at this size)."
        )

    rows = report.micro_rows(suite, contenders)
    rows += report.e2e_rows(e2e_result, contenders)
    rows += report.memory_rows(mem, shape, settings.attack)
    out_dir = args.out
    tmp: tempfile.TemporaryDirectory[str] | None = None
    if out_dir is None:
        if args.smoke:
            tmp = tempfile.TemporaryDirectory(prefix="bench-smoke-")
            out_dir = Path(tmp.name)
        else:
            out_dir = RESULTS
    out_dir.mkdir(parents=True, exist_ok=True)
    sections, misses = [], []
    for section in report.SECTIONS:
        text, missed = section.render(suite, settings.judge)
        sections.append(text)
        misses += missed
    total_seconds = time.monotonic() - started
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    text = report.render(
        mode=settings.name,
        machine=machine,
        suite=suite,
        rounds=rounds,
        micro_seconds=micro_seconds,
        rows=rows,
        e2e=e2e_result,
        contenders=contenders,
        missing=missing,
        memory_note=memory_note,
        total_seconds=total_seconds,
        sections=sections,
        judge=settings.judge,
    )
    print()
    print(text)
    (out_dir / "results.md").write_text(text)
    # docs/performance.md includes summary.md: the last full run whose null check held.
    failure = report.null_check_failure(suite) if settings.judge else None
    if settings.judge and failure is None:
        summary = report.render_summary(suite, rows, machine, when)
        (out_dir / "summary.md").write_text(summary)
    report.chart(
        suite,
        contenders,
        out_dir / "p4.png",
        f"P4: cost as the app grows ({settings.name.lower()} run, {when}, `make bench`)\n"
        f"{machine['CPU']}, {machine['cores']} cores; Python {machine['Python']},"
        f" Flask {machine['Flask']}, Werkzeug {machine['Werkzeug']},"
        f" flask-cors {machine['flask-cors']}; git {machine['git revision']}",
    )
    if settings.judge:
        for line in report.summary_lines(rows) + [f"MISSED {m}" for m in misses]:
            print(line)
    else:
        print("smoke run: every contender and scenario ran; timings mean nothing, none judged")
    print(f"wrote {out_dir / 'results.md'} and {out_dir / 'p4.png'}")
    if tmp is not None:
        tmp.cleanup()
    if PREFLIGHT in missing:
        print(f"note: {PREFLIGHT} was not benchmarked ({missing[PREFLIGHT]})")
    if failure is not None:
        print(f"{failure} ({out_dir / 'summary.md'} was not written.)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
