"""Shared names for the behaviour tests: the origins they play, and requests the way a
browser sends them. Tests import from here; ``conftest.py`` holds fixtures only."""

from __future__ import annotations

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

# The origins the tests play: two allowed sites, one attacker.
SHOP = "https://shop.example.com"
ADMIN = "https://admin.example.com"
EVIL = "https://evil.example.net"
# Two neighbouring subdomains, for policies at several levels.
A = "https://a.example.com"
B = "https://b.example.com"
# flask-cors's own test origins, for the compat tests.
FOO = "https://foo.com"
BAR = "https://bar.com"


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
