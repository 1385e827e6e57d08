"""``flask preflight migrate``: the printed native declarations give the same policies."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Blueprint, Flask

from flask_preflight import Preflight
from flask_preflight.cli import preflight_cli
from flask_preflight.compat import CORS, cross_origin

from .helpers import BAR, FOO, send_preflight


def build(compat: bool) -> Flask:
    """The same app, configured through compat or not at all."""

    def decorate(**options: Any) -> Callable[[Callable[..., str]], Callable[..., str]]:
        return cross_origin(**options) if compat else (lambda view: view)

    app = Flask(__name__)
    api = Blueprint("api", __name__, url_prefix="/api")

    @api.route("/items", methods=["GET", "POST"])
    def items() -> str:
        return "items"

    @api.get("/v1/special")
    def special() -> str:
        return "special"

    @app.get("/health")
    def health() -> str:
        return "ok"

    @app.route("/open", methods=["GET", "PUT"])
    @decorate(
        origins=[re.compile(r"https://.*\.example\.com"), FOO],
        allow_headers=[r"X-Company-.*", "X-Token"],
        max_age=60,
    )
    def open_view() -> str:
        return "open"

    app.register_blueprint(api)
    if compat:
        app.config["CORS_EXPOSE_HEADERS"] = ["X-Total"]
        CORS(
            app,
            resources={
                r"/api/*": {"origins": [FOO], "supports_credentials": True},
                r"/api/v1/.*": {"origins": [BAR], "methods": ["GET"]},
            },
        )
    return app


def routes_json(app: Flask) -> list[dict[str, Any]]:
    result = app.test_cli_runner().invoke(preflight_cli, ["routes", "--json"])
    assert result.exit_code == 0, result.output
    rows: list[dict[str, Any]] = json.loads(result.output)["routes"]
    for row in rows:
        for name, cell in row.items():
            if isinstance(cell, dict):
                value = cell["value"]  # where a value was set differs, by design
                if name in ("allow_headers", "expose_headers") and isinstance(value, list):
                    value = [v.lower() for v in value]  # native names are lowercase
                row[name] = value
    return rows


def test_printed_declarations_give_the_same_policies() -> None:
    original = build(compat=True)
    result = original.test_cli_runner().invoke(preflight_cli, ["migrate"])
    assert result.exit_code == 0, result.output
    copy = build(compat=False)
    exec(compile(result.output, "migrate", "exec"), {"app": copy})
    Preflight(copy)
    expected = routes_json(original)
    assert routes_json(copy) == expected
    # The JSON shows regexes without their flags: compare answers too.
    for path, origin, method, headers in [
        ("/open", "https://a.example.com", "PUT", "x-company-id"),
        ("/open", FOO, "PUT", "x-token"),
        ("/api/items", FOO, "POST", None),
        ("/api/v1/special", BAR, "GET", None),
        ("/api/v1/special", FOO, "GET", None),
    ]:
        answers = [
            send_preflight(app.test_client(), path, origin, method, headers)
            for app in (original, copy)
        ]
        assert answers[0].status_code == answers[1].status_code, (path, origin)
        assert answers[0].headers.get("Access-Control-Allow-Origin") == answers[1].headers.get(
            "Access-Control-Allow-Origin"
        )
    assert {row["endpoint"] for row in expected if row["cors"]} == {
        "api.items",
        "api.special",
        "open_view",
    }


def test_without_the_declarations_the_policies_differ() -> None:
    """The comparison can fail: the bare copy has no CORS at all."""
    copy = build(compat=False)
    Preflight(copy)
    assert routes_json(copy) != routes_json(build(compat=True))


def test_callable_origins_cannot_be_printed() -> None:
    app = Flask(__name__)
    Preflight(app, origins=[lambda origin: True])
    result = app.test_cli_runner().invoke(preflight_cli, ["migrate"])
    assert result.exit_code == 2
    assert "callable origin" in result.output


@pytest.mark.parametrize("command", [["migrate"]])
def test_migrate_notes_what_native_cannot_say(command: list[str]) -> None:
    output = build(compat=True).test_cli_runner().invoke(preflight_cli, command).output
    assert "# Note: unrouted URLs (404) under a resource" in output
    assert "# Note: flask-cors's answer forms are not kept" in output
