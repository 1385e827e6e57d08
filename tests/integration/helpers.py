"""Shared helpers for the integration tests: reading the one ``Vary`` header a response
must carry (the origins they play are in ``tests/helpers.py``)."""

from __future__ import annotations

from typing import Any

from werkzeug.test import TestResponse


def vary_lines(response: TestResponse) -> list[str]:
    """Every ``Vary`` header line of the response, as sent."""
    return response.headers.getlist("Vary")


def vary_fields(response: TestResponse) -> list[str]:
    """The ``Vary`` field names, lowercased, in order, across all lines (duplicates kept,
    so a test can assert each appears once)."""
    return [
        field.strip().lower()
        for line in vary_lines(response)
        for field in line.split(",")
        if field.strip()
    ]


def json_of(response: TestResponse) -> Any:
    """The response's JSON body; fails the test when it has none."""
    assert response.is_json, response.get_data(as_text=True)
    return response.get_json()


def assert_vary_merged(ours: TestResponse, bare: TestResponse) -> None:
    """``ours`` carries, on one line, the ``Vary`` the same app without Flask-Preflight sent
    (``bare``), then ``Origin``: whatever Flask and the other extensions vary on (Flask adds
    ``Cookie`` when the session was read, from which version on depends on Flask)."""
    own = [field.strip() for line in vary_lines(bare) for field in line.split(",")]
    assert "origin" not in [field.lower() for field in own]
    assert vary_lines(ours) == [", ".join([*own, "Origin"])]
