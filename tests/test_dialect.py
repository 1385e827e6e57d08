"""Dialects (dialect.py) and regex allow_headers, on the engine alone (no compat)."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from flask_preflight import Preflight, cors
from flask_preflight.decision import actual_response_headers, decide_preflight
from flask_preflight.dialect import NATIVE, Dialect
from flask_preflight.policy import CompiledPolicy, compile_policy, declare_policy, resolve

from .helpers import A, B, send_preflight


def compiled(dialect: Dialect | None, **fields: object) -> CompiledPolicy:
    return compile_policy(resolve([declare_policy("test", fields, dialect)]))


@pytest.mark.parametrize(
    ("requested", "granted"),
    [
        ("x-token", True),
        ("X-Token", True),  # the regex is compiled case-insensitive
        ("x-token-2", False),  # matched whole
        ("x-tokens", False),
        ("x-token, x-other", False),
    ],
)
def test_native_regex_allow_headers_match_whole(requested: str, granted: bool) -> None:
    app = Flask(__name__)

    @app.put("/r")
    @cors(origins=[A], allow_headers=[re.compile("x-token", re.IGNORECASE)])
    def r() -> str:
        return "r"

    Preflight(app)
    response = send_preflight(app.test_client(), "/r", A, "PUT", requested)
    assert (response.status_code == 204) is granted


@pytest.mark.parametrize(
    ("dialect", "origins", "expected"),
    [
        pytest.param(None, [A, B], [], id="native-listed-origins-nothing"),
        pytest.param(None, "*", [("Access-Control-Allow-Origin", "*")], id="native-star"),
        pytest.param(
            Dialect("t", no_origin="listed"),
            [B, A],
            [("Access-Control-Allow-Origin", A)],
            id="listed-first-sorted",
        ),
        pytest.param(Dialect("t", no_origin="never"), "*", [], id="never-even-star"),
    ],
)
def test_answer_without_origin(
    dialect: Dialect | None, origins: object, expected: list[tuple[str, str]]
) -> None:
    policy = compiled(dialect, origins=origins)
    assert actual_response_headers(policy, None, "GET") == expected


def test_methods_limit_actual_requests_unless_the_dialect_says_not() -> None:
    native = compiled(None, origins=[A], methods=["POST"])
    legacy = compiled(Dialect("t", methods_limit_actual=False), origins=[A], methods=["POST"])
    assert actual_response_headers(native, A, "GET") == []
    assert actual_response_headers(legacy, A, "GET") == [("Access-Control-Allow-Origin", A)]


def test_unanswered_methods() -> None:
    policy = compiled(Dialect("t", unanswered_methods=frozenset({"OPTIONS"})), origins=[A])
    assert actual_response_headers(policy, A, "OPTIONS") == []
    assert actual_response_headers(policy, A, "GET") != []


def test_header_case_is_kept_only_by_the_dialect() -> None:
    fields: dict[str, object] = {"origins": [A], "expose_headers": ["X-Total"]}
    assert compiled(None, **fields).expose_headers == "x-total"
    kept = compiled(Dialect("t", keep_header_case=True), **fields)
    assert kept.expose_headers == "X-Total"
    granted = decide_preflight(kept, None, A, "PUT", "X-b,x-A", None)
    assert isinstance(granted, list)
    assert ("Access-Control-Allow-Headers", "X-b, x-A") in granted
    native = decide_preflight(
        compiled(None, **fields),
        None,
        A,
        "PUT",
        "X-b,x-A",
        None,
    )
    assert isinstance(native, list)
    assert ("Access-Control-Allow-Headers", "x-b,x-a") in native


def test_highest_level_dialect_wins() -> None:
    low = declare_policy("low", {"origins": [A]}, Dialect("low", no_origin="never"))
    high = declare_policy("high", {"max_age": 5}, Dialect("high"))
    assert resolve([low, high]).dialect.name == "high"
    assert resolve([low, declare_policy("plain", {})]).dialect.name == "low"
    assert resolve([]).dialect is NATIVE
