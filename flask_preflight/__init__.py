"""Flask-Preflight: per-view CORS policies with automatic, correct preflight handling."""

__version__ = "0.1.0"
