"""How a policy's answers are written: Flask-Preflight's own way, or another library's.

A front that stands in for another CORS library (``flask_preflight.compat``) must give its
users the answers they had, where doing so is safe and standard. A ``Dialect`` names those
differences; a policy level may carry one, the highest level's wins, and the compiled policy
reads it once. Decisions (which origin, method and headers are allowed) never depend on it:
only what is written on allowed answers, and to requests without ``Origin``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

NoOriginAnswer = Literal["native", "never", "listed"]


@dataclass(frozen=True)
class Dialect:
    """``methods_limit_actual``: ``methods`` also limits actual requests (else preflights
    only). ``keep_header_case``: configured header names keep their case (exposed headers
    are sent as written), and ``Access-Control-Allow-Headers`` echoes the requested names as
    sent, sorted, joined with ``", "``. ``no_origin``: the answer to a request without
    ``Origin``: ``"native"`` (``*`` for a ``"*"`` policy, else nothing), ``"never"``
    (nothing), or ``"listed"`` (``*`` for a ``"*"`` policy without credentials, else the
    first exact origin configured, in sorted order). ``private_network_on_actual``: answer
    ``Access-Control-Request-Private-Network: true`` on allowed actual requests too, with
    ``true`` or ``false``. ``unanswered_methods``: actual requests with these methods get
    no CORS headers."""

    name: str
    methods_limit_actual: bool = True
    keep_header_case: bool = False
    no_origin: NoOriginAnswer = "native"
    private_network_on_actual: bool = False
    unanswered_methods: frozenset[str] = frozenset()


NATIVE: Final = Dialect("native")
