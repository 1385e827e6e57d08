"""Signals sent when a cross-origin request is refused, for counting and logging refusals
in production. Flask's own mechanism (blinker); nothing is built or sent while no receiver
is connected.

Each is sent with the app as sender and these keywords: ``endpoint`` (the policy's
endpoint, ``"<blueprint>."`` for a URL no rule matches under that blueprint, ``None`` for
the app level or no route), ``origin`` (the request's ``Origin``, untrusted: escape it
before logging), ``check`` (``"origin"``, ``"method"``, ``"headers"`` or
``"private_network"``), ``field`` (the policy field that would allow it, or ``None`` when
none would), and ``reason`` (the one-line public reason).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from blinker import Namespace, Signal

if TYPE_CHECKING:
    from .preflight import Refusal

_signals = Namespace()

#: A preflight was answered 403.
preflight_refused = _signals.signal("flask-preflight.preflight-refused")

#: An actual (non-preflight) cross-origin request got no CORS headers: the page cannot read
#: the response. Not sent for same-origin requests that carry an ``Origin`` header.
actual_request_refused = _signals.signal("flask-preflight.actual-request-refused")


def send_refusal(
    signal: Signal, sender: object, endpoint: str | None, origin: str, refusal: Refusal
) -> None:
    """Send one of the signals above with its keywords."""
    signal.send(
        sender,
        endpoint=endpoint,
        origin=origin,
        check=refusal.check,
        field=refusal.field,
        reason=refusal.reason,
    )
