"""Header syntax, bounded parsing of Access-Control-Request-Headers, and Vary merging."""

from __future__ import annotations

import pytest

from flask_preflight.headers import (
    MAX_REQUEST_HEADER_NAMES,
    MAX_REQUEST_HEADERS_LENGTH,
    is_token,
    merge_vary,
    parse_request_headers,
)


@pytest.mark.parametrize(
    ("value", "names"),
    [
        pytest.param("content-type,x-a,x-b", ("content-type", "x-a", "x-b"), id="chromium-form"),
        pytest.param("X-A, X-B", ("x-a", "x-b"), id="spaces-and-case"),
        pytest.param("x-a,", ("x-a",), id="trailing-comma"),
        pytest.param("x-a,,x-b", ("x-a", "x-b"), id="empty-element"),
        pytest.param("", (), id="empty"),
        pytest.param("x-a, header name with space", None, id="non-token"),
        pytest.param("x-a\r\nx-b", None, id="crlf"),
        pytest.param("x-\u00e9", None, id="non-ascii"),
        pytest.param("," * 10_000, None, id="ten-thousand-commas"),
        pytest.param(",".join(f"x-h{i}" for i in range(1000)), None, id="thousand-names"),
        pytest.param("x" * 65_536, None, id="64-KB"),
    ],
)
def test_parse_request_headers(value: str, names: tuple[str, ...] | None) -> None:
    assert parse_request_headers(value) == names


@pytest.mark.parametrize(
    "browser_form",
    ["x-a", "content-type,x-a,x-b", "!#$%&'*+-.^_`|~09az,x", ",".join(f"x-{i}" for i in range(20))],
)
def test_the_browser_form_parses_as_any_other_spelling_of_the_same_list(browser_form: str) -> None:
    # The lowercase comma-joined form has a fast path; spaces, capitals and empty elements
    # take the general one: both must give the same names.
    other = ", ,".join(browser_form.upper().split(",")) + ","
    assert parse_request_headers(browser_form) == parse_request_headers(other)
    assert parse_request_headers(browser_form) == tuple(browser_form.split(","))


def test_bounds_are_exact() -> None:
    at_cap = ",".join(f"x-{i}" for i in range(MAX_REQUEST_HEADER_NAMES))
    assert parse_request_headers(at_cap) is not None
    assert parse_request_headers(at_cap + ",x-over") is None
    long_name = "x" * MAX_REQUEST_HEADERS_LENGTH
    assert parse_request_headers(long_name) == (long_name,)
    assert parse_request_headers(long_name + "x") is None


@pytest.mark.parametrize(
    ("value", "ok"),
    [("PUT", True), ("patch", True), ("GET, DELETE", False), ("", False), ("G\u00c9T", False)],
)
def test_is_token(value: str, ok: bool) -> None:
    assert is_token(value) is ok


@pytest.mark.parametrize(
    ("existing", "merged"),
    [
        pytest.param([], "Origin", id="none"),
        pytest.param(["Accept-Encoding"], "Accept-Encoding, Origin", id="appended"),
        pytest.param(["Origin"], None, id="already-there"),
        pytest.param(["origin"], None, id="case-insensitive"),
        pytest.param(["Accept", "Cookie"], "Accept, Cookie, Origin", id="lines-folded"),
        pytest.param(["Origin", "Accept"], "Origin, Accept", id="present-on-two-lines"),
        pytest.param(["Accept, Accept"], "Accept, Origin", id="duplicates-dropped"),
        pytest.param(["*"], None, id="star"),
    ],
)
def test_merge_vary(existing: list[str], merged: str | None) -> None:
    assert merge_vary(existing, "Origin") == merged
