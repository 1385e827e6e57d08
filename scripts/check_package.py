"""Check the package as a publisher and a new user would see it (``make package``).

1. Build the sdist and the wheel with ``python -m build`` from a copy of the tracked files
   (so no stale ``*.egg-info`` or untracked file can fill a gap in ``MANIFEST.in``).
2. ``twine check --strict`` both: the long description renders on PyPI.
3. Every classifier is a known trove classifier (PyPI refuses an upload otherwise).
4. The wheel holds the package's modules, ``py.typed``, its metadata and ``LICENSE``: no
   tests, examples or other top-level packages. The sdist holds every tracked file but the
   CI scripts, ``LICENSE`` and ``CHANGELOG.md`` included.
5. Install the wheel (with the ``test`` extra) in a clean virtual environment, outside the
   repository, and run the README's quick start against it: its output must be the one the
   README shows, and ``flask preflight routes`` must exist (the ``flask.commands`` entry
   point of the installed wheel).
6. Unpack the sdist and run its tests there (browser tests skip: no Chromium is given),
   then again with the lowest Flask and Werkzeug that the dependencies allow.

With ``--dist DIR`` (``make dist``), the checked sdist and wheel are then copied into
``DIR`` (``dist/``), replacing the ones of earlier builds; nothing is copied when a check
fails. Exits non-zero on the first failure, saying what was wrong.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from email.message import Message
from email.parser import HeaderParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Tracked files that stay out of the sdist: CI plumbing only.
NOT_IN_SDIST = (".ci/", ".gitignore")
BLOCK = re.compile(r"^```(\w*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def step(title: str) -> None:
    print(f"--- package: {title}", flush=True)


def fail(message: str) -> None:
    print(f"FAIL: {message}", file=sys.stderr)
    raise SystemExit(1)


def run(*args: str | Path, cwd: Path = ROOT, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(arg) for arg in args], cwd=cwd, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        fail(
            f"{' '.join(map(str, args))} exited {result.returncode}\n{result.stdout}{result.stderr}"
        )
    return result.stdout


def quick_start(readme: str) -> tuple[str, str]:
    """The README's quick start: its Python block and the output block that follows it."""
    section = readme[readme.index("## Quick start") :]
    blocks = BLOCK.findall(section)
    (language, code), (output_language, output) = blocks[0], blocks[1]
    if (language, output_language) != ("python", "text"):
        fail("the README's quick start is not a python block followed by its text output")
    return code, output


def check_wheel(wheel: Path) -> None:
    package = {
        path.relative_to(ROOT).as_posix() for path in (ROOT / "flask_preflight").rglob("*.py")
    }
    package.add("flask_preflight/py.typed")
    names = set(zipfile.ZipFile(wheel).namelist())
    metadata = {name for name in names if name.split("/")[0].endswith(".dist-info")}
    if names - metadata != package:
        fail(
            f"the wheel should hold exactly the package: extra {sorted(names - metadata - package)}"
            f", missing {sorted(package - names)}"
        )
    if not any(name.endswith("/LICENSE") for name in metadata):
        fail(f"the wheel's metadata has no LICENSE: {sorted(metadata)}")
    if not any(name.endswith("/entry_points.txt") for name in metadata):
        fail("the wheel declares no entry points (flask.commands)")
    print("\n".join(f"  {name}" for name in sorted(names)))


def check_sdist(sdist: Path) -> None:
    with tarfile.open(sdist) as archive:
        members = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    tracked = run("git", "ls-files").splitlines()
    missing = [
        name
        for name in tracked
        if not name.startswith(NOT_IN_SDIST) and (ROOT / name).is_file() and name not in members
    ]
    if missing:
        fail(f"the sdist lacks tracked files (see MANIFEST.in): {missing}")
    for name in ("LICENSE", "CHANGELOG.md", "README.md", "tests/conftest.py", "PKG-INFO"):
        if name not in members:
            fail(f"the sdist lacks {name}")


def wheel_metadata(wheel: Path) -> Message:
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        return HeaderParser().parsestr(archive.read(name).decode())


def lowest_requirements(wheel: Path) -> list[str]:
    """``name==version`` for each ``name>=version`` the wheel requires (no extra)."""
    pins = []
    for requirement in wheel_metadata(wheel).get_all("Requires-Dist", []):
        found = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*>=\s*([0-9.]+)", requirement.strip())
        if found:
            pins.append(f"{found.group(1)}=={found.group(2)}")
    if not pins:
        fail("found no 'name>=version' requirement in the wheel's metadata")
    return pins


