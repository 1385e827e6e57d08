"""Runnable examples for Flask-Preflight (``python -m examples.spa``)."""
