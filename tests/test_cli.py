"""The ``flask preflight`` commands, through Flask's CliRunner."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import distribution
from pathlib import Path

import pytest
from flask import Blueprint, Flask, request
from flask.views import MethodView

from flask_preflight import Preflight, cors
from flask_preflight.cli import NO_ROUTE_EXIT, preflight_cli

from .helpers import ADMIN

APP_ORIGIN = "https://app.example.com"


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
    result = app.test_cli_runner().invoke(preflight_cli, ["routes"])
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
        preflight_cli, ["routes", "--json", "--endpoint", "api.put_item"]
    )
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.output)["routes"]
    assert row["method"] == "PUT"
    assert row["origins"] == {"value": [ADMIN], "source": "view 'put_item'"}
    assert row["credentials"] == {"value": True, "source": "blueprint 'api'"}
    assert row["max_age"] == {"value": 300, "source": "config"}
    assert row["allow_headers"] == {"value": "*", "source": "default"}


# --- routes fits the terminal and filters (issue 20, point 4) -------------------------------


def _routes(app: Flask, *args: str, columns: int | None = None) -> list[str]:
    env = {"COLUMNS": str(columns) if columns is not None else ""}
    result = app.test_cli_runner().invoke(preflight_cli, ["routes", *args], env=env)
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


@pytest.mark.parametrize("columns", [40, 80, 120, 200])
@pytest.mark.parametrize("form", [[], ["--compact"]], ids=["table", "compact"])
def test_routes_fits_the_terminal(app: Flask, columns: int, form: list[str]) -> None:
    lines = _routes(app, *form, columns=columns)
    assert max(len(line) for line in lines) <= columns, "\n".join(lines)
    text = " ".join(" ".join(lines).split())
    for shown in ("/api/items/<int:item_id>", "/health", APP_ORIGIN, ADMIN):
        assert shown in text


def test_routes_wide_terminal_gets_the_table_narrow_one_blocks(app: Flask) -> None:
    wide = _routes(app, columns=300)
    assert wide[0].split()[:4] == ["RULE", "METHOD", "ENDPOINT", "CORS"]
    assert len(wide[0]) > 120
    narrow = _routes(app, columns=100)
    assert narrow[:3] == [
        "/api/items/<int:item_id> GET (api.get_item): CORS yes",
        "  cors methods: * (the route's) [default]",
        f"  origins: {APP_ORIGIN} [blueprint 'api']",
    ]


def test_routes_without_a_terminal_or_columns_never_wraps(app: Flask) -> None:
    lines = _routes(app)
    assert lines[0].split()[:4] == ["RULE", "METHOD", "ENDPOINT", "CORS"]
    assert len(lines[1]) > 150


def test_routes_compact_says_who_may_call_what(app: Flask) -> None:
    assert _routes(app, "--compact")[:4] == [
        f"GET  /api/items/<int:item_id>  {APP_ORIGIN} (credentials)",
        f"PUT  /api/items/<int:item_id>  {ADMIN} (credentials)",
        "GET  /health                   no CORS",
        "GET  /static/<path:filename>   no CORS",
    ]


@pytest.mark.parametrize(
    ("args", "endpoints"),
    [
        (["--blueprint", "api"], ["api.get_item", "api.put_item"]),
        (["--origin", ADMIN], ["api.put_item"]),
        (["--origin", APP_ORIGIN], ["api.get_item"]),
        (["--origin", "https://evil.example"], []),
        (["--credentials"], ["api.get_item", "api.put_item"]),
        (["--credentials", "--origin", ADMIN, "--blueprint", "api"], ["api.put_item"]),
        (["--endpoint", "health"], ["health"]),
    ],
)
def test_routes_filters(app: Flask, args: list[str], endpoints: list[str]) -> None:
    result = app.test_cli_runner().invoke(preflight_cli, ["routes", "--json", *args])
    assert result.exit_code == 0, result.output
    assert [row["endpoint"] for row in json.loads(result.output)["routes"]] == endpoints


def test_routes_origin_filter_agrees_with_check(app: Flask) -> None:
    """A row --origin keeps is one whose actual request check finds readable."""
    runner = app.test_cli_runner()
    for origin in (ADMIN, APP_ORIGIN, "https://evil.example"):
        kept = {
            (row["method"], row["endpoint"])
            for row in json.loads(
                runner.invoke(preflight_cli, ["routes", "--json", "--origin", origin]).output
            )["routes"]
        }
        for method, endpoint in [("GET", "api.get_item"), ("PUT", "api.put_item")]:
            args = ["check", "/api/items/1", "--origin", origin, "--method", method]
            allowed = runner.invoke(preflight_cli, args).exit_code == 0
            assert allowed == ((method, endpoint) in kept), (origin, method)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--blueprint", "nope"], "no blueprint named 'nope' (the app's: api)"),
        (["--origin", "https://a.example.com/"], "trailing slash"),
    ],
)
def test_routes_bad_filters_are_bad_usage(app: Flask, args: list[str], message: str) -> None:
    result = app.test_cli_runner().invoke(preflight_cli, ["routes", *args])
    assert result.exit_code == 2
    assert message in result.output


def test_routes_filters_matching_nothing_say_so(app: Flask) -> None:
    assert _routes(app, "--origin", "https://evil.example") == ["No route matches these filters."]


def test_routes_unknown_endpoint_is_bad_usage(app: Flask) -> None:
    result = app.test_cli_runner().invoke(preflight_cli, ["routes", "--endpoint", "nope"])
    assert result.exit_code == 2
    assert "no endpoint named 'nope'" in result.output


def test_check_allowed_simple_request(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        preflight_cli, ["check", "/api/items/1", "--origin", APP_ORIGIN, "--credentials"]
    )
    assert result.exit_code == 0, result.output
    assert "not needed: a simple request" in result.output
    assert f"Access-Control-Allow-Origin: {APP_ORIGIN}" in result.output
    assert result.output.rstrip().endswith("Verdict: allowed")


def test_check_refused_preflight_names_the_field_and_where_it_was_set(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        preflight_cli,
        [
            "check",
            "/api/items/1",
            "--origin",
            APP_ORIGIN,
            "--method",
            "PUT",
            "--header",
            "Content-Type: application/json",
        ],
    )
    assert result.exit_code == 1, result.output
    assert "Preflight: OPTIONS /api/items/1 -> 403 Forbidden" in result.output
    assert "change 'origins' (set by view 'put_item')" in result.output
    assert "Verdict: refused by the browser" in result.output


def test_check_allowed_preflighted_request(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        preflight_cli,
        [
            "check",
            "/api/items/1",
            "--origin",
            ADMIN,
            "--method",
            "put",
            "--header",
            "X-Token: abc",
        ],
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
        preflight_cli, ["check", "/x", "--origin", ADMIN, "--credentials"]
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
        (["/x", "--origin", "http://localhost:3000 "], "whitespace around it"),
        (["/x", "--origin", "localhost:3000"], "e.g. 'http://localhost:3000'"),
    ],
)
def test_check_bad_usage_exits_2(app: Flask, args: list[str], message: str) -> None:
    result = app.test_cli_runner().invoke(preflight_cli, ["check", *args])
    assert result.exit_code == 2
    assert message in result.output


# --- check runs no view unless asked (issue 12, point 1) -----------------------------------


@pytest.fixture
def orders() -> tuple[Flask, list[str]]:
    """An app whose views have side effects: each call is recorded."""
    app = Flask("orders")
    calls: list[str] = []

    @app.route("/orders/<int:number>", methods=["GET", "DELETE"])
    @cors(origins=[ADMIN])
    def order(number: int) -> str:
        calls.append(request.method)
        return "deleted" if request.method == "DELETE" else "order"

    @app.post("/orders")
    def create() -> str:
        calls.append("POST")
        return "created"

    Preflight(app)
    return app, calls


@pytest.mark.parametrize(
    "args",
    [
        ["/orders/7", "--origin", ADMIN, "--method", "DELETE"],
        ["/orders/7", "--origin", ADMIN, "--method", "DELETE", "--header", "X-Token: 1"],
        ["/orders/7", "--origin", ADMIN],
        ["/orders/7", "--origin", APP_ORIGIN],
        ["/orders/7", "--origin", APP_ORIGIN, "--method", "DELETE"],
        ["/orders", "--origin", ADMIN, "--method", "POST"],
        ["/orders/7", "--origin", ADMIN, "--method", "GET", "--credentials"],
    ],
    ids=[
        "allowed-delete",
        "allowed-delete-header",
        "allowed-get",
        "refused-get",
        "refused-delete",
        "simple-post",
        "credentials",
    ],
)
def test_check_runs_no_view_by_default(orders: tuple[Flask, list[str]], args: list[str]) -> None:
    app, calls = orders
    result = app.test_cli_runner().invoke(preflight_cli, ["check", *args])
    assert result.exit_code in (0, 1), result.output
    assert calls == [], result.output
    assert "Response: 200" not in result.output


def test_check_run_view_sends_the_actual_request(orders: tuple[Flask, list[str]]) -> None:
    app, calls = orders
    args = ["check", "/orders/7", "--origin", ADMIN, "--method", "DELETE", "--run-view"]
    result = app.test_cli_runner().invoke(preflight_cli, args)
    assert result.exit_code == 0, result.output
    assert calls == ["DELETE"]
    assert "Response: 200 OK" in result.output


def test_check_help_says_run_view_runs_the_view(orders: tuple[Flask, list[str]]) -> None:
    app, _ = orders
    result = app.test_cli_runner().invoke(preflight_cli, ["check", "--help"])
    assert "--run-view" in result.output
    assert "RUNS THE VIEW" in " ".join(result.output.split())
    assert "Runs no view unless --run-view is given" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["/api/items/1", "--origin", APP_ORIGIN, "--credentials"],
        ["/api/items/1", "--origin", ADMIN],
        ["/api/items/1", "--origin", ADMIN, "--method", "PUT"],
        ["/api/items/1", "--origin", APP_ORIGIN, "--method", "PUT"],
        ["/api/items/1", "--origin", ADMIN, "--method", "PUT", "--credentials"],
        ["/health", "--origin", ADMIN],
        ["/nowhere", "--origin", APP_ORIGIN],
        # a URL under a blueprint's prefix: the policy is the blueprint's before any request
        ["/api/nothing", "--origin", APP_ORIGIN],
    ],
)
def test_check_from_the_policy_agrees_with_running_the_view(app: Flask, args: list[str]) -> None:
    runner = app.test_cli_runner()
    from_policy = runner.invoke(preflight_cli, ["check", *args])
    from_view = runner.invoke(preflight_cli, ["check", *args, "--run-view"])
    assert from_policy.exit_code == from_view.exit_code, (from_policy.output, from_view.output)
    verdict = [line for line in from_policy.output.splitlines() if line.startswith("Verdict")]
    assert verdict == [line for line in from_view.output.splitlines() if line.startswith("Verdict")]


# --- advice that names only what exists (issue 12, point 3) --------------------------------


def test_check_on_an_unknown_url_names_no_endpoint(app: Flask) -> None:
    args = ["check", "/nowhere", "--origin", APP_ORIGIN, "--method", "PUT"]
    result = app.test_cli_runner().invoke(preflight_cli, args)
    assert result.exit_code == 3
    fix = result.output.splitlines()[-1]
    assert fix.startswith("Fix: call one of the app's routes"), fix
    assert "endpoint" not in fix and "origins" not in fix


def test_check_simple_request_to_an_unknown_url_names_no_endpoint(app: Flask) -> None:
    result = app.test_cli_runner().invoke(preflight_cli, ["check", "/nowhere", "--origin", ADMIN])
    assert result.exit_code == 3
    assert "the app level (no route serves this request)" in result.output
    assert "answered by the app-level policy (no blueprint's URL prefix holds /nowhere)" in (
        result.output
    )


def test_check_method_the_url_does_not_accept_claims_no_policy_field(app: Flask) -> None:
    args = ["check", "/health", "--origin", APP_ORIGIN, "--method", "DELETE"]
    result = app.test_cli_runner().invoke(preflight_cli, args)
    assert result.exit_code == 3
    verdict = result.output[result.output.index("Verdict:") :].splitlines()
    assert verdict[:3] == [
        "Verdict: no route matches DELETE /health: the actual request gets 405 Method Not Allowed.",
        "  The rules at /health accept GET; no CORS policy can allow DELETE.",
        "  Its preflight is refused for that reason, by no policy.",
    ]
    assert "names the policy field" not in result.output


# --- a mistyped URL is no "allowed" (issue 20, point 1) ------------------------------------


def test_check_mistyped_url_leads_with_no_route_even_when_cors_allows(app: Flask) -> None:
    args = ["check", "/api/itemz", "--origin", APP_ORIGIN, "--method", "PUT"]
    result = app.test_cli_runner().invoke(preflight_cli, args)
    assert result.exit_code == 3, result.output
    assert "Verdict: allowed" not in result.output
    verdict = result.output[result.output.index("Verdict:") :].splitlines()
    assert verdict == [
        "Verdict: no route matches PUT /api/itemz: the actual request gets 404 Not Found.",
        "  The preflight and the 404 are answered by the policy of blueprint 'api' (its URL "
        "prefix holds /api/itemz), which admits the request.",
        "Closest routes:",
        "  /api/items/<int:item_id>  (GET, PUT)",
        "Fix: call one of the app's routes (see `flask preflight routes`), or add a route "
        "that serves this request.",
    ]


def test_check_unknown_url_under_no_blueprint_names_the_app_policy(app: Flask) -> None:
    result = app.test_cli_runner().invoke(preflight_cli, ["check", "/helth", "--origin", ADMIN])
    assert result.exit_code == 3, result.output
    assert "The 404 is answered by the app-level policy" in result.output
    assert "which refuses the request" in result.output
    assert "  /health  (GET)" in result.output


def test_check_redirect_is_no_route_either(app: Flask) -> None:
    app.add_url_rule("/docs/", "docs", lambda: "docs")
    result = app.test_cli_runner().invoke(preflight_cli, ["check", "/docs", "--origin", ADMIN])
    assert result.exit_code == 3, result.output
    assert "Verdict: no route matches GET /docs: Flask answers 308" in result.output
    assert result.output.splitlines()[-1] == "Fix: call http://localhost/docs/ itself."


def test_check_exit_codes_are_documented() -> None:
    text = (Path(__file__).parent.parent / "docs" / "debugging.md").read_text()
    assert "3 no route serves the request" in " ".join(text.split())


def test_check_refusal_naming_no_field_says_so() -> None:
    app = Flask("headers")

    @app.put("/x")
    @cors(origins=[ADMIN], allow_headers=["X-Token"])
    def x() -> str:
        return ""

    Preflight(app)
    args = ["check", "/x", "--origin", ADMIN, "--method", "PUT", "--header", "X-Other: 1"]
    result = app.test_cli_runner().invoke(preflight_cli, args)
    assert result.exit_code == 1
    assert "change 'allow_headers'" in result.output
    assert result.output.splitlines()[-1] == (
        "Fix: the preflight's refusal above names the policy field to change."
    )


def test_check_refused_origin_names_the_endpoint(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        preflight_cli, ["check", "/api/items/1", "--origin", ADMIN]
    )
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        "Fix: add the origin to the `origins` of endpoint 'api.get_item' "
        "(see `flask preflight routes`)."
    )


# --- the methods that explain "CORS: no" (issue 12, point 6) -------------------------------


def test_routes_shows_the_policy_methods_of_a_method_view() -> None:
    app = Flask("views")

    @cors(origins=[ADMIN], methods=["GET", "POST"])
    class ItemsAPI(MethodView):
        def get(self) -> str:
            return ""

        def post(self) -> str:
            return ""

        def put(self) -> str:
            return ""

    app.add_url_rule("/items", view_func=ItemsAPI.as_view("items"))
    Preflight(app)
    result = app.test_cli_runner().invoke(preflight_cli, ["routes"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "CORS METHODS" in lines[0]
    rows = {line.split()[1]: line for line in lines[1:4]}
    for method, allowed in (("GET", "yes"), ("POST", "yes"), ("PUT", "no")):
        assert rows[method].split()[3] == allowed, rows[method]
        assert "GET, POST [view class 'ItemsAPI']" in rows[method]
    static = next(line for line in lines if line.startswith("/static"))
    assert "* (the route's) [default]" in static


# --- registered through the flask.commands entry point (issue 12, point 2) -----------------


def test_commands_come_from_the_flask_commands_entry_point() -> None:
    # The distribution's own entry points (Python 3.9 has no entry_points(group=...)).
    (entry,) = {
        e
        for e in distribution("Flask-Preflight").entry_points
        if e.group == "flask.commands" and e.name == "preflight"
    }
    assert entry.value == "flask_preflight.cli:preflight_cli"
    assert entry.load() is preflight_cli
    app = Flask("registered")
    Preflight(app)
    assert "preflight" not in app.cli.commands  # not added by init_app any more


@pytest.mark.parametrize("command", [["routes"], ["check", "/x", "--origin", ADMIN], ["migrate"]])
def test_commands_on_an_app_without_preflight_say_so(tmp_path: Path, command: list[str]) -> None:
    (tmp_path / "bare_app.py").write_text(
        "from flask import Flask\n"
        "from flask_preflight import cors\n"
        "app = Flask('bare')\n"
        "@app.get('/x')\n"
        f"@cors(origins=[{ADMIN!r}])\n"
        "def x():\n"
        "    return 'x'\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "bare_app", "preflight", *command],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "No such command" not in result.stderr
    assert "this app ('bare') has no Preflight(app)" in result.stderr
    assert "call Preflight(app)" in result.stderr


# --- URLs read as the browser sends them and Werkzeug routes them (issue 16.2) -------------

OUTSIDER = "https://evil.example"  # any origin but ADMIN


@pytest.fixture
def admin_app() -> Flask:
    """An /admin blueprint for ADMIN only, with credentials, under an app that admits every
    origin: a URL that escaped the blueprint's policy would be granted."""
    app = Flask(__name__)
    admin = Blueprint("admin", __name__)
    cors(origins=[ADMIN], credentials=True)(admin)

    @admin.get("/x")
    def x() -> str:
        return "x"

    app.register_blueprint(admin, url_prefix="/admin")
    Preflight(app, origins="*")
    return app


