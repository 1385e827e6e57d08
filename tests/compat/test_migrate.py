"""``flask preflight migrate``: the printed native declarations give the same policies."""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Blueprint, Flask
from flask.cli import ScriptInfo

from flask_preflight import Preflight, PreflightConfigError, cors
from flask_preflight.cli import preflight_cli
from flask_preflight.compat import CORS, cross_origin

from ..helpers import BAR, FOO, send_preflight
from .migration_check import (
    apply_migration,
    assert_migration_equivalent,
    build_app,
    migrate_output,
    run_cli,
)


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


def test_migrate_prints_regex_flags_every_supported_python_reads() -> None:
    """An origin regex's flags are printed by name, none when it has none: never
    ``re.NOFLAG`` (Python 3.11+ only), which Python 3.11 formats an empty flag set as."""
    plain = re.compile(r"https://[a-z]+\.example\.com")
    folded = re.compile(r"https://(api|shop)\.example\.com", re.IGNORECASE | re.VERBOSE)

    def build_app_(compat: bool) -> Flask:
        app = Flask(__name__)

        @app.get("/a")
        def a() -> str:
            return "a"

        @app.get("/b")
        def b() -> str:
            return "b"

        if compat:
            app.view_functions["a"] = cross_origin(origins=[plain])(a)
            app.view_functions["b"] = cross_origin(origins=[folded], supports_credentials=True)(b)
        return app

    output = assert_migration_equivalent(build_app_, exact=True)
    assert "NOFLAG" not in output
    assert f"re.compile({plain.pattern!r})" in output
    assert f"re.compile({folded.pattern!r}, re.IGNORECASE | re.VERBOSE)" in output


@pytest.mark.parametrize("command", [["migrate"]])
def test_migrate_notes_what_native_cannot_say(command: list[str]) -> None:
    output = build(compat=True).test_cli_runner().invoke(preflight_cli, command).output
    assert "# Note: unrouted URLs (404) under a resource" in output
    assert "# Note: flask-cors's answer forms are not kept" in output


# --- issue 17.7 and 16.4: migrate on the patterns real apps use ------------------------------

APPS = ["cross_origin_only", "static_views", "prints_at_import", "converters"]


@pytest.mark.parametrize("name", APPS)
def test_migrated_app_serves_what_compat_serves(name: str) -> None:
    """Apply migrate's output to the app with compat removed: same `routes --json`, and on
    concrete paths of every rule the native app never grants what compat refuses."""
    assert_migration_equivalent(f"tests.compat.migrate_apps.{name}")


def test_cross_origin_only_app_is_seen_as_its_first_request_sees_it() -> None:
    """Compat registers on an app with only @cross_origin at its first request to such a
    view: routes and migrate see that, not "no Preflight"."""
    app = build_app("tests.compat.migrate_apps.cross_origin_only", compat=True)
    result = run_cli(app, ["routes", "--json"])
    assert result.exit_code == 0, result.output
    rows = {(r["endpoint"], r["method"]): r for r in json.loads(result.stdout)["routes"]}
    assert rows[("create_item", "POST")]["origins"]["value"] == ["https://shop.example.com"]
    assert rows[("create_item", "POST")]["credentials"]["value"] is True
    assert rows[("list_items", "GET")]["origins"]["value"] == ["*"]
    assert rows[("health", "GET")]["cors"] is False
    output = migrate_output("tests.compat.migrate_apps.cross_origin_only")
    assert "cors(origins=['https://admin.example.com'], methods=['DELETE'], max_age=30)" in output


