"""``make example`` on a busy port (issue 20, point 7): the demo names the environment variable
and the flag that choose another port, instead of Werkzeug's generic advice."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port another program listens on."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


def _demo(*args: str, **variables: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPA_")} | variables
    return subprocess.run(
        [sys.executable, "-m", "examples.spa", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("which", "variable", "flag"),
    [("page", "SPA_PAGE_PORT", "--page-port"), ("api", "SPA_API_PORT", "--api-port")],
)
def test_a_busy_port_names_the_variable_and_the_flag(
    busy_port: int, which: str, variable: str, flag: str
) -> None:
    other = "SPA_API_PORT" if which == "page" else "SPA_PAGE_PORT"
    # As `make example` runs it: the port from the environment, the other one free.
    result = _demo(
        **{variable: str(busy_port), other: "0", "SPA_API_HOST": "127.0.0.1"},
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"127.0.0.1:{busy_port}: another program uses port {busy_port}" in result.stderr
    assert f"{variable}={busy_port + 10} make example" in result.stderr
    assert f"python -m examples.spa {flag} {busy_port + 10}" in result.stderr
    assert "Either identify and stop that program" not in result.stderr
    assert "Traceback" not in result.stderr


def test_the_flag_says_the_same(busy_port: int) -> None:
    result = _demo("--page-port", str(busy_port), "--api-port", "0")
    assert result.returncode == 1
    assert "SPA_PAGE_PORT=" in result.stderr and "--page-port" in result.stderr
