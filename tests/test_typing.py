"""The policy options are typed (issue 20, point 2): a type checker catches a misspelled
field or a value of the wrong type in ``Preflight(...)``, ``init_app(...)`` and ``cors(...)``,
and accepts the documented forms."""

from __future__ import annotations

import os
import subprocess
import sys
import typing
from pathlib import Path

import pytest

from flask_preflight import PolicyOptions, Preflight, PreflightConfigError, cors
from flask_preflight.policy import FIELD_NAMES, TOLERABLE_RISKS

GOOD = """
import re
from datetime import timedelta

from flask import Blueprint, Flask

from flask_preflight import PolicyOptions, Preflight, cors

app = Flask(__name__)
Preflight(app, origins=["https://a.example.com"], credentials=True, max_age=600)
Preflight(origins="*", methods="*").init_app(Flask("b"), max_age=timedelta(minutes=5))
Preflight(dangerously_tolerate=["insecure_origins"], private_network=False)
api = Blueprint("api", __name__)
cors(origins=[re.compile(r"https://[a-z]+\\.example\\.com"), lambda origin: True])(api)
cors(allow_headers=["Content-Type", re.compile("x-.*")], expose_headers="*", max_age=None)
options: PolicyOptions = {"origins": ["https://a.example.com"], "methods": ["GET"]}
cors(**options)
"""

BAD = {
    "cors(origin=['https://a.example.com'])": 'Unexpected keyword argument "origin"',
    "Preflight(app, credential=True)": 'Unexpected keyword argument "credential"',
    "Preflight().init_app(app, max_ages=5)": 'Unexpected keyword argument "max_ages"',
    "cors(credentials='yes')": "incompatible type",
    "cors(max_age='600')": "incompatible type",
    "Preflight(dangerously_tolerate=['insecure_origin'])": "incompatible type",
}


ROOT = Path(__file__).resolve().parent.parent


def mypy(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    snippet = tmp_path / "snippet.py"
    snippet.write_text(source)
    # The package from this checkout (an editable install's import hook is invisible to mypy).
    env = {**os.environ, "MYPYPATH": str(ROOT)}
    return subprocess.run(
        # Errors of the snippet only: the package's own are `make lint`'s (and depend on the
        # installed versions of its dependencies' type information).
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--follow-imports=silent",
            str(snippet),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=300,
    )


def test_mypy_accepts_the_documented_forms(tmp_path: Path) -> None:
    result = mypy(tmp_path, GOOD)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_catches_misspelled_fields_and_wrong_types(tmp_path: Path) -> None:
    lines = ["from flask import Flask", "from flask_preflight import Preflight, cors", ""]
    lines.append("app = Flask(__name__)")
    first = len(lines) + 1
    lines.extend(BAD)
    result = mypy(tmp_path, "\n".join(lines) + "\n")
    assert result.returncode == 1, result.stdout
    for number, (call, expected) in enumerate(BAD.items(), start=first):
        errors = [line for line in result.stdout.splitlines() if f"snippet.py:{number}:" in line]
        assert any(expected in line for line in errors), (call, result.stdout)


def test_the_options_are_the_policy_fields() -> None:
    assert tuple(PolicyOptions.__annotations__) == FIELD_NAMES
    assert TOLERABLE_RISKS == (
        "insecure_origins",
        "null_with_credentials",
        "public_suffix_subdomains",
        "unverified_regex",
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: cors(origin=["https://a.example.com"]), "unknown field; did you mean 'origins'?"),  # type: ignore[call-arg]
        (lambda: Preflight(supports_credentials=True), "is flask-cors's name: use 'credentials'"),  # type: ignore[call-arg]
        (lambda: cors(credentials="yes"), "must be True or False (got str)"),  # type: ignore[arg-type]
    ],
)
def test_the_runtime_checks_and_messages_stay(call: typing.Any, message: str) -> None:
    with pytest.raises(PreflightConfigError) as raised:
        call()
    assert message in str(raised.value)
