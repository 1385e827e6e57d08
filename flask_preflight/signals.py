"""Signals sent when a cross-origin request is refused, for counting and logging refusals
in production. Flask's own mechanism (blinker); nothing is built or sent while no receiver
is connected.

Each is sent with the app as sender and these keywords: ``endpoint`` (the policy's
endpoint, ``"<blueprint>."`` for a URL no rule matches under that blueprint, ``None`` for
the app level or no route), ``origin`` (the request's ``Origin``, untrusted: escape it
before logging), ``check`` (``"origin"``, ``"method"``, ``"headers"`` or
``"private_network"``), ``field`` (the policy field that would allow it, or ``None`` when
none would), and ``reason`` (the one-line public reason).

A receiver that raises changes nothing: the exception is logged on the ``flask_preflight``
logger with its traceback (once per receiver and exception type), the other receivers are
still called, and the answer goes out as it would have.
"""

from __future__ import annotations

import logging
import threading
from inspect import iscoroutinefunction
from typing import TYPE_CHECKING, Any, Final

from blinker import Namespace, Signal

if TYPE_CHECKING:
    from .decision import Refusal

logger = logging.getLogger("flask_preflight")

_signals = Namespace()

#: A preflight was answered 403.
preflight_refused = _signals.signal("flask-preflight.preflight-refused")

#: An actual (non-preflight) cross-origin request got no CORS headers: the page cannot read
#: the response. Not sent for same-origin requests that carry an ``Origin`` header.
actual_request_refused = _signals.signal("flask-preflight.actual-request-refused")


def send_refusal(
    signal: Signal, sender: object, endpoint: str | None, origin: str, refusal: Refusal
) -> None:
    """Send one of the signals above with its keywords to each receiver in turn; one that
    raises is logged (``report_receiver_failure``), never lets its exception escape."""
    if getattr(signal, "is_muted", False):  # blinker's Signal.muted()
        return
    ensure_sync = getattr(sender, "ensure_sync", None)  # a Flask app runs async receivers
    for receiver in signal.receivers_for(sender):
        try:
            call = receiver
            if ensure_sync is not None and iscoroutinefunction(receiver):
                call = ensure_sync(receiver)
            call(
                sender,
                endpoint=endpoint,
                origin=origin,
                check=refusal.check,
                field=refusal.field,
                reason=refusal.reason,
            )
        except Exception as error:
            report_receiver_failure(signal, receiver, error)


# The (receiver, exception type) failures logged so far, at most this many: the
# receivers and exception types are the app's, so the set stays small; past the cap a
# failure is logged at debug level only.
MAX_REPORTED_FAILURES: Final = 256
_reported: set[tuple[str, type[BaseException]]] = set()
_reported_lock = threading.Lock()


def report_receiver_failure(signal: Signal, receiver: Any, error: Exception) -> None:
    """Log a receiver's exception with its traceback, once per receiver (by its qualified
    name) and exception type; later ones at debug level."""
    name = getattr(receiver, "__qualname__", None) or repr(receiver)
    module = getattr(receiver, "__module__", None)
    described = f"{module}.{name}" if module else name
    signal_name = str(getattr(signal, "name", signal))
    key = (described, type(error))
    with _reported_lock:
        first = key not in _reported and len(_reported) < MAX_REPORTED_FAILURES
        if first:
            _reported.add(key)
    logger.log(
        logging.ERROR if first else logging.DEBUG,
        "a receiver of the %s signal, %s, raised %s; the response goes out unchanged%s",
        signal_name,
        described,
        type(error).__name__,
        " (logged once per receiver and exception type)" if first else "",
        exc_info=error,
    )
