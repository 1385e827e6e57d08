"""Signals: one event per refused preflight and per cross-origin request the policy does not
admit, carrying what is needed to count refusals; nothing for granted requests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from flask_preflight import Preflight, cors, signals

from .helpers import EVIL, send_preflight

PAGE = "https://app.example.com"


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


def recipe() -> tuple[str, dict[str, Any]]:
    """The refusal-counting recipe of docs/recipes.md, run (its receivers disconnected again
    by its own last lines), and the page's text."""
    page = (Path(__file__).resolve().parent.parent / "docs" / "recipes.md").read_text()
    section = page.split("## Counting refusals in production", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, Any] = {"__name__": "recipe"}
    exec(compile(code, "docs/recipes.md", "exec"), namespace)
    return " ".join(section.split("```", 1)[0].split()), namespace


def test_the_recipe_counts_by_origin_and_warns_once(caplog: pytest.LogCaptureFixture) -> None:
    _, namespace = recipe()
    refusals, count_refusal = namespace["refusals"], namespace["count_refusal"]
    refusals.clear()
    caplog.clear()
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
    assert dict(refusals) == {EVIL: 6}
    warnings = [r for r in caplog.records if "CORS refused" in r.getMessage()]
    assert len(warnings) == 1


def test_the_recipe_keeps_bounded_memory_whatever_origins_are_sent() -> None:
    # Issue 16.6: the recipe keyed a Counter on attacker-chosen origins, without a bound.
    text, namespace = recipe()
    refusals, count_refusal = namespace["refusals"], namespace["count_refusal"]
    limit = namespace["MAX_ORIGINS"]
    refusals.clear()
    app = make_app()
    app.logger.disabled = True
    try:
        for i in range(limit * 3):
            count_refusal(app, f"https://n{i}.attacker.example", reason="origin not allowed")
            count_refusal(app, "https://" + "x" * 10_000 + str(i), reason="malformed")
    finally:
        app.logger.disabled = False
    assert len(refusals) <= limit + 1
    assert sum(len(origin) for origin in refusals) <= limit * 512 + len(namespace["OTHER"])
    assert sum(refusals.values()) == limit * 6  # every refusal is still counted
    assert f"at most {limit:,} origins of at most 512 characters" in text


@pytest.mark.parametrize(
    ("base_url", "environ", "origin"),
    [
        ("https://Shop.Example.com:443", {}, "https://shop.example.com"),
        ("http://localhost:80", {}, "http://localhost"),
        ("http://shop.example.com:8080", {}, "http://shop.example.com:8080"),
        # No Host header (HTTP/1.0): Werkzeug reads the server's name and port.
        (
            "http://x",
            {"HTTP_HOST": None, "SERVER_NAME": "api.local", "SERVER_PORT": "80"},
            "http://api.local",
        ),
    ],
)
def test_same_origin_is_read_from_the_host_as_werkzeug_reads_it(
    events: list[Any], base_url: str, environ: dict[str, Any], origin: str
) -> None:
    client = make_app().test_client()
    response = client.post(
        "/items", base_url=base_url, headers={"Origin": origin}, environ_overrides=environ
    )
    assert response.status_code == 200
    assert events == []
    client.post("/items", base_url=base_url, headers={"Origin": EVIL}, environ_overrides=environ)
    assert [extra["origin"] for _, _, extra in events] == [EVIL]


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


class ReceiverBug(Exception):
    pass


def answer(response: Any) -> tuple[int, bytes, list[tuple[str, str]]]:
    return response.status_code, response.get_data(), sorted(response.headers.items())


@pytest.fixture
def fresh_reports() -> Iterator[None]:
    signals._reported.clear()
    yield
    signals._reported.clear()


@pytest.mark.usefixtures("fresh_reports")
@pytest.mark.parametrize("middleware", [False, True], ids=["direct", "middleware-first"])
def test_a_raising_receiver_changes_no_answer(
    middleware: bool, caplog: pytest.LogCaptureFixture
) -> None:
    # Issue 16.6: the receiver's exception escaped the WSGI app, turning the 403 and the
    # actual GET (whose view had already run) into an unhandled exception.
    def make() -> Flask:
        if not middleware:
            return make_app()
        # ProxyFix before Preflight: preflights are answered inside Flask's dispatch.
        app = Flask(__name__)
        app.wsgi_app = ProxyFix(app.wsgi_app)  # type: ignore[method-assign]

        @app.route("/items", methods=["GET", "POST", "DELETE"])
        @cors(origins=[PAGE], methods=["GET", "DELETE"], allow_headers=["X-Token"])
        def items() -> str:
            return "items"

        Preflight(app)
        return app

    def requests(app: Flask) -> list[tuple[int, bytes, list[tuple[str, str]]]]:
        client = app.test_client()
        return [
            answer(send_preflight(client, "/items", EVIL, "DELETE")),
            answer(client.get("/items", headers={"Origin": EVIL})),
        ]

    expected = requests(make())
    assert [status for status, _, _ in expected] == [403, 200]
    called: list[str] = []

    def failing(sender: Any, **extra: Any) -> None:
        called.append("failing")
        raise ReceiverBug("a bug in the receiver")

    def counting(sender: Any, **extra: Any) -> None:
        called.append("counting")

    for signal in (signals.preflight_refused, signals.actual_request_refused):
        signal.connect(failing)
        signal.connect(counting)
    caplog.set_level("DEBUG", logger="flask_preflight")
    try:
        app = make()
        for _ in range(3):
            assert requests(app) == expected
    finally:
        for signal in (signals.preflight_refused, signals.actual_request_refused):
            signal.disconnect(failing)
            signal.disconnect(counting)
    assert called.count("failing") == called.count("counting") == 6  # the others still run
    failures = [r for r in caplog.records if "raised ReceiverBug" in r.getMessage()]
    assert len(failures) == 6
    errors = [r for r in failures if r.levelname == "ERROR"]
    assert len(errors) == 1  # once per receiver and exception type, whatever the signal
    assert errors[0].name == "flask_preflight"
    assert errors[0].exc_info is not None and errors[0].exc_info[0] is ReceiverBug
    assert "failing" in errors[0].getMessage()


@pytest.mark.usefixtures("fresh_reports")
def test_each_exception_type_of_a_receiver_is_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    kinds = iter([ValueError, ValueError, KeyError, ValueError, KeyError])

    def flaky(sender: Any, **extra: Any) -> None:
        raise next(kinds)("bug")

    signals.preflight_refused.connect(flaky)
    try:
        client = make_app().test_client()
        for _ in range(5):
            assert send_preflight(client, "/items", EVIL, "DELETE").status_code == 403
    finally:
        signals.preflight_refused.disconnect(flaky)
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert len(errors) == 2
    assert "raised ValueError" in errors[0] and "raised KeyError" in errors[1]


def test_an_async_receiver_runs_as_flask_runs_async_signal_receivers() -> None:
    pytest.importorskip("asgiref")  # Flask's async extra, in the test extra
    origins: list[str] = []

    async def on_refusal(sender: Any, origin: str, **extra: Any) -> None:
        origins.append(origin)

    signals.preflight_refused.connect(on_refusal)
    try:
        client = make_app().test_client()
        assert send_preflight(client, "/items", EVIL, "DELETE").status_code == 403
    finally:
        signals.preflight_refused.disconnect(on_refusal)
    assert origins == [EVIL]
