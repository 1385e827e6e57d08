"""flask_preflight.compat: flask-cors's options, precedence and resource order, answered by
the engine. (flask-cors's own suite runs with ``make compat-suite``.)"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Blueprint, Flask, abort

from flask_preflight import PreflightConfigError
from flask_preflight.cli import preflight_cli
from flask_preflight.compat import CORS, cross_origin, parse_resources
from flask_preflight.extension import get_state

from ..helpers import BAR, FOO, cors_headers, send_preflight

BAZ = "https://baz.com"


def acao(app: Flask, path: str, origin: str | None = FOO, method: str = "get") -> str | None:
    headers = {"Origin": origin} if origin else {}
    response = getattr(app.test_client(), method)(path, headers=headers)
    value = response.headers.get("Access-Control-Allow-Origin")
    return value if value is None else str(value)


def routes(app: Flask, *paths: str) -> Flask:
    for path in paths:
        app.add_url_rule(path, path, lambda: "ok")
    return app


# --- precedence ---------------------------------------------------------------------------


def test_precedence_defaults_config_constructor_init_app_resource() -> None:
    """Each level overrides the one below, for the field it sets."""

    def app_with(**levels: Any) -> Flask:
        app = routes(Flask(__name__), "/r")
        if "config" in levels:
            app.config["CORS_ORIGINS"] = levels["config"]
        cors = CORS(**({"origins": levels["ctor"]} if "ctor" in levels else {}))
        init: dict[str, Any] = {"origins": levels["init"]} if "init" in levels else {}
        if "resource" in levels:
            init["resources"] = {"/r": {"origins": levels["resource"]}}
        cors.init_app(app, **init)
        return app

    assert acao(app_with(), "/r", BAZ) == "*"  # defaults: any origin
    assert acao(app_with(config=[FOO]), "/r", FOO) == FOO
    assert acao(app_with(config=[FOO]), "/r", BAR) is None
    assert acao(app_with(config=[FOO], ctor=[BAR]), "/r", BAR) == BAR
    assert acao(app_with(config=[FOO], ctor=[BAR]), "/r", FOO) is None
    assert acao(app_with(ctor=[BAR], init=[BAZ]), "/r", BAZ) == BAZ
    assert acao(app_with(ctor=[BAR], init=[BAZ]), "/r", BAR) is None
    assert acao(app_with(init=[BAZ], resource=[FOO]), "/r", FOO) == FOO
    assert acao(app_with(init=[BAZ], resource=[FOO]), "/r", BAZ) is None


def test_decorator_options_replace_the_extensions() -> None:
    """A cross_origin view takes defaults < CORS_* config < its own options; nothing from
    CORS(...) or its resources, whatever the path."""
    app = Flask(__name__)
    app.config["CORS_EXPOSE_HEADERS"] = ["X-Config"]
    CORS(app, origins=[BAR], max_age=99, resources={"/api/*": {"supports_credentials": True}})

    @app.get("/api/special")
    @cross_origin(origins=[FOO])
    def special() -> str:
        return "special"

    client = app.test_client()
    response = client.get("/api/special", headers={"Origin": FOO})
    assert cors_headers(response) == {
        "access-control-allow-origin": FOO,
        "access-control-expose-headers": "X-Config",  # config applies to the decorator
    }
    assert acao(app, "/api/special", BAR) is None
    preflight = send_preflight(client, "/api/special", FOO, "GET")
    assert "access-control-max-age" not in cors_headers(preflight)  # not CORS(max_age=99)


# --- resources ----------------------------------------------------------------------------


def test_dict_resources_are_ordered_as_flask_cors_6_0_1() -> None:
    compiled_short = re.compile("/.*")
    order = [
        key
        for key, _ in parse_resources(
            {
                "/api/v1/.*": {},
                compiled_short: {},
                "/api/.*": {},
                "/a": {},
                "/api/v1/exact": {},
            }
        )
    ]
    assert order == ["/api/v1/exact", "/a", compiled_short, "/api/v1/.*", "/api/.*"]


def test_list_resources_keep_their_order() -> None:
    assert [key for key, _ in parse_resources(["/b.*", "/a", "/b/c"])] == ["/b.*", "/a", "/b/c"]


@pytest.mark.parametrize(
    ("resources", "path", "matched"),
    [
        pytest.param(r"/api/*", "/api/x", True, id="regex-matches-at-start"),
        pytest.param(r"/api/*", "/apix", True, id="regex-prefix-as-flask-cors"),
        pytest.param(r"/api/*", "/x/api/y", False, id="regex-anchored-at-start"),
        pytest.param(r"/api/.*", "/API/x", False, id="case-sensitive-CVE-2024-6866"),
        pytest.param({r"/a\+b": {}}, "/a+b", True, id="plus-kept-CVE-2024-6844"),
        pytest.param({r"/a\+b": {}}, "/a%20b", False, id="plus-is-not-space"),
        pytest.param("/exact", "/exact", True, id="literal-exact"),
        pytest.param("/exact", "/exact/more", False, id="literal-is-not-prefix"),
        pytest.param("*", "/anything", True, id="star-is-everything"),
        pytest.param("/files/p.*", "/files/%2570", False, id="path-decoded-once"),
    ],
)
def test_resource_matching(resources: object, path: str, matched: bool) -> None:
    app = routes(Flask(__name__), "/api/x", "/apix", "/a+b", "/a b", "/exact")
    CORS(app, resources=resources, origins=[FOO])
    assert (acao(app, path) == FOO) is matched


def test_most_specific_dict_resource_wins() -> None:
    app = routes(Flask(__name__), "/api/v1/x", "/api/x")
    CORS(app, resources={r"/api/.*": {"origins": [BAR]}, r"/api/v1/.*": {"origins": [FOO]}})
    assert acao(app, "/api/v1/x", FOO) == FOO
    assert acao(app, "/api/x", BAR) == BAR


def test_paths_no_rule_matches_use_the_resource() -> None:
    """A 404 under a resource gets its headers (flask-cors's after_request does too)."""
    app = routes(Flask(__name__), "/api/x")
    CORS(app, resources={"/api/*": {"origins": [FOO]}})
    response = app.test_client().get("/api/nothing", headers={"Origin": FOO})
    assert response.status_code == 404
    assert response.headers["Access-Control-Allow-Origin"] == FOO
    assert acao(app, "/elsewhere") is None


def test_blueprint_resources_apply_to_its_routes_only() -> None:
    bp = Blueprint("bp", __name__, url_prefix="/bp")
    CORS(bp, resources={"/bp/api/*": {"origins": [FOO]}})

    @bp.get("/api/ping")
    def ping() -> str:
        return "pong"

    app = routes(Flask(__name__), "/bp/api/app-level")
    app.register_blueprint(bp)
    assert acao(app, "/bp/api/ping") == FOO
    assert acao(app, "/bp/api/app-level") is None  # not the blueprint's route
    assert acao(app, "/bp/api/missing") is None  # 404: no blueprint endpoint (flask-cors)


# --- the decorator ------------------------------------------------------------------------


@pytest.mark.parametrize("first", ["preflight", "get"])
def test_decorator_without_cors_works_from_the_first_request(first: str) -> None:
    app = Flask(__name__)

    @app.route("/x", methods=["GET", "PUT"])
    @cross_origin(origins=[FOO])
    def x() -> str:
        return "x"

    client = app.test_client()
    if first == "preflight":
        response = send_preflight(client, "/x", FOO, "PUT")
        assert response.status_code == 204
        assert response.headers["Access-Control-Allow-Methods"] == "PUT"
    else:
        assert client.get("/x", headers={"Origin": FOO}).headers["Vary"] == "Origin"
    assert acao(app, "/x") == FOO
    assert send_preflight(client, "/x", BAR, "PUT").status_code == 403


@pytest.mark.parametrize("first", ["preflight", "refused preflight", "get"])
def test_the_first_request_is_answered_as_every_later_one(first: str) -> None:
    """The request that registers the engine (an app with only ``@cross_origin``) gets the
    same answer, header for header, as the same request later: no Content-Type added to a
    preflight's answer that has none (nginx in front, which answers the later ones the
    app's way, showed the difference)."""

    def build() -> Flask:
        app = Flask(__name__)

        @app.route("/x", methods=["GET", "PUT"])
        @cross_origin(origins=[FOO])
        def x() -> str:
            return "x"

        return app

    def send(app: Flask) -> tuple[int, list[tuple[str, str]], bytes]:
        client = app.test_client()
        if first == "get":
            response = client.get("/x", headers={"Origin": FOO})
        else:
            origin = FOO if first == "preflight" else BAR
            response = send_preflight(client, "/x", origin, "PUT")
        return response.status_code, sorted(response.headers.items()), response.data

    app = build()
    first_answer = send(app)
    assert first_answer == send(app)
    if first == "preflight":  # a 204 without a body
        assert "Content-Type" not in dict(first_answer[1])


def test_decorator_on_async_view() -> None:
    pytest.importorskip("asgiref")
    app = Flask(__name__)

    @app.get("/a")
    @cross_origin(origins=[FOO])
    async def a() -> str:
        return "async"

    response = app.test_client().get("/a", headers={"Origin": FOO})
    assert response.data == b"async"
    assert response.headers["Access-Control-Allow-Origin"] == FOO


def test_plain_options_gets_flasks_answer_with_cors_headers() -> None:
    app = Flask(__name__)

    @app.get("/x")
    @cross_origin(origins=[FOO])
    def x() -> str:
        raise AssertionError("the view must not run for OPTIONS")

    response = app.test_client().options("/x", headers={"Origin": FOO})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == FOO


# --- flask-cors's answers, kept -----------------------------------------------------------


def one_view(**options: Any) -> Flask:
    app = Flask(__name__)

    @app.route("/v", methods=["GET", "POST", "PUT"])
    @cross_origin(**options)
    def v() -> str:
        return "v"

    return app


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        pytest.param({}, "*", id="wildcard-without-origin"),
        pytest.param({"origins": [BAR, FOO]}, BAR, id="first-sorted-literal-without-origin"),
        pytest.param({"always_send": False}, None, id="always-send-off-wildcard"),
        pytest.param({"always_send": False, "origins": [FOO]}, None, id="always-send-off"),
        pytest.param({"origins": [r"http://.*\.foo\.com"]}, None, id="regex-only-nothing"),
    ],
)
def test_always_send(options: dict[str, Any], expected: str | None) -> None:
    assert acao(one_view(**options), "/v", origin=None) == expected


