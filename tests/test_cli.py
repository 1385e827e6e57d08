"""The ``flask preflight`` commands, through Flask's CliRunner."""

from __future__ import annotations

import json

import pytest
from flask import Blueprint, Flask

from flask_preflight import Preflight, cors

APP_ORIGIN = "https://app.example.com"
ADMIN = "https://admin.example.com"


@pytest.fixture
def app() -> Flask:
    app = Flask(__name__)
    app.config["PREFLIGHT_MAX_AGE"] = 300
    api = Blueprint("api", __name__, url_prefix="/api")
    cors(origins=[APP_ORIGIN], credentials=True)(api)

    @api.get("/items/<int:item_id>")
    def get_item(item_id: int) -> str:
        return "item"

    @api.put("/items/<int:item_id>")
    @cors(origins=[ADMIN])
    def put_item(item_id: int) -> str:
        return "put"

    @app.get("/health")
    def health() -> str:
        return "ok"

    app.register_blueprint(api)
    Preflight(app, expose_headers=["X-Total"])
    return app


def test_routes_shows_each_rule_and_method_with_sources(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["preflight", "routes"])
    assert result.exit_code == 0, result.output
    header, get_row, put_row, health_row = result.output.splitlines()[:4]
    assert header.split()[:4] == ["RULE", "METHOD", "ENDPOINT", "CORS"]
    assert get_row.split()[:4] == ["/api/items/<int:item_id>", "GET", "api.get_item", "yes"]
    assert f"{APP_ORIGIN} [blueprint 'api']" in get_row
    assert "300 [config]" in get_row
    assert "x-total [app]" in get_row
    assert put_row.split()[:4] == ["/api/items/<int:item_id>", "PUT", "api.put_item", "yes"]
    assert f"{ADMIN} [view 'put_item']" in put_row
    assert "yes [blueprint 'api']" in put_row  # credentials inherited from the blueprint
    assert health_row.split()[:4] == ["/health", "GET", "health", "no"]


def test_routes_json_and_endpoint_filter(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["preflight", "routes", "--json", "--endpoint", "api.put_item"]
    )
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.output)["routes"]
    assert row["method"] == "PUT"
    assert row["origins"] == {"value": [ADMIN], "source": "view 'put_item'"}
    assert row["credentials"] == {"value": True, "source": "blueprint 'api'"}
    assert row["max_age"] == {"value": 300, "source": "config"}
    assert row["allow_headers"] == {"value": "*", "source": "default"}


def test_routes_unknown_endpoint_is_bad_usage(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["preflight", "routes", "--endpoint", "nope"])
    assert result.exit_code == 2
    assert "no endpoint named 'nope'" in result.output


def test_check_allowed_simple_request(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["preflight", "check", "/api/items/1", "--origin", APP_ORIGIN, "--credentials"]
    )
    assert result.exit_code == 0, result.output
    assert "not needed: a simple request" in result.output
    assert f"Access-Control-Allow-Origin: {APP_ORIGIN}" in result.output
    assert result.output.rstrip().endswith("Verdict: allowed")


def test_check_refused_preflight_names_the_field_and_where_it_was_set(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=[
            "preflight",
            "check",
            "/api/items/1",
            "--origin",
            APP_ORIGIN,
            "--method",
            "PUT",
            "--header",
            "Content-Type: application/json",
        ]
    )
    assert result.exit_code == 1, result.output
    assert "Preflight: OPTIONS /api/items/1 -> 403 Forbidden" in result.output
    assert "change 'origins' (set by view 'put_item')" in result.output
    assert "Verdict: refused by the browser" in result.output


def test_check_allowed_preflighted_request(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=[
            "preflight",
            "check",
            "/api/items/1",
            "--origin",
            ADMIN,
            "--method",
            "put",
            "--header",
            "X-Token: abc",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Access-Control-Allow-Methods: PUT" in result.output
    assert "[ok] headers: x-token allowed" in result.output


def test_check_credentials_against_a_view_without_them(app: Flask) -> None:
    app_without = Flask("plain")

    @app_without.get("/x")
    @cors(origins=[ADMIN])
    def x() -> str:
        return ""

    Preflight(app_without)
    result = app_without.test_cli_runner().invoke(
        args=["preflight", "check", "/x", "--origin", ADMIN, "--credentials"]
    )
    assert result.exit_code == 1
    assert "no Access-Control-Allow-Credentials: true" in result.output
    assert "set credentials=True" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["/x", "--origin", "https://a.example.com/"], "trailing slash"),
        (["/x", "--origin", "HTTPS://A.example.com"], "browsers send origins in the form"),
        (["x", "--origin", "https://a.example.com"], "give the path"),
        (["/x"], "Missing option '--origin'"),
        (["/x", "--origin", "https://a.example.com", "--header", "Cookie: a=b"], "forbid"),
    ],
)
def test_check_bad_usage_exits_2(app: Flask, args: list[str], message: str) -> None:
    result = app.test_cli_runner().invoke(args=["preflight", "check", *args])
    assert result.exit_code == 2
    assert message in result.output
