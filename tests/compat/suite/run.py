"""``make compat-suite``: flask-cors 6.0.5's own test suite, run against
``flask_preflight.compat``.

The sdist is downloaded at run time (nothing of flask-cors is kept in this repository), its
``tests/`` copied to a temporary directory, and its imports rewritten: ``flask_cors`` to
``flask_preflight.compat``, ``flask_cors.core`` (header-name constants) to
``flask_cors_names`` (copied from this directory next to the suite). Tests of flask-cors
internals are excluded by name (``EXCLUDED``); the tests listed in ``DIFFERENCES.md`` must
fail (strict xfail: one that passes is an error, so the list cannot go stale); every other
test must pass.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

VERSION = "6.0.5"
HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
DIFFERENCES = HERE / "DIFFERENCES.md"

# Tests of flask_cors.core helpers (option serialisation, regex heuristics, sorting), which
# compat does not have; and the typing module, which holds no tests.
EXCLUDED = ("tests/core/test_helpers.py", "tests/typecheck")

_ENTRY = re.compile(r"^- `(?P<nodeid>tests/[^`]+)`")

CONFTEST = """
import pytest

EXPECTED = {expected!r}


def pytest_collection_modifyitems(items):
    for item in items:
        reason = EXPECTED.get(item.nodeid)
        if reason is not None:
            item.add_marker(pytest.mark.xfail(strict=True, reason=reason))


def pytest_sessionfinish(session):
    missing = set(EXPECTED) - {{item.nodeid for item in session.items}}
    if missing:
        print("DIFFERENCES.md lists tests that do not exist:", sorted(missing))
        session.exitstatus = 1
"""


def expected_differences() -> dict[str, str]:
    """Node id -> reason, from the list in DIFFERENCES.md."""
    expected: dict[str, str] = {}
    for line in DIFFERENCES.read_text().splitlines():
        match = _ENTRY.match(line)
        if match:
            expected[match["nodeid"]] = line[match.end() :].strip(" :")
    return expected


def rewrite(source: str) -> str:
    source = re.sub(
        r"^(\s*)from flask_cors\.core import",
        r"\1from flask_cors_names import",
        source,
        flags=re.MULTILINE,
    )
    source = re.sub(
        r"^(\s*)from flask_cors import",
        r"\1from flask_preflight.compat import",
        source,
        flags=re.MULTILINE,
    )
    if re.search(r"^\s*(from|import)\s+flask_cors\b", source, flags=re.MULTILINE):
        raise SystemExit("compat suite: an import of flask_cors was not rewritten")
    return source


def fetch(workdir: Path) -> Path:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--no-binary",
            ":all:",
            f"flask-cors=={VERSION}",
            "-d",
            str(workdir),
        ],
        check=True,
    )
    sdist = next(workdir.glob(f"flask_cors-{VERSION}.tar.gz"))
    with tarfile.open(sdist) as archive:
        archive.extractall(workdir, filter="data")
    return workdir / f"flask_cors-{VERSION}"


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="compat-suite-") as tmp:
        unpacked = fetch(Path(tmp))
        suite = Path(tmp) / "suite"
        for path in (unpacked / "tests").rglob("*.py"):
            target = suite / "fc" / path.relative_to(unpacked)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(rewrite(path.read_text()))
        names = (HERE / "flask_cors_names.py").read_text()
        (suite / "fc" / "flask_cors_names.py").write_text(names)
        (suite / "fc" / "conftest.py").write_text(CONFTEST.format(expected=expected_differences()))
        command = [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-rfEX",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(suite / "fc"),
            "-c",
            "/dev/null",
            *(f"--ignore={suite / 'fc' / name}" for name in EXCLUDED),
            *sys.argv[1:],
            str(suite / "fc" / "tests"),
        ]
        # The suite's package is named ``tests``, like ours: only its directory is on the
        # path (flask_preflight is installed in the environment).
        env = {**os.environ, "PYTHONPATH": str(suite / "fc")}
        return subprocess.run(command, cwd=suite / "fc", env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