def test_header_names_keep_their_case_and_flask_cors_joining() -> None:
    app = one_view(origins=[FOO], expose_headers=["X-B", "X-A"], allow_headers=["X-Token"])
    client = app.test_client()
    response = client.get("/v", headers={"Origin": FOO})
    assert response.headers["Access-Control-Expose-Headers"] == "X-A, X-B"
    preflight = send_preflight(client, "/v", FOO, "POST", "X-token, Content-Type")
    assert preflight.headers["Access-Control-Allow-Headers"] == "Content-Type, X-token"


@pytest.mark.parametrize(
    ("requested", "granted"),
    [
        ("X-COMPANY-FOO", True),
        ("x-company-foo", True),  # case-insensitive, as flask-cors
        ("X-COMPANY-", True),  # flask-cors matches at the start: '.*' may be empty
        ("X-OTHER", False),
        ("X-COMPANY-FOO, X-OTHER", False),  # all or nothing
    ],
)
def test_regex_allow_headers(requested: str, granted: bool) -> None:
    client = one_view(allow_headers=[r"X-COMPANY-.*"]).test_client()
    response = send_preflight(client, "/v", FOO, "POST", requested)
    assert (response.status_code == 204) is granted


def test_methods_limit_preflights_only() -> None:
    app = one_view(origins=[FOO], methods=["POST"])
    assert acao(app, "/v") == FOO  # a GET still gets its header, as with flask-cors
    client = app.test_client()
    assert send_preflight(client, "/v", FOO, "POST").status_code == 204
    assert send_preflight(client, "/v", FOO, "PUT").status_code == 403


