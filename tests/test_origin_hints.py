"""Hints for values that are not one origin (issue 12, point 3): several origins in one
string, surrounding whitespace, and the scheme a scheme-less origin most likely lacks. They
come from ``parse_origin``, so ``cors()``, ``Preflight()`` and ``flask preflight check
--origin`` all give them."""

from __future__ import annotations

import pytest

from flask_preflight.origins import OriginError, parse_origin

AB = ["https://a.example.com", "https://b.example.com"]


@pytest.mark.parametrize(
    ("spec", "parts"),
    [
        pytest.param("https://a.example.com https://b.example.com", AB, id="space"),
        pytest.param("https://a.example.com;https://b.example.com", AB, id="semicolon"),
        pytest.param("https://a.example.com; https://b.example.com", AB, id="semicolon-space"),
        pytest.param("https://a.example.com,https://b.example.com", AB, id="comma"),
        pytest.param("https://a.example.com\thttps://b.example.com", AB, id="tab"),
        pytest.param("https://a.example.com\nhttps://b.example.com\n", AB, id="lines"),
        pytest.param(
            "a.example.com, b.example.com", ["a.example.com", "b.example.com"], id="no-scheme-comma"
        ),
        pytest.param(
            "a.example.com;b.example.com",
            ["a.example.com", "b.example.com"],
            id="no-scheme-semicolon",
        ),
        pytest.param("a.example.com b.example.com", None, id="no-scheme-space"),
    ],
)
def test_several_origins_in_one_string_show_the_list(spec: str, parts: list[str] | None) -> None:
    with pytest.raises(OriginError) as caught:
        parse_origin(spec)
    message = str(caught.value)
    if parts is None:  # without schemes a space is not read as a separator
        assert "several origins" not in message
        return
    assert "looks like several origins in one string" in message
    assert message.endswith(f"pass a list, {parts!r}")
    assert "https:'" not in message  # the old hint cut the string at the last colon


@pytest.mark.parametrize(
    ("spec", "stripped"),
    [
        ("http://localhost:3000 ", "http://localhost:3000"),
        (" http://x.example", "http://x.example"),
        ("https://app.example.com\n", "https://app.example.com"),
        ("\thttps://app.example.com", "https://app.example.com"),
    ],
)
def test_surrounding_whitespace_is_named(spec: str, stripped: str) -> None:
    with pytest.raises(OriginError) as caught:
        parse_origin(spec)
    message = str(caught.value)
    assert f"has whitespace around it, which an origin never carries: use {stripped!r}" in message
    assert "invalid port" not in message and "invalid scheme" not in message


@pytest.mark.parametrize(
    ("spec", "suggested"),
    [
        ("localhost:3000", "http://localhost:3000"),
        ("LOCALHOST:3000", "http://LOCALHOST:3000"),
        ("localhost", "http://localhost"),
        ("app.localhost:8080", "http://app.localhost:8080"),
        ("127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("[::1]:8080", "http://[::1]:8080"),
        ("localhost.example.com", "https://localhost.example.com"),
        ("localhostile.example:3000", "https://localhostile.example:3000"),
        ("app.example.com", "https://app.example.com"),
        ("app.example.com/", "https://app.example.com"),
    ],
)
def test_scheme_less_origins_suggest_the_likely_scheme(spec: str, suggested: str) -> None:
    with pytest.raises(OriginError) as caught:
        parse_origin(spec)
    assert str(caught.value).endswith(f"e.g. {suggested!r}")


@pytest.mark.parametrize(
    "spec", ["https://app.example.com", "http://localhost:3000", "http://[::1]:8080"]
)
def test_well_formed_origins_are_not_flagged(spec: str) -> None:
    assert parse_origin(spec).serialize() == spec