@pytest.mark.parametrize(
    ("url", "policy"),
    [
        ("/admin/nothing", "blueprint 'admin' (no matching route)"),
        ("//admin/nothing", "blueprint 'admin' (no matching route)"),  # not a host "admin"
        ("/%2Fadmin/nothing", "blueprint 'admin' (no matching route)"),  # the server decodes
        ("/./admin/nothing", "blueprint 'admin' (no matching route)"),  # the browser removes
        ("/admin/nothing/", "blueprint 'admin' (no matching route)"),
        ("/admin/x/", "blueprint 'admin' (no matching route)"),
        ("//admin/x", "endpoint 'admin.x'"),
        ("/admin/./x", "endpoint 'admin.x'"),
        ("/admin/y/../x", "endpoint 'admin.x'"),
        ("/admin/%2e/x#fragment", "endpoint 'admin.x'"),
        ("/./nowhere", "the app level (no route serves this request)"),
    ],
)
@pytest.mark.parametrize("method", ["GET", "PUT"])
def test_check_reads_the_url_as_browsers_send_it_and_werkzeug_routes_it(
    admin_app: Flask, url: str, policy: str, method: str
) -> None:
    args = ["check", url, "--origin", OUTSIDER, "--method", method]
    result = admin_app.test_cli_runner().invoke(preflight_cli, args)
    granted = policy.startswith("the app level")
    # A request no route serves (a 404, or the 405 of a PUT to the GET-only view) exits
    # with NO_ROUTE_EXIT whatever CORS allows (issue 20.1).
    unrouted = not policy.startswith("endpoint") or method == "PUT"
    assert result.exit_code == (NO_ROUTE_EXIT if unrouted else 0 if granted else 1), result.output
    if method == "GET":  # a simple request: the CORS headers come from the policy named
        assert f"CORS headers from the policy of {policy}:" in result.output
    else:
        status = "204 No Content" if granted else "403 Forbidden"
        assert f"Preflight: OPTIONS {url} -> {status}" in result.output


def test_check_of_a_simple_request_first_ends_the_apps_setup(admin_app: Flask) -> None:
    # No request reached the app before: the route was resolved (and cached) without the
    # blueprints' URL prefixes, and the 404 under /admin got the app's "*".
    args = ["check", "/admin/nothing", "--origin", OUTSIDER]
    result = admin_app.test_cli_runner().invoke(preflight_cli, args)
    assert result.exit_code == NO_ROUTE_EXIT, result.output  # a 404 (issue 20.1)
    assert "CORS headers from the policy of blueprint 'admin'" in result.output
    assert "(its URL prefix holds /admin/nothing), which refuses the request" in result.output


def test_routes_reads_a_rule_as_the_path_a_server_passes() -> None:
    from flask_preflight.compat import CORS

    app = Flask(__name__)

    @app.get("/café")
    def cafe() -> str:
        return "café"

    CORS(app, resources={"/café": {"origins": [ADMIN]}})
    result = app.test_cli_runner().invoke(preflight_cli, ["routes", "--json"])
    assert result.exit_code == 0, result.output
    [row] = [row for row in json.loads(result.output)["routes"] if row["rule"] == "/café"]
    assert row["origins"]["value"] == [ADMIN]
