"""Fixtures shared by the behaviour tests (none yet). The shared names live in
``tests/helpers.py``; the two below are re-exported for branches that still import them
from here."""

from .helpers import cors_headers, send_preflight

__all__ = ["cors_headers", "send_preflight"]