@pytest.mark.parametrize("max_age", [600, "600", timedelta(minutes=10)])
def test_max_age_forms(max_age: object) -> None:
    client = one_view(max_age=max_age).test_client()
    assert send_preflight(client, "/v", FOO, "PUT").headers["Access-Control-Max-Age"] == "600"


@pytest.mark.parametrize(("allowed", "answer"), [(True, "true"), (False, "false")])
def test_private_network_answer_on_actual_requests(allowed: bool, answer: str) -> None:
    client = one_view(allow_private_network=allowed).test_client()
    response = client.get(
        "/v", headers={"Origin": FOO, "Access-Control-Request-Private-Network": "true"}
    )
    assert response.headers["Access-Control-Allow-Private-Network"] == answer


def test_errors_get_cors_headers() -> None:
    app = Flask(__name__)
    CORS(app, origins=[FOO], intercept_exceptions=False)

    @app.get("/boom")
    def boom() -> str:
        abort(500)

    response = app.test_client().get("/boom", headers={"Origin": FOO})
    assert response.status_code == 500
    assert response.headers["Access-Control-Allow-Origin"] == FOO


# --- Flask-Preflight's rules, where flask-cors is insecure or off-spec ------------------------


def test_preflight_is_answered_before_before_request_hooks() -> None:
    app = routes(Flask(__name__), "/r")

    @app.before_request
    def deny() -> None:
        abort(401)

    CORS(app, origins=[FOO])
    assert send_preflight(app.test_client(), "/r", FOO, "GET").status_code == 204


