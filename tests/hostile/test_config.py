"""Configuration: every misconfiguration is rejected with its exact message; every allowed form
is accepted and then behaves as written. The table lives in ``config_table.py``."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from flask_preflight import Preflight, PreflightConfigError, cors

from .config_table import ACCEPTED, ERRORS_MD, REJECTED, Accepted, Rejected, namespace, render
from .harness import call


def _header(count: int) -> str:
    return f"Flask-Preflight configuration has {count} problem{'s' if count != 1 else ''}:"


@pytest.mark.parametrize("row", REJECTED, ids=[r.wrote[:60] for r in REJECTED])
def test_misconfiguration_is_rejected_with_exact_message(row: Rejected) -> None:
    with pytest.raises(PreflightConfigError) as caught:
        exec(row.code, namespace())
    error = caught.value
    assert isinstance(error, ValueError)
    expected = "\n".join([_header(len(row.says)), *(f"  - {line}" for line in row.says)])
    assert str(error) == expected
    assert tuple((p.field, repr(p.value)) for p in error.problems) == row.fields
    for problem, line in zip(error.problems, row.says):
        assert f"{problem.field}=" in line and repr(problem.value) in line  # names both
        assert problem.message and problem.message in line


def _kwargs(row: Accepted) -> dict[str, Any]:
    kwargs: dict[str, Any] = eval(f"dict({row.kwargs})", namespace())
    return kwargs


def _app(mode: str, kwargs: dict[str, Any]) -> Flask:
    app = Flask(f"accepted_{mode}")
    app.testing = True

    def v() -> str:
        return "v"

    view = cors(**kwargs)(v) if mode == "cors" else v
    app.add_url_rule("/v", view_func=view, methods=["GET", "PUT"])
    if mode == "preflight":
        Preflight(app, **kwargs)
    elif mode == "config":
        app.config.update({f"PREFLIGHT_{k.upper()}": value for k, value in kwargs.items()})
        Preflight(app)
    else:
        Preflight(app)
    return app


@pytest.mark.parametrize("mode", ["cors", "preflight", "config"])
@pytest.mark.parametrize("row", ACCEPTED, ids=[r.kwargs[:60] for r in ACCEPTED])
def test_allowed_form_is_accepted_and_works(row: Accepted, mode: str) -> None:
    app = _app(mode, _kwargs(row))
    if row.grants is not None:
        response = call(app, "GET", "/v", [("Origin", row.grants)])
        assert response.get_all("Access-Control-Allow-Origin") in ([row.grants], ["*"]), response
    if row.refuses is not None:
        response = call(app, "GET", "/v", [("Origin", row.refuses)])
        assert response.access_control_names() == [], response


def test_configured_methods_match_any_case() -> None:
    app = _app("cors", {"origins": "https://app.example.com", "methods": ["put"]})
    for method in ("PUT", "put"):
        response = call(
            app,
            "OPTIONS",
            "/v",
            [("Origin", "https://app.example.com"), ("Access-Control-Request-Method", method)],
        )
        assert response.status == 204 and response.get("Access-Control-Allow-Methods") == method


def test_errors_md_is_in_sync_with_the_table() -> None:
    with open(ERRORS_MD, encoding="utf-8") as f:
        assert f.read() == render(), "regenerate: .venv/bin/python -m tests.hostile.config_table"


def test_every_row_runs_on_a_fresh_app() -> None:
    """Guard the table: each rejected row fails on its own, not because of a previous one."""
    first, second = namespace(), namespace()
    assert first["app"] is not second["app"]


# --------------------------------------------------------------------------------------------
# Defects found while building the table (regression tests)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["NULL", "Null"])
def test_null_in_the_wrong_case_suggests_null(written: str) -> None:
    """``origins=["NULL"]`` used to say "has no scheme ... e.g. 'https://NULL'", and following
    that advice gives an origin no browser sends. The hint must be ``'null'`` (fixed a4336c8)."""
    with pytest.raises(PreflightConfigError) as caught:
        cors(origins=[written])
    text = str(caught.value)
    assert f"origins=[{written!r}]" in text
    assert f"https://{written}" not in text, text
    assert "'null'" in text, text


def test_credentials_with_a_catch_all_regex_is_caught_at_any_level() -> None:
    """(Passing check kept next to the table) the merged check also sees regexes."""
    app = Flask("merge")

    @app.route("/v")
    @cors(origins=[re.compile(r"https?://.+")])
    def v() -> str:
        return "v"

    with pytest.raises(PreflightConfigError) as caught:
        Preflight(app, credentials=True)
    assert "endpoint 'v'" in str(caught.value)
