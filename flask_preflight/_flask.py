"""The Flask internals Flask-Preflight reaches, in one place: each is private to Flask, so
each names the Flask versions it was checked against and the test that fails if Flask
changes it. Checked against Flask 2.3.0 (the lowest ``install_requires`` allows, the
matrix's lowest leg) and Flask 3.1.3 (the newest, the matrix's newest leg)."""

from __future__ import annotations

from flask import Blueprint, Flask
from flask.globals import _cv_request

__all__ = ["blueprint_registered", "current_request_context", "end_setup"]

# The context variable holding the active request context (``ctx.app``, ``ctx.request``,
# ``ctx.url_adapter``), read where ``flask.request`` would raise outside a request and cost
# a proxy lookup inside one. ``current_request_context(None)``: the context, or ``None``.
# Flask 2.3.0, 3.1.3. Test: tests/test_flask_internals.py::test_the_request_context_variable
current_request_context = _cv_request.get


def end_setup(app: Flask) -> None:
    """End ``app``'s setup as its first request does: Flask then refuses new routes (its
    ``_check_setup_finished``), which keeps the route cache and compiled policies true.
    Flask 2.3.0, 3.1.3. Tests: tests/test_flask_internals.py::test_end_setup,
    tests/test_declaring_policies.py::test_routes_added_after_the_first_request_are_refused_by_flask"""
    app._got_first_request = True


def blueprint_registered(blueprint: Blueprint) -> bool:
    """Whether ``blueprint`` was registered on an app already (its deferred setup functions
    then no longer run for that registration).
    Flask 2.3.0, 3.1.3. Test: tests/test_flask_internals.py::test_blueprint_registered"""
    return blueprint._got_registered_once