def test_origin_regex_matches_whole() -> None:
    app = one_view(origins=[r".*.example.com"])
    assert acao(app, "/v", "http://a.example.com") == "http://a.example.com"
    assert acao(app, "/v", "http://a.example.com.evil.net") is None


@pytest.mark.parametrize(
    "options",
    [
        {"supports_credentials": True},
        {"supports_credentials": True, "origins": "*"},
        {"supports_credentials": True, "origins": [FOO, r".*"]},
    ],
)
def test_credentials_with_any_origin_is_refused(options: dict[str, Any]) -> None:
    with pytest.raises(PreflightConfigError) as error:
        CORS(Flask(__name__), **options)
    message = str(error.value)
    assert "supports_credentials=True" in message
    assert "list the origins that may call with credentials" in message


def test_credentials_from_the_decorator_with_default_origins_fail_at_setup() -> None:
    with pytest.raises(PreflightConfigError, match=r"endpoint 'v': origins='\*'.*credentials"):
        CORS(one_view(supports_credentials=True), resources="/nothing")
    app = Flask(__name__)
    CORS(app, resources="/nothing")

    @app.get("/late")  # declared after CORS(app): checked before the first request
    @cross_origin(supports_credentials=True)
    def late() -> str:
        return "late"

    with pytest.raises(PreflightConfigError, match="endpoint 'late'"):
        get_state(app).freeze()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: CORS(Flask(__name__), support_credentials=True), "'supports_credentials'"),
        (lambda: CORS().init_app(Flask(__name__), orgins=[FOO]), "'origins'"),
        (lambda: cross_origin(expose_header=["X"]), "'expose_headers'"),
        (lambda: CORS(Flask(__name__), resources={"/a": {"methds": ["GET"]}}), "'methods'"),
        (lambda: CORS(Flask(__name__), resources=5), "resources=5"),
        (lambda: CORS(Flask(__name__), resources=r"/a(["), "invalid regular expression"),
        (lambda: CORS(Flask(__name__), origins=[r"http://(["]), "invalid regular expression"),
        (lambda: CORS(Flask(__name__), max_age="ten"), "max_age='ten'"),
        (lambda: CORS(Flask(__name__), origins=["https://foo.com/"]), "trailing slash"),
    ],
)
def test_bad_options_are_errors(make: Any, message: str) -> None:
    with pytest.raises(PreflightConfigError, match=re.escape(message)):
        make()