def test_migrate_keeps_the_apps_own_prints_out_of_its_output(tmp_path: Path) -> None:
    info = ScriptInfo(
        create_app=lambda: build_app("tests.compat.migrate_apps.prints_at_import", True)
    )
    result = run_cli(info, ["migrate"])
    assert result.exit_code == 0, result.output
    assert "Starting the shop API" not in result.stdout
    assert "Starting the shop API" in result.stderr  # not lost: on stderr
    compile(result.stdout, "migrate", "exec")
    target = tmp_path / "cors_policies.py"
    result = run_cli(info, ["migrate", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    text = target.read_text(encoding="utf-8")
    compile(text, str(target), "exec")
    assert "app.view_functions['items']" in text


def test_migrate_declares_views_without_attributes_by_endpoint_name() -> None:
    output = migrate_output("tests.compat.migrate_apps.static_views")
    for endpoint in ("flasgger.static", "api.root", "shared_one", "shared_two"):
        assert f").endpoint(app, {endpoint!r})" in output
        assert f"app.view_functions[{endpoint!r}]" not in output
    assert "app.view_functions['api.thing']" in output  # a plain function keeps the old form


# --- cors(...).endpoint(app, name) -----------------------------------------------------------


def _static_app() -> Flask:
    app = Flask(__name__, static_folder=str(Path(__file__).parent / "migrate_apps" / "static"))

    @app.get("/plain")
    def plain() -> str:
        return "plain"

    return app


def test_endpoint_policy_applies_to_a_bound_method_view() -> None:
    app = _static_app()
    assert inspect.ismethod(app.view_functions["static"]) or callable(app.view_functions["static"])
    cors(origins=[FOO]).endpoint(app, "static")
    Preflight(app)
    client = app.test_client()
    granted = client.get("/static/style.css", headers={"Origin": FOO})
    assert granted.headers["Access-Control-Allow-Origin"] == FOO
    refused = client.get("/plain", headers={"Origin": FOO})
    assert "Access-Control-Allow-Origin" not in refused.headers
    rows = routes_json(app)
    assert [r["origins"] for r in rows if r["endpoint"] == "static"] == [[FOO]]


def test_cors_on_a_bound_method_names_the_endpoint_form() -> None:
    class Holder:
        def view(self) -> str:
            return "x"

    with pytest.raises(TypeError, match=r"cors\(\.\.\.\)\.endpoint\(app, "):
        cors(origins=[FOO])(Holder().view)


def test_endpoint_policy_naming_no_endpoint_fails_at_start_up() -> None:
    app = _static_app()
    cors(origins=[FOO]).endpoint(app, "statik")
    Preflight(app)  # the endpoint may still be added
    with pytest.raises(PreflightConfigError, match="no such endpoint"):
        app.test_client().get("/plain")


def test_endpoint_policy_and_a_view_policy_must_be_merged() -> None:
    app = _static_app()
    cors(origins=[BAR])(app.view_functions["plain"])
    cors(origins=[FOO]).endpoint(app, "plain")
    Preflight(app)
    with pytest.raises(PreflightConfigError, match="already has a cors"):
        app.test_client().get("/plain")
    with pytest.raises(TypeError, match="already has a cors"):
        cors(origins=[FOO]).endpoint(app, "plain")


def test_endpoint_policy_after_the_first_request_is_refused() -> None:
    app = _static_app()
    Preflight(app)
    app.test_client().get("/plain")
    with pytest.raises(RuntimeError, match="after the app's first request"):
        cors(origins=[FOO]).endpoint(app, "plain")


# --- 16.4: the path rule of a view, on its concrete paths ------------------------------------

ADMIN = "https://admin.example.com"
EVIL = "https://evil.example"


def _users_app(compat: bool) -> Flask:
    app = Flask(__name__)

    @app.get("/users/<int:uid>/profile")
    def profile(uid: int) -> str:
        return "profile"

    if compat:
        CORS(
            app,
            resources={
                r"/users/[0-9]+/.*": {"origins": [ADMIN], "supports_credentials": True},
                r"/.*": {"origins": "*"},
            },
        )
    return app


def test_migrate_never_grants_what_compat_refused_on_a_converter_path() -> None:
    """Issue 16.4's case: compat refuses evil on /users/5/profile; the migrated app must too
    (it answered '*': the rule's text '/users/<int:uid>/profile' matched only '/.*')."""
    compat_app = _users_app(True)
    assert (
        send_preflight(compat_app.test_client(), "/users/5/profile", EVIL, "GET").status_code == 403
    )
    output = assert_migration_equivalent(_users_app)
    native = apply_migration(_users_app, output)
    answer = send_preflight(native.test_client(), "/users/5/profile", EVIL, "GET")
    assert answer.status_code == 403
    assert "Access-Control-Allow-Origin" not in answer.headers
    # \d takes other digits than [0-9]: /users/٣/profile falls under '/.*', so migrate
    # says the paths differ and declares what both grant: ADMIN, without credentials.
    flat = " ".join(line.lstrip("#").strip() for line in output.splitlines())
    assert "'profile': its paths fall under different path rules" in flat
    assert "'/users/0/profile' gets CORS(resources='/users/[0-9]+/.*')" in flat
    assert "'/users/\u0660/profile' gets CORS(resources='/.*')" in flat
    granted = send_preflight(native.test_client(), "/users/5/profile", ADMIN, "GET")
    assert granted.headers["Access-Control-Allow-Origin"] == ADMIN
    assert "Access-Control-Allow-Credentials" not in granted.headers


def test_routes_shows_the_origins_of_the_rules_concrete_paths() -> None:
    app = _users_app(True)
    result = run_cli(app, ["routes", "--json"])
    (row,) = [r for r in json.loads(result.stdout)["routes"] if r["endpoint"] == "profile"]
    assert row["origins"]["value"] == [ADMIN]  # not '*' (the rule's text matched only '/.*')
    assert row["credentials"]["value"] is False  # '/.*' gives no credentials
    examples = {entry["path_rule"]: entry["example"] for entry in row["varies_by_path"]}
    assert examples["CORS(resources='/users/[0-9]+/.*')"] == "/users/0/profile"
    assert examples["CORS(resources='/.*')"] == "/users/\u0660/profile"
    table = app.test_cli_runner().invoke(preflight_cli, ["routes"]).output
    assert "Rules whose paths fall under different path rules" in table
    # The witnesses are real: Flask routes them to the view, compat gives each its rule.
    client = app.test_client()
    for path, origin, status in [
        ("/users/0/profile", EVIL, 403),
        ("/users/\u0660/profile", EVIL, 204),
    ]:
        assert client.get(path).status_code == 200
        assert send_preflight(client, path, origin, "GET").status_code == status


def test_one_rule_covering_every_path_is_not_reported_as_varying() -> None:
    def build_app_(compat: bool) -> Flask:
        app = _users_app(False)
        if compat:
            CORS(app, resources={r"/users/.*": {"origins": [ADMIN], "supports_credentials": True}})
        return app

    output = assert_migration_equivalent(build_app_)
    assert "'profile': its paths" not in output
    (line,) = [line for line in output.splitlines() if "['profile']" in line]
    assert line.startswith("cors(origins=['https://admin.example.com'],")
    assert "credentials=True" in line
