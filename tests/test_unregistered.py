"""Forgetting ``Preflight(app)`` is loud: one WARNING at the first request of an app whose
views or blueprints carry ``cors()`` policies (issue 12, point 2), and nothing left behind on
apps that do register it."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from flask import Blueprint, Flask, request_started
from flask.views import MethodView

from flask_preflight import Preflight, cors
from flask_preflight.testing import browser_request

ORIGIN = "https://app.example.com"


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == "flask_preflight" and record.levelno == logging.WARNING
    ]


def _view_app(name: str) -> Flask:
    app = Flask(name)

    @app.get("/x")
    @cors(origins=[ORIGIN])
    def x() -> str:
        return "x"

    return app


def _blueprint_app(name: str) -> Flask:
    app = Flask(name)
    blueprint = Blueprint("bp", __name__)
    cors(origins=[ORIGIN])(blueprint)

    @blueprint.get("/x")
    def x() -> str:
        return "x"

    app.register_blueprint(blueprint)
    return app


def _view_class_app(name: str) -> Flask:
    app = Flask(name)

    @cors(origins=[ORIGIN])
    class Items(MethodView):
        def get(self) -> str:
            return "x"

    app.add_url_rule("/x", view_func=Items.as_view("items"))
    return app


def _our_receivers(app: Flask) -> list[object]:
    """Receivers of ours that Flask's ``request_started`` would call for ``app``."""
    return [
        receiver
        for receiver in request_started.receivers_for(app)
        if getattr(receiver, "__module__", None) == "flask_preflight.unregistered"
    ]


@pytest.mark.parametrize("make", [_view_app, _blueprint_app, _view_class_app])
def test_first_request_without_preflight_warns_once(
    make: Callable[[str], Flask], caplog: pytest.LogCaptureFixture
) -> None:
    app = make(f"forgot_{make.__name__}")
    caplog.set_level(logging.WARNING, logger="flask_preflight")
    client = app.test_client()
    client.options("/x", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "PUT"})
    client.get("/x", headers={"Origin": ORIGIN})
    (message,) = _warnings(caplog)
    assert f"the Flask app {app.name!r} has cors() policies but no Preflight(app)" in message
    assert "Call Preflight(app)" in message


@pytest.mark.parametrize("make", [_view_app, _blueprint_app, _view_class_app])
def test_registered_app_does_not_warn_and_leaves_no_receiver(
    make: Callable[[str], Flask], caplog: pytest.LogCaptureFixture
) -> None:
    app = make(f"registered_{make.__name__}")
    Preflight(app)
    caplog.set_level(logging.WARNING, logger="flask_preflight")
    app.test_client().get("/x", headers={"Origin": ORIGIN})
    assert _warnings(caplog) == []
    # From now on Flask's request_started has no receiver of ours: no cost per request.
    assert _our_receivers(app) == []


def test_app_without_policies_does_not_warn(caplog: pytest.LogCaptureFixture) -> None:
    _view_app("elsewhere")  # a cors() policy exists in the process, on another app
    app = Flask("plain")

    @app.get("/x")
    def x() -> str:
        return "x"

    caplog.set_level(logging.WARNING, logger="flask_preflight")
    app.test_client().get("/x")
    assert _warnings(caplog) == []


def test_blueprint_app_is_reminded_even_after_a_registered_app_served(
    caplog: pytest.LogCaptureFixture,
) -> None:
    forgot = _blueprint_app("forgot_later")
    registered = _view_app("registered_first")
    Preflight(registered)
    registered.test_client().get("/x")
    caplog.set_level(logging.WARNING, logger="flask_preflight")
    forgot.test_client().get("/x")
    assert len(_warnings(caplog)) == 1


def test_preflight_registered_after_the_blueprint_is_enough(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = _blueprint_app("factory")
    Preflight(app)  # after register_blueprint, as app factories often do
    caplog.set_level(logging.WARNING, logger="flask_preflight")
    app.test_client().get("/x")
    assert _warnings(caplog) == []
    assert _our_receivers(app) == []


def test_browser_request_names_the_missing_preflight() -> None:
    app = _view_app("helper")
    verdict = browser_request(app.test_client(), "PUT", "/x", origin=ORIGIN)
    assert not verdict.allowed
    assert verdict.failure is not None
    assert "this app has no Preflight(app)" in verdict.failure.detail
    verdict = browser_request(app.test_client(), "GET", "/x", origin=ORIGIN, run_view=False)
    assert verdict.failure is not None
    assert "this app has no Preflight(app)" in verdict.failure.detail
