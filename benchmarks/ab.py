"""A/B: Flask-Preflight at a git revision against the working tree, in one interleaved run.

``python -m benchmarks.ab REV`` extracts ``flask_preflight/`` at ``REV`` into a temporary
directory under another package name, builds the benchmark app with each, and times P1, P2,
P3 and P6, compat's P1 and P6, and P1-P3 with ``ProxyFix`` installed before
``Preflight(app)``, the way the main benchmark does (interleaved rounds, several instances of
each app, ratios per round to the bare GET of the same round, medians, a second bare app as
the null check, the floor wrapper's P1 and the least per-route wrapper's P1 and P6 for
reference). It prints each figure for both and the
ratio new/old, so a change's cost is measured on one machine at one time, not read off two
noisy runs. It exits with status 1 (NULL CHECK FAILED) when the null check is off by more
than 1.5%.
"""

from __future__ import annotations

import argparse
import importlib
import math
import statistics
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path
from types import ModuleType

from flask import Flask

from benchmarks.apps import (
    BARE,
    BARE_NULL,
    COMPAT,
    FACTORIES,
    FLOOR,
    LEAST,
    MAX_AGE,
    METHODS,
    MIDDLEWARES,
    PREFLIGHT,
    Shape,
    _base_app,
    _flask_cors_options,
    bare_behind,
    order_contender,
)
from benchmarks.micro import ACTUAL_GET, NO_ORIGIN, PLAIN_GET, PREFLIGHT_REQ, REFUSED, Suite
from benchmarks.report import NULL_LIMIT

ROOT = Path(__file__).resolve().parent.parent
OLD_NAME = "flask_preflight_ab_old"
KINDS = (ACTUAL_GET, PREFLIGHT_REQ, REFUSED, NO_ORIGIN)


def load_revision(revision: str, into: Path) -> ModuleType:
    """Import ``flask_preflight`` as it was at ``revision`` (under another name)."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", revision, "flask_preflight"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into)  # our own repository's files
    (into / "flask_preflight").rename(into / OLD_NAME)
    sys.path.insert(0, str(into))
    return importlib.import_module(OLD_NAME)


def half_width(values: list[float]) -> float:
    """Half-width of a distribution-free 95% confidence interval of the median of
    ``values`` (the order statistics n/2 -/+ 0.98 sqrt(n)), as ``Suite.confidence``."""
    ordered = sorted(values)
    n = len(ordered)
    if n < 8:
        return float("nan")
    k = 0.98 * math.sqrt(n)
    return (ordered[min(n - 1, math.ceil(n / 2 + k))] - ordered[max(0, math.floor(n / 2 - k))]) / 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ab", description=__doc__)
    parser.add_argument("revision", help="the git revision to compare with, e.g. main~3")
    parser.add_argument("--seconds", type=float, default=30.0, help="time budget of the rounds")
    parser.add_argument("--instances", type=int, default=3, help="instances of each app")
    args = parser.parse_args(argv)
    shape = Shape()
    with tempfile.TemporaryDirectory(prefix="bench-ab-") as tmp:
        old = load_revision(args.revision, Path(tmp))
        old_compat = importlib.import_module(f"{OLD_NAME}.compat")

        def make_old(shape: Shape, app: Flask | None = None) -> Flask:
            app = _base_app(shape) if app is None else app
            old.Preflight(  # the policy of benchmarks.apps.make_preflight
                app,
                origins=shape.origin_list(),
                methods=list(METHODS),
                allow_headers="*",
                credentials=False,
                max_age=MAX_AGE,
            )
            return app

        def make_old_compat(shape: Shape) -> Flask:
            app = _base_app(shape)
            old_compat.CORS(app, **_flask_cors_options(shape))
            return app

        def make_old_proxy_fix_first(shape: Shape) -> Flask:
            app = _base_app(shape)
            app.wsgi_app = MIDDLEWARES["ProxyFix"](app.wsgi_app)  # type: ignore[method-assign]
            return make_old(shape, app)

        new_proxy_fix_first = order_contender("ProxyFix", "before")
        FACTORIES["old"] = make_old
        FACTORIES["old compat"] = make_old_compat
        FACTORIES["old, ProxyFix first"] = make_old_proxy_fix_first
        # (label, old contender, new contender, kinds, reference: None for the bare GET)
        lines = [
            ("", "old", PREFLIGHT, KINDS, None),
            ("compat ", "old compat", COMPAT, (ACTUAL_GET, NO_ORIGIN), None),
            (
                "ProxyFix first ",
                "old, ProxyFix first",
                new_proxy_fix_first,
                (ACTUAL_GET, PREFLIGHT_REQ, REFUSED),
                bare_behind("ProxyFix"),
            ),
        ]
        suite = Suite(args.instances)
        suite.add(BARE, shape, PLAIN_GET)
        suite.add(BARE_NULL, shape, PLAIN_GET)
        suite.add(bare_behind("ProxyFix"), shape, PLAIN_GET)
        suite.add(FLOOR, shape, ACTUAL_GET)
        suite.add(LEAST, shape, ACTUAL_GET)
        suite.add(LEAST, shape, NO_ORIGIN)
        for _, old_name, new_name, kinds, _ in lines:
            for contender in (old_name, new_name):
                for kind in kinds:
                    suite.add(contender, shape, kind)
        suite.calibrate(0.003, 0.05)
        rounds = suite.run(10_000, args.seconds)
        null = suite.ratio(suite.workloads[(BARE_NULL, shape, PLAIN_GET.key)])
        print(
            f"{rounds} interleaved rounds, {args.instances} instances of each app; ratios to"
            f" the bare GET of the same round (ProxyFix rows: to the bare GET behind ProxyFix);"
            f" null check (a second bare app) {null:.3f}"
        )
        floor = suite.ratio(suite.workloads[(FLOOR, shape, ACTUAL_GET.key)])
        print(f"floor (a WSGI wrapper appending 3 precomputed headers), P1: {floor:.3f}")
        least_p1, least_p6 = (
            suite.ratio(suite.workloads[(LEAST, shape, kind.key)])
            for kind in (ACTUAL_GET, NO_ORIGIN)
        )
        print(
            f"the least a per-route CORS wrapper does (benchmarks.apps.LEAST), P1 / P6:"
            f" {least_p1:.3f} / {least_p6:.3f}"
        )
        print(f"{'':22} {args.revision:>12} {'working tree':>12} {'new/old':>8} (95% CI)")
        for label, old_name, new_name, kinds, reference in lines:
            scale = 1.0
            if reference is not None:
                scale = suite.ratio(suite.workloads[(reference, shape, PLAIN_GET.key)])
            for kind in kinds:
                old_w = suite.get(old_name, shape, kind)
                new_w = suite.get(new_name, shape, kind)
                assert old_w is not None and new_w is not None
                changes = [a / b for a, b in zip(new_w.samples, old_w.samples)]
                print(
                    f"{label + kind.key:22} {suite.ratio(old_w) / scale:12.3f}"
                    f" {suite.ratio(new_w) / scale:12.3f} {statistics.median(changes):8.3f}"
                    f" ±{half_width(changes):.3f}"
                )
    if abs(null - 1) > NULL_LIMIT:
        print(
            f"NULL CHECK FAILED: a second, identical bare app measured {null:.3f}x the first"
            f" (allowed: 1 ± {NULL_LIMIT}); these figures are not trustworthy: run it again"
            " on a quieter machine.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
