"""WSGI entry point for the end-to-end run: ``gunicorn benchmarks.serve:app``.

The contender is chosen by the ``BENCH_CONTENDER`` environment variable (bare, flask-cors or
preflight); the app has the base shape (1 route, 1 allowed origin).
"""

from __future__ import annotations

import os

from benchmarks.apps import BARE, FACTORIES, FLASK_CORS, PREFLIGHT, Shape

NAMES = {"bare": BARE, "flask-cors": FLASK_CORS, "preflight": PREFLIGHT}

app = FACTORIES[NAMES[os.environ.get("BENCH_CONTENDER", "bare")]](Shape())
