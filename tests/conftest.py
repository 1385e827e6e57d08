"""Shared helpers for the behaviour tests: requests the way a browser sends them."""

from __future__ import annotations

from flask.testing import FlaskClient
from werkzeug.test import TestResponse


def send_preflight(
    client: FlaskClient,
    path: str,
    origin: str,
    method: str,
    headers: str | None = None,
    **extra: str,
) -> TestResponse:
    """An OPTIONS preflight as Chromium sends it (no cookies, ACRH lowercase and sorted).

    Values go straight into the WSGI environ, so tests can send bytes (CR, LF) that the
    test client's header validation would refuse to send.
    """
    environ = {"HTTP_ORIGIN": origin, "HTTP_ACCESS_CONTROL_REQUEST_METHOD": method}
    if headers is not None:
        environ["HTTP_ACCESS_CONTROL_REQUEST_HEADERS"] = headers
    for name, value in extra.items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    return client.options(path, environ_overrides=environ)


def cors_headers(response: TestResponse) -> dict[str, str]:
    """The response's Access-Control-* headers, by lowercase name."""
    return {
        name.lower(): value
        for name, value in response.headers.items()
        if name.lower().startswith("access-control-")
    }