def check_classifiers(wheel: Path) -> None:
    from trove_classifiers import classifiers as known

    metadata = wheel_metadata(wheel)
    unknown = [c for c in metadata.get_all("Classifier", []) if c not in known]
    if unknown:
        fail(f"unknown trove classifiers: {unknown}")
    pythons = [c for c in metadata.get_all("Classifier", []) if re.search(r":: 3\.\d+$", c)]
    print(f"  {len(metadata.get_all('Classifier', []))} classifiers, Python: {pythons}")


def keep(files: list[Path], into: Path) -> None:
    """Copy the checked ``files`` into ``into``, removing this project's earlier builds."""
    into.mkdir(parents=True, exist_ok=True)
    for old in into.iterdir():
        built = old.name.endswith((".whl", ".tar.gz"))
        if built and old.name.lower().replace("-", "_").startswith("flask_preflight_"):
            old.unlink()
    for file in files:
        shutil.copy2(file, into / file.name)
        print(f"  {into / file.name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--dist", type=Path, metavar="DIR", help="copy the checked sdist and wheel into DIR"
    )
    args = parser.parse_args()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="preflight-package-") as temp:
        work = Path(temp)
        dist = work / "dist"
        step("python -m build (sdist and wheel), from a copy of the tracked files")
        source = work / "source"
        for name in run("git", "ls-files").splitlines():
            if (ROOT / name).is_file():
                (source / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / name, source / name)
        run(sys.executable, "-m", "build", "--outdir", dist, source, cwd=source)
        (sdist,) = dist.glob("*.tar.gz")
        (wheel,) = dist.glob("*.whl")
        version = run(
            sys.executable, "-c", "import flask_preflight; print(flask_preflight.__version__)"
        )
        if f"-{version.strip()}" not in wheel.name:
            fail(f"{wheel.name} does not carry __version__ {version.strip()}")

        step("twine check --strict")
        plain = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
        twine = run(sys.executable, "-m", "twine", "check", "--strict", sdist, wheel, env=plain)
        print(re.sub(r"\x1b\[[0-9;]*m", "", twine), end="")
        step("classifiers")
        check_classifiers(wheel)
        step(f"files of {wheel.name}")
        check_wheel(wheel)
        step(f"files of {sdist.name}")
        check_sdist(sdist)

        step("install the wheel in a clean virtual environment")
        venv = work / "venv"
        run(sys.executable, "-m", "venv", venv)
        python = venv / "bin" / "python"
        run(python, "-m", "pip", "install", "--quiet", f"{wheel}[test]")
        located = run(
            python, "-c", "import flask_preflight; print(flask_preflight.__file__)", cwd=work
        )
        if not located.startswith(str(venv)):
            fail(f"flask_preflight was imported from {located.strip()}, not the clean venv")

        step("the README's quick start, run from the installed wheel")
        code, expected = quick_start((ROOT / "README.md").read_text())
        (work / "quickstart.py").write_text(code)
        output = run(python, "quickstart.py", cwd=work)
        if output.rstrip() != expected.rstrip():
            fail(f"the quick start printed {output!r}, the README shows {expected!r}")
        print(f"  {output.rstrip()}")
        flask = venv / "bin" / "flask"
        routes = run(flask, "--app", "quickstart", "preflight", "routes", cwd=work)
        if "/items/<int:item_id>" not in routes:
            fail(f"`flask preflight routes` from the wheel printed:\n{routes}")

        step("the tests, run from the unpacked sdist")
        safe: dict[str, str] = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        with tarfile.open(sdist) as archive:
            archive.extractall(work / "sdist", **safe)  # type: ignore[arg-type]
        (unpacked,) = (work / "sdist").iterdir()
        env = {k: v for k, v in os.environ.items() if k != "CI"}
        env["PREFLIGHT_CHROMIUM"] = str(work / "no-chromium")  # the browser tests skip
        # The nginx differential (about 45 s) runs in `make test` and on both legs of
        # `make matrix`; here the rest of the shipped suite checks what the sdist holds.
        pytest: list[str | Path] = [python, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        pytest.append("--ignore=tests/edge/test_nginx_differential.py")
        summary = run(*pytest, cwd=unpacked, env=env)
        print(f"  {summary.strip().splitlines()[-1]}")

        pins = lowest_requirements(wheel)
        step(f"the sdist's tests again, with the lowest versions allowed: {', '.join(pins)}")
        run(python, "-m", "pip", "install", "--quiet", *pins)
        summary = run(*pytest, cwd=unpacked, env=env)
        print(f"  {summary.strip().splitlines()[-1]}")
        if args.dist is not None:
            step(f"the checked sdist and wheel, into {args.dist}/")
            keep([sdist, wheel], args.dist if args.dist.is_absolute() else ROOT / args.dist)
    print(f"--- package: all checks passed in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
