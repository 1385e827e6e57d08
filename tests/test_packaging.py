"""What a publisher ships and a newcomer meets first: the changelog agrees with
``__version__``, PyPI gets a description without broken links, the licence ships, ``make
example`` installs only what the demo needs, and every environment variable the tests or
examples read is documented (in docs/development.md). (The built sdist and wheel are
checked by ``make package``.)"""

from __future__ import annotations

import configparser
import importlib.metadata
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import flask_preflight

if sys.version_info >= (3, 11):
    import tomllib
else:  # the test extra brings tomli on Python 3.9 and 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
VERSION_HEADING = re.compile(r"^## Version (\S+)\n\n(.+)\n", re.MULTILINE)
BLOCK = re.compile(r"^```(\w*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def _project() -> dict[str, Any]:
    """pyproject.toml's ``[project]`` table: the package metadata."""
    with open(ROOT / "pyproject.toml", "rb") as file:
        project: dict[str, Any] = tomllib.load(file)["project"]
    return project


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def test_changelog_starts_with_the_current_version() -> None:
    sections = VERSION_HEADING.findall((ROOT / "CHANGELOG.md").read_text())
    assert sections, "CHANGELOG.md has no '## Version X' section"
    assert sections[0][0] == flask_preflight.__version__
    versions = [version for version, _ in sections]
    assert versions == sorted(versions, key=_version_key, reverse=True), "newest first"
    assert len(set(versions)) == len(versions)
    for version, when in sections:
        if when == "Unreleased":
            assert version == versions[0], f"only the newest version may be unreleased: {version}"
            continue
        released = re.fullmatch(r"Released (\d{4}-\d{2}-\d{2})", when)
        assert released, f"Version {version}: {when!r} is neither 'Unreleased' nor a date"
        date.fromisoformat(released.group(1))


def test_every_changelog_version_says_what_changed() -> None:
    text = (ROOT / "CHANGELOG.md").read_text()
    parts = re.split(r"^## Version ", text, flags=re.MULTILINE)[1:]
    for part in parts:
        assert re.search(r"^-   \S", part, re.MULTILINE), part.splitlines()[0]


def test_pypi_description_has_no_link_that_breaks_on_pypi() -> None:
    text = (ROOT / "README.pypi.md").read_text()
    targets = re.findall(r"\]\(([^)]*)\)", text) + re.findall(r"""src=["']([^"']*)""", text)
    relative = [target for target in targets if not target.startswith("https://")]
    assert relative == [], relative
    assert "![" not in text or all(t.startswith("https://") for t in targets)


def test_pypi_description_quick_start_is_the_readmes() -> None:
    def quick_start(path: Path) -> list[tuple[str, str]]:
        text = path.read_text()
        return BLOCK.findall(text[text.index("## Quick start") :])[:2]

    assert quick_start(ROOT / "README.pypi.md") == quick_start(ROOT / "README.md")


def test_metadata_points_to_the_pypi_description_and_the_licence() -> None:
    metadata = _project()
    assert metadata["readme"] == {"file": "README.pypi.md", "content-type": "text/markdown"}
    assert metadata["license"] == "BSD-3-Clause"
    assert metadata["license-files"] == ["LICENSE"]
    licence = (ROOT / "LICENSE").read_text()
    assert licence.startswith("BSD 3-Clause License")
    assert "Flask-Preflight contributors" in licence
    assert "Neither the name of the copyright holder" in licence  # the third clause


def test_classifiers_name_every_supported_python() -> None:
    config = _project()
    classifiers = config["classifiers"]
    lowest = config["requires-python"].removeprefix(">=")
    minor = int(lowest.split(".")[1])
    expected = [f"Programming Language :: Python :: 3.{n}" for n in range(minor, 14)]
    assert [c for c in classifiers if re.fullmatch(r".*:: 3\.\d+", c)] == expected
    assert "Framework :: Flask" in classifiers
    assert "Typing :: Typed" in classifiers


def test_flask_commands_entry_point_is_declared() -> None:
    entry_points = _project()["entry-points"]["flask.commands"]
    assert entry_points == {"preflight": "flask_preflight.cli:preflight_cli"}


# --- the metadata lives in pyproject.toml (issue 19) ---------------------------------------


def test_setup_cfg_holds_no_package_metadata() -> None:
    """setuptools would merge metadata from setup.cfg into pyproject.toml's: keep one."""
    config = configparser.ConfigParser()
    assert config.read(ROOT / "setup.cfg") == [str(ROOT / "setup.cfg")]
    assert [s for s in config.sections() if s == "metadata" or s.startswith("options")] == []


def test_the_installed_metadata_is_pyproject_toml_s() -> None:
    """What pip installed (the editable install of `make`, or the wheel `make package`
    tests) carries pyproject.toml's name, version, Python bound, dependencies, extras and
    entry point: setuptools read them from there."""
    project = _project()
    installed = importlib.metadata.metadata("Flask-Preflight")
    assert installed["Name"] == project["name"] == "Flask-Preflight"
    assert project["dynamic"] == ["version"]
    assert installed["Version"] == flask_preflight.__version__
    assert installed["Requires-Python"] == project["requires-python"]
    assert installed["Summary"] == project["description"]
    assert installed.get_all("Classifier") == project["classifiers"]
    requires = installed.get_all("Requires-Dist") or []
    assert [r for r in requires if "extra ==" not in r] == project["dependencies"]
    assert sorted(installed.get_all("Provides-Extra") or []) == sorted(
        project["optional-dependencies"]
    )
    test_extra = [r.split(";")[0].strip() for r in requires if 'extra == "test"' in r]
    assert "tomli>=1.1" in test_extra and "flask-cors==6.0.5" in test_extra
    entry_points = importlib.metadata.distribution("Flask-Preflight").entry_points
    # (A list on Python 3.9, with no .select(): filtered by hand.)
    (command,) = [point for point in entry_points if point.group == "flask.commands"]
    assert (command.name, command.value) == ("preflight", "flask_preflight.cli:preflight_cli")


def test_make_matrix_reads_the_lowest_versions_from_pyproject_toml() -> None:
    """The lowest leg's Python and Flask/Werkzeug pins, as the Makefile's sed reads them."""
    shown = subprocess.run(
        ["make", "-s", "--eval", "show-lowest: ; @echo $(LOWEST_PYTHON)", "show-lowest"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert shown.stdout.strip() == _project()["requires-python"].removeprefix(">=") == "3.9"
    dry = subprocess.run(
        ["make", "-n", "-B", ".venv-lowest/.installed"], cwd=ROOT, capture_output=True, text=True
    )
    (sed,) = [line for line in dry.stdout.splitlines() if line.startswith("sed ")]
    pins = subprocess.run(
        sed.split(" > ")[0], shell=True, cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert pins.stdout.split() == ["Flask==2.3", "Werkzeug==2.3"]
    assert [
        f"{p.replace('>=', '==')}" for p in _project()["dependencies"][:2]
    ] == pins.stdout.split()


def test_make_example_installs_flask_and_the_package_only() -> None:
    makefile = (ROOT / "Makefile").read_text()
    example = re.search(r"^example: (.*)$", makefile, re.MULTILINE)
    assert example is not None
    assert example.group(1).split() == ["$(VENV)/.base"]
    base = re.search(r"^\$\(VENV\)/\.base: .*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert base is not None
    installs = [line for line in base.group(1).splitlines() if "pip install" in line]
    assert installs[-1].split()[-1] == "." and "[" not in "".join(installs), installs


def test_every_environment_variable_the_tests_and_examples_read_is_documented() -> None:
    page = (ROOT / "docs" / "development.md").read_text()
    pattern = re.compile(r"""os\.environ(?:\.get\(|\[)["']([A-Z][A-Z0-9_]*)["']""")
    names = {
        name
        for folder in ("tests", "examples")
        for path in (ROOT / folder).rglob("*.py")
        for name in pattern.findall(path.read_text())
    }
    assert "PREFLIGHT_CHROMIUM" in names
    missing = sorted(name for name in names if f"`{name}" not in page)
    assert missing == [], f"document these in docs/development.md: {missing}"


# --- make dist (issue 20, point 6) ---------------------------------------------------------


def _check_package() -> Any:
    spec = importlib.util.spec_from_file_location(
        "check_package", ROOT / "scripts" / "check_package.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_make_dist_runs_the_package_checks_into_dist() -> None:
    dry = subprocess.run(
        ["make", "-n", "-W", ".venv/.dev", "dist"], cwd=ROOT, capture_output=True, text=True
    )
    assert dry.returncode == 0, dry.stderr
    assert "scripts/check_package.py --dist dist" in dry.stdout
    package = subprocess.run(
        ["make", "-n", "-W", ".venv/.dev", "package"], cwd=ROOT, capture_output=True, text=True
    )
    assert "scripts/check_package.py\n" in package.stdout  # the same checks, nothing kept
    development = (ROOT / "docs" / "development.md").read_text()
    assert "make dist " in development and "into `dist/`" in development


def test_dist_keeps_the_checked_files_and_replaces_earlier_builds(tmp_path: Path) -> None:
    built = tmp_path / "build"
    built.mkdir()
    wheel = built / "flask_preflight-9.0-py3-none-any.whl"
    sdist = built / "flask_preflight-9.0.tar.gz"
    for file in (wheel, sdist):
        file.write_text(file.name)
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "flask_preflight-8.0-py3-none-any.whl").write_text("old")
    (dist / "Flask-Preflight-7.0.tar.gz").write_text("old")
    (dist / "other_project-1.0.tar.gz").write_text("theirs")
    _check_package().keep([sdist, wheel], dist)
    assert sorted(path.name for path in dist.iterdir()) == [
        "flask_preflight-9.0-py3-none-any.whl",
        "flask_preflight-9.0.tar.gz",
        "other_project-1.0.tar.gz",
    ]


# --- quiet editable installs (issue 20, point 10) ------------------------------------------

BOX = "Editable installation"


def test_make_installs_without_setuptools_editable_box(tmp_path: Path) -> None:
    """Every editable install of the Makefile runs with its QUIET_BUILD setting, which keeps
    setuptools' boxed warning out of `make example` and `make test`; pip run the same way
    prints no box (and without it, it does: the setting is what silences it)."""
    makefile = (ROOT / "Makefile").read_text()
    installs = [line for line in makefile.splitlines() if "pip install" in line and " -e " in line]
    assert len(installs) >= 4 and all(line.startswith("\t$(QUIET_BUILD) ") for line in installs)
    setting = re.search(r"^QUIET_BUILD := PYTHONWARNINGS='([^']*)'$", makefile, re.MULTILINE)
    assert setting is not None
    project = tmp_path / "project"
    for name in ("setup.cfg", "pyproject.toml", "README.pypi.md", "LICENSE", "MANIFEST.in"):
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_bytes((ROOT / name).read_bytes())
    shutil.copytree(  # the package with its subpackages
        ROOT / "flask_preflight",
        project / "flask_preflight",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    venv = tmp_path / "venv"
    # The interpreter `make` uses (PYTHON ?= python3), whatever runs the tests: the box
    # depends on the setuptools that interpreter's pip builds with.
    python = shutil.which("python3") or sys.executable
    subprocess.run([python, "-m", "venv", venv], check=True)
    # As the Makefile does (older pips hide what the build backend prints).
    upgrade: list[str | Path] = [venv / "bin" / "pip", "install", "--quiet", "--upgrade", "pip"]
    subprocess.run(upgrade, check=True, capture_output=True, timeout=600)

    def install(warnings: str | None) -> str:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
        if warnings is not None:
            env["PYTHONWARNINGS"] = warnings
        pip: list[str | Path] = [
            venv / "bin" / "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--force-reinstall",
        ]
        result = subprocess.run(
            [*pip, "-e", project], capture_output=True, text=True, env=env, timeout=600
        )
        assert result.returncode == 0, result.stderr
        return result.stdout + result.stderr

    assert BOX not in install(setting.group(1))
    assert BOX in install(None)  # what the setting silences


# --- Python without venv/ensurepip, as on Debian without python3-venv (issue 20, point 11) ---


def test_make_names_the_package_that_brings_venv(tmp_path: Path) -> None:
    """Where ``ensurepip`` cannot be imported (Debian's Python without python3-venv), the
    first target says so with the apt-get line, and leaves no half-made virtual environment."""
    stripped = tmp_path / "stripped"
    stripped.mkdir()
    (stripped / "ensurepip.py").write_text("raise ImportError('ensurepip is not installed')\n")
    venv = tmp_path / "venv"
    env = {**os.environ, "PYTHONPATH": str(stripped)}
    result = subprocess.run(
        ["make", f"{venv}/.base", f"VENV={venv}", f"PYTHON={sys.executable}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "cannot create a virtual environment: its venv/ensurepip modules are missing" in (
        result.stdout
    )
    assert re.search(
        r"^On Debian or Ubuntu, .*: apt-get install python3(\.\d+)?-venv$",
        result.stdout,
        re.MULTILINE,
    ), result.stdout
    assert not venv.exists()
    readme = " ".join((ROOT / "README.md").read_text().split())
    assert "Both commands need only Python 3 (with its `venv` module" in readme
    assert "`python3-venv`" in readme
