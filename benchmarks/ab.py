"""A/B: Flask-Preflight at a git revision against the working tree, in one interleaved run.

``python -m benchmarks.ab REV`` extracts ``flask_preflight/`` at ``REV`` into a temporary
directory under another package name, builds the benchmark app with each, and times P1, P2,
P3 and P6 the way the main benchmark does (interleaved rounds, ratios per round to the bare
GET of the same round, medians). It prints each figure for both and the ratio new/old, so a
change's cost is measured on one machine at one time, not read off two noisy runs.
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path
from types import ModuleType

from benchmarks.apps import BARE, FACTORIES, Shape, _base_app
from benchmarks.micro import ACTUAL_GET, NO_ORIGIN, PLAIN_GET, PREFLIGHT_REQ, REFUSED, Suite

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ab", description=__doc__)
    parser.add_argument("revision", help="the git revision to compare with, e.g. main~3")
    parser.add_argument("--seconds", type=float, default=30.0, help="time budget of the rounds")
    args = parser.parse_args(argv)
    shape = Shape()
    with tempfile.TemporaryDirectory(prefix="bench-ab-") as tmp:
        old = load_revision(args.revision, Path(tmp))

        def make_old(shape: Shape) -> object:
            app = _base_app(shape)
            old.Preflight(  # the policy of benchmarks.apps.make_preflight
                app,
                origins=shape.origin_list(),
                methods=["GET", "PUT", "POST", "DELETE"],
                allow_headers="*",
                credentials=False,
                max_age=600,
            )
            return app

        FACTORIES["old"] = make_old  # type: ignore[assignment]
        suite = Suite()
        suite.add(BARE, shape, PLAIN_GET)
        for contender in ("old", "Flask-Preflight"):
            for kind in KINDS:
                suite.add(contender, shape, kind)
        suite.calibrate(0.002, 0.05)
        rounds = suite.run(10_000, args.seconds)
        print(f"{rounds} interleaved rounds; ratios to the bare GET of the same round")
        print(f"{'':4} {args.revision:>12} {'working tree':>12} {'new/old':>8}")
        for kind in KINDS:
            old_w = suite.get("old", shape, kind)
            new_w = suite.get("Flask-Preflight", shape, kind)
            assert old_w is not None and new_w is not None
            change = statistics.median(a / b for a, b in zip(new_w.samples, old_w.samples))
            print(
                f"{kind.key:4} {suite.ratio(old_w):12.3f} {suite.ratio(new_w):12.3f} {change:8.3f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