def test_misspelled_config_key_is_a_warning_as_flask_cors_ignores_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = Flask(__name__)
    app.config["CORS_SUPPORT_CREDENTIALS"] = True
    CORS(app)
    assert "did you mean 'CORS_SUPPORTS_CREDENTIALS'?" in caplog.text


# --- flask preflight routes -----------------------------------------------------------------


def test_routes_show_compat_policies_with_their_source() -> None:
    app = routes(Flask(__name__), "/api/items", "/health")
    CORS(app, resources={r"/api/*": {"origins": [FOO]}})

    @app.get("/open")
    @cross_origin(origins=[BAR], max_age=60)
    def open_view() -> str:
        return "open"

    result = app.test_cli_runner().invoke(preflight_cli, ["routes", "--json"])
    assert result.exit_code == 0, result.output
    import json

    document = json.loads(result.output)
    by_rule = {row["rule"]: row for row in document["routes"]}
    assert by_rule["/api/items"]["origins"] == {
        "value": [FOO],
        "source": "CORS(resources='/api/*')",
    }
    assert by_rule["/health"]["cors"] is False
    assert by_rule["/open"]["origins"]["source"] == "@cross_origin(...) on 'open_view'"
    assert by_rule["/open"]["credentials"]["source"] == "flask-cors's defaults"
    assert document["path_rules"] == [
        {"source": "CORS(resources='/api/*')", "scope": None, "origins": [FOO]}
    ]
    text = app.test_cli_runner().invoke(preflight_cli, ["routes"]).output
    assert "CORS(resources='/api/*'): origins https://foo.com" in text


def test_automatic_options_false_leaves_flasks_options_answer_alone() -> None:
    """flask-cors: with automatic_options=False, Flask answers a plain OPTIONS without the
    decorator, so without CORS headers; a view that serves OPTIONS itself gets them."""
    app = Flask(__name__)
    CORS(app, resources="/nothing")  # the engine is registered before any request

    @app.get("/auto")
    @cross_origin(origins=[FOO], automatic_options=False)
    def auto() -> str:
        return "auto"

    @app.route("/own", methods=["GET", "OPTIONS"])
    @cross_origin(origins=[FOO], automatic_options=False)
    def own() -> str:
        return "own"

    client = app.test_client()
    assert acao(app, "/auto", method="options") is None
    assert acao(app, "/auto") == FOO
    assert client.options("/own", headers={"Origin": FOO}).data == b"own"
    assert acao(app, "/own", method="options") == FOO
    assert send_preflight(client, "/auto", FOO, "GET").status_code == 204  # the engine's


@pytest.mark.parametrize(
    "path",
    ["/api/\xff", "/api/\xc3", "/api/" + "a" * 5000, "/api/%ff", "/api/\x00", "//api//x"],
)
def test_hostile_paths_get_a_safe_answer(path: str) -> None:
    """Undecodable bytes, huge and odd paths: never a 500, the resource's headers on 404s."""
    app = routes(Flask(__name__), "/api/x")
    CORS(app, resources={r"/api/*": {"origins": [FOO]}})
    client = app.test_client()
    overrides = {"PATH_INFO": path}
    response = client.get(path, environ_overrides=overrides, headers={"Origin": FOO})
    assert response.status_code < 500
    assert response.headers.get("Access-Control-Allow-Origin") == FOO
    preflight = client.options(
        path,
        environ_overrides=overrides,
        headers={"Origin": FOO, "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code < 500
