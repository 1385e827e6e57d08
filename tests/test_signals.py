"""Signals: one event per refused preflight and per cross-origin request the policy does not
admit, carrying what is needed to count refusals; nothing for granted requests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from flask_preflight import Preflight, cors, signals

from .conftest import send_preflight

PAGE = "https://app.example.com"
EVIL = "https://evil.example.net"


@pytest.fixture
def events() -> Iterator[list[tuple[str, Any, dict[str, Any]]]]:
    received: list[tuple[str, Any, dict[str, Any]]] = []

    def on_preflight(sender: Any, **extra: Any) -> None:
        received.append(("preflight", sender, extra))

    def on_actual(sender: Any, **extra: Any) -> None:
        received.append(("actual", sender, extra))

    signals.preflight_refused.connect(on_preflight)
    signals.actual_request_refused.connect(on_actual)
    yield received
    signals.preflight_refused.disconnect(on_preflight)
    signals.actual_request_refused.disconnect(on_actual)


def make_app() -> Flask:
    app = Flask(__name__)

    @app.route("/items", methods=["GET", "POST", "DELETE"])
    @cors(origins=[PAGE], methods=["GET", "DELETE"], allow_headers=["X-Token"])
    def items() -> str:
        return "items"

    @app.get("/private")
    def private() -> str:
        return "private"

    Preflight(app)
    return app


def test_refused_preflights_are_signalled(events: list[Any]) -> None:
    app = make_app()
    client = app.test_client()
    send_preflight(client, "/items", EVIL, "DELETE")
    send_preflight(client, "/items", PAGE, "POST")
    send_preflight(client, "/items", PAGE, "DELETE", "x-other")
    assert events == [
        (
            "preflight",
            app,
            {
                "endpoint": "items",
                "origin": EVIL,
                "check": "origin",
                "field": "origins",
                "reason": "origin not allowed",
            },
        ),
        (
            "preflight",
            app,
            {
                "endpoint": "items",
                "origin": PAGE,
                "check": "method",
                "field": "methods",
                "reason": "method not allowed",
            },
        ),
        (
            "preflight",
            app,
            {
                "endpoint": "items",
                "origin": PAGE,
                "check": "headers",
                "field": "allow_headers",
                "reason": "header not allowed",
            },
        ),
    ]


def test_refused_actual_requests_are_signalled(events: list[Any]) -> None:
    app = make_app()
    client = app.test_client()
    client.get("/items", headers={"Origin": EVIL})
    client.post("/items", headers={"Origin": PAGE})
    assert [
        (kind, extra["origin"], extra["check"], extra["field"]) for kind, _, extra in events
    ] == [
        ("actual", EVIL, "origin", "origins"),
        ("actual", PAGE, "method", "methods"),
    ]
    assert all(sender is app and extra["endpoint"] == "items" for _, sender, extra in events)


def test_granted_and_same_origin_requests_send_nothing(events: list[Any]) -> None:
    client = make_app().test_client()
    assert send_preflight(client, "/items", PAGE, "DELETE", "x-token").status_code == 204
    client.get("/items", headers={"Origin": PAGE})
    client.get("/items")
    client.post("/items", headers={"Origin": "http://localhost"})  # same-origin POST
    client.get("/private", headers={"Origin": PAGE})  # CORS off: not a refusal of a policy
    assert events == []


def test_the_readme_recipe_counts_by_origin_and_warns_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from collections import Counter

    refusals: Counter[str] = Counter()

    def count_refusal(sender: Flask, origin: str, **extra: Any) -> None:
        refusals[origin] += 1
        if refusals[origin] == 1:
            sender.logger.warning("CORS refused a new origin: %r (%s)", origin, extra["reason"])

    signals.preflight_refused.connect(count_refusal)
    signals.actual_request_refused.connect(count_refusal)
    try:
        client = make_app().test_client()
        for _ in range(3):
            send_preflight(client, "/items", EVIL, "DELETE")
            client.get("/items", headers={"Origin": EVIL})
    finally:
        signals.preflight_refused.disconnect(count_refusal)
        signals.actual_request_refused.disconnect(count_refusal)
    assert refusals == Counter({EVIL: 6})
    warnings = [r for r in caplog.records if "new origin" in r.getMessage()]
    assert len(warnings) == 1


def test_compat_refusals_name_the_check_that_failed(events: list[Any]) -> None:
    # flask-cors's methods limit preflights only: a POST from a refused origin is refused for
    # its origin, never for its method.
    from flask_preflight.compat import CORS

    app = Flask(__name__)

    @app.route("/items", methods=["GET", "POST"])
    def items() -> str:
        return "items"

    CORS(app, origins=[PAGE], methods=["GET"])
    client = app.test_client()
    assert (
        client.post("/items", headers={"Origin": PAGE}).headers["Access-Control-Allow-Origin"]
        == PAGE
    )
    client.post("/items", headers={"Origin": EVIL})
    assert [(extra["check"], extra["field"]) for _, _, extra in events] == [("origin", "origins")]
