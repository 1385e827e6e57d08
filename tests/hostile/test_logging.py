"""Log forging: request bytes reach ``flask_preflight`` log records only escaped.

flask-cors CVE-2024-1681 logged ``request.path`` raw, so a CRLF in a request forged log lines.
Here every header the extension reads, and the path, carry CR, LF, NUL, ANSI escapes and
Unicode line separators; with the ``flask_preflight`` logger at DEBUG, no formatted record may
contain any of those characters raw.
"""

from __future__ import annotations

import logging

import pytest
from flask import Flask

from flask_preflight import Preflight, cors

from .harness import call, preflight

ORIGIN = "https://app.example.com"
PAYLOAD = "\r\n2099-01-01 INFO forged line\x1b[31m\x1b]0;title\x07\x00\u2028\u2029\x85\x0b\x0c"
RAW = ["\r", "\n", "\x1b", "\x00", "\x07", "\u2028", "\u2029", "\x85", "\x0b", "\x0c"]
ACRPN = "Access-Control-Request-Private-Network"


@pytest.fixture
def app() -> Flask:
    app = Flask("logging")
    app.testing = True

    @app.route("/r", methods=["GET", "PUT"])
    @cors(origins=[ORIGIN], private_network=True)
    def r() -> str:
        return "r"

    Preflight(app)
    return app


REQUESTS = {
    "preflight-origin": lambda app: preflight(app, "/r", ORIGIN + PAYLOAD, "PUT"),
    "preflight-method": lambda app: preflight(app, "/r", ORIGIN, "PUT" + PAYLOAD),
    "preflight-headers": lambda app: preflight(app, "/r", ORIGIN, "PUT", "x-a" + PAYLOAD),
    "preflight-headers-name": lambda app: preflight(app, "/r", ORIGIN, "PUT", PAYLOAD + ",x-a"),
    "preflight-private-network": lambda app: preflight(
        app, "/r", ORIGIN, "PUT", extra=[(ACRPN, "true" + PAYLOAD)]
    ),
    "preflight-path": lambda app: preflight(app, "/r" + PAYLOAD, ORIGIN, "PUT"),
    "actual-origin": lambda app: call(app, "GET", "/r", [("Origin", ORIGIN + PAYLOAD)]),
    "actual-method": lambda app: call(app, "PUT" + PAYLOAD, "/r", [("Origin", ORIGIN)]),
}
#: Refusals the extension should explain in its debug log (the value shows up escaped).
EXPLAINED = {"preflight-origin", "preflight-method", "preflight-headers", "preflight-headers-name"}


@pytest.mark.parametrize("kind", list(REQUESTS))
def test_request_bytes_are_escaped_in_logs(
    app: Flask, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="flask_preflight")
    response = REQUESTS[kind](app)
    assert response.status < 500
    records = [r for r in caplog.records if r.name.startswith("flask_preflight")]
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    for record in records:
        for text in (record.getMessage(), formatter.format(record)):
            found = [c for c in RAW if c in text]
            assert not found, f"raw {found!r} in log record: {text!r}"
    if kind in EXPLAINED:
        assert records, "a refused preflight should leave a debug record"
        joined = " ".join(r.getMessage() for r in records)
        assert "forged line" in joined, "the offending value is shown (escaped) to help debugging"
        assert "\\r\\n" in joined or "\\x0d" in joined.lower() or "\\u000d" in joined.lower()
