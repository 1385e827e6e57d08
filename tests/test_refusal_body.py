"""What a refused preflight's body shows, exactly as docs/requests.md says (issue 12, point 5):
with debug off, one fixed line per check and no request bytes; with debug on, a ``[debug]``
part naming the endpoint, the check, the refused value (quoted, escaped, cut to 120
characters) and the policy field to change, and never the allowlist."""

from __future__ import annotations

import pytest
from flask import Flask

from flask_preflight import Preflight, cors

from .helpers import ADMIN as ALLOWED
from .helpers import send_preflight

HOSTILE = "https://evil.example\x1b[31m\xe9"


def _app(debug: bool) -> Flask:
    app = Flask("bodies")
    app.debug = debug

    @app.route("/x", methods=["GET", "PUT"])
    @cors(origins=[ALLOWED], methods=["GET"], allow_headers=["X-Token"])
    def x() -> str:
        return "x"

    Preflight(app)
    return app


# (origin, requested method, requested headers, public reason, refused value)
CASES = [
    (HOSTILE, "PUT", None, "origin not allowed", HOSTILE),
    (ALLOWED, "PUT", None, "method not allowed", "PUT"),
    (ALLOWED, "GET", "x-token,x-evil\xe9", "malformed Access-Control-Request-Headers", None),
    (ALLOWED, "GET", "x-token,x-other", "header not allowed", "x-other"),
    (ALLOWED, "GE\x1bT", None, "malformed Access-Control-Request-Method", "GE\x1bT"),
    (ALLOWED, "DELETE", None, "method not accepted by this URL", "DELETE"),
]


@pytest.mark.parametrize(("origin", "method", "headers", "reason", "value"), CASES)
def test_without_debug_the_body_is_one_fixed_line(
    origin: str, method: str, headers: str | None, reason: str, value: str | None
) -> None:
    response = send_preflight(_app(False).test_client(), "/x", origin, method, headers)
    assert response.status_code == 403
    assert response.get_data() == f"CORS preflight refused: {reason}.\n".encode()


@pytest.mark.parametrize(("origin", "method", "headers", "reason", "value"), CASES)
def test_with_debug_the_body_names_the_refused_value_escaped(
    origin: str, method: str, headers: str | None, reason: str, value: str | None
) -> None:
    response = send_preflight(_app(True).test_client(), "/x", origin, method, headers)
    body = response.get_data()
    assert body.isascii()
    text = body.decode()
    first, debug = text.split(" [debug] ")
    assert first == f"CORS preflight refused: {reason}."
    assert " check failed: " in debug
    if value is not None:
        assert ascii(value) in debug  # quoted, every non-printable or non-ASCII byte escaped
    assert ALLOWED not in debug  # never the allowlist (nor the allowed origin it holds)
    assert "\x1b" not in text and "\xe9" not in text


def test_debug_body_names_the_endpoint_and_the_field_with_its_source() -> None:
    response = send_preflight(_app(True).test_client(), "/x", HOSTILE, "GET")
    text = response.get_data(as_text=True)
    assert "[debug] endpoint 'x': origin check failed: the origin " in text
    assert text.rstrip().endswith("to allow it, change 'origins' (set by view 'x')")
    assert ALLOWED not in text  # never the allowlist


def test_debug_body_cuts_long_values_at_120_characters() -> None:
    long_origin = "https://" + "a" * 300 + ".example"
    response = send_preflight(_app(True).test_client(), "/x", long_origin, "GET")
    text = response.get_data(as_text=True)
    assert ascii(long_origin[:120]) + "..." in text
    assert long_origin[:121] not in text
