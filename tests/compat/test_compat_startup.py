"""compat on what real flask-cors users write: every configuration error comes at start-up
(``CORS()``, ``cross_origin()``, or the freeze before the first request) with a fix that
works where it stands, or never; keys flask-cors ignores are ignored (issue 17, 16.7)."""

from __future__ import annotations

import logging
import re
from typing import Any, Callable

import pytest
from flask import Blueprint, Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flask_preflight import Preflight, PreflightConfigError, cors
from flask_preflight.compat import CONFIG_KEYS, CORS, cross_origin
from flask_preflight.extension import get_state
from flask_preflight.regexes import can_match_no_origin, literal_prefix

from ..helpers import A, send_preflight

HTTP_A = "http://a.example.com"


def preflight(app: Flask, path: str, origin: str = A, headers: str | None = None) -> Any:
    sent = {"Origin": origin, "Access-Control-Request-Method": "PUT"}
    if headers:
        sent["Access-Control-Request-Headers"] = headers
    return app.test_client().options(path, headers=sent)


def started(app: Flask) -> Flask:
    """End the app's setup, as its first request does."""
    get_state(app).freeze()
    return app


# --- 17.1 legacy CORS_HEADERS -------------------------------------------------------------


def test_legacy_cors_headers_is_ignored_with_one_warning(caplog: pytest.LogCaptureFixture) -> None:
    app = Flask(__name__)
    CORS(app)
    app.config["CORS_HEADERS"] = "Content-Type"  # a 1.x tutorial's line, after CORS(app)

    @app.route("/api/v", methods=["GET", "PUT"])
    @cross_origin()
    def v() -> str:
        return "v"

    client = app.test_client()
    for _ in range(3):
        assert client.get("/api/v").status_code == 200  # no Origin: never an error
        assert client.get("/api/v", headers={"Origin": A}).status_code == 200
    # flask-cors 2+ ignores the key: every header stays allowed.
    assert preflight(app, "/api/v", headers="x-token").status_code == 204
    warnings = [r.getMessage() for r in caplog.records if "CORS_HEADERS" in r.getMessage()]
    assert len(warnings) == 1, warnings
    assert "no effect since flask-cors 2.0" in warnings[0]
    assert "did you mean" not in warnings[0]


# --- 17.2 app-specific CORS_* keys --------------------------------------------------------


def test_an_app_specific_cors_key_never_stops_the_app(caplog: pytest.LogCaptureFixture) -> None:
    app = Flask(__name__)
    app.config["CORS_OPTIONS"] = {"origins": [A], "resources": [r"/api/*"]}
    app.config["CORS_ENABLED"] = True
    CORS(app, **app.config["CORS_OPTIONS"])
    app.get("/api/v")(lambda: "v")
    response = started(app).test_client().get("/api/v", headers={"Origin": A})
    assert response.headers["Access-Control-Allow-Origin"] == A
    assert "CORS_OPTIONS" not in caplog.text
    assert "CORS_ENABLED" not in caplog.text


@pytest.mark.parametrize(
    ("key", "known"),
    [("CORS_ORIGIN", "CORS_ORIGINS"), ("CORS_SUPPORT_CREDENTIALS", "CORS_SUPPORTS_CREDENTIALS")],
)
def test_a_near_miss_of_a_real_key_warns(
    key: str, known: str, caplog: pytest.LogCaptureFixture
) -> None:
    app = Flask(__name__)
    app.config[key] = [A]
    CORS(app)
    started(app).test_client().get("/", headers={"Origin": A})
    assert f"did you mean {known!r}?" in caplog.text


def test_native_preflight_typos_still_raise() -> None:
    app = Flask(__name__)
    app.config["PREFLIGHT_ORIGIN"] = [A]
    with pytest.raises(PreflightConfigError, match="PREFLIGHT_ORIGIN"):
        Preflight(app)


# --- 17.3 and 16.7: errors at start-up or never --------------------------------------------

BAD_VALUES: dict[str, object] = {
    "CORS_ORIGINS": ["https://a.example.com/", r"http://(["],
    "CORS_METHODS": 5,
    "CORS_ALLOW_HEADERS": ["Cookie"],
    "CORS_EXPOSE_HEADERS": ["Set-Cookie"],
    "CORS_SUPPORTS_CREDENTIALS": "false",
    "CORS_MAX_AGE": "ten",
    "CORS_SEND_WILDCARD": "no",
    "CORS_AUTOMATIC_OPTIONS": "no",
    "CORS_VARY_HEADER": "no",
    "CORS_RESOURCES": 5,
    "CORS_INTERCEPT_EXCEPTIONS": "no",
    "CORS_ALWAYS_SEND": "no",
    "CORS_ALLOW_PRIVATE_NETWORK": "no",
    "CORS_DANGEROUSLY_TOLERATE": ["everything"],
    "CORS_HEADERS": 5,
    "CORS_ORIGIN": object(),
}


def test_every_config_key_has_a_bad_value() -> None:
    assert set(CONFIG_KEYS) <= set(BAD_VALUES)


def _requests(app: Flask) -> None:
    """Requests of every kind; none may raise or answer 500."""
    client = app.test_client()
    for path in ("/api/v", "/plain", "/nothing", "/api/nothing"):
        for headers in ({}, {"Origin": A}, {"Origin": "null"}):
            for method in ("GET", "OPTIONS", "PUT"):
                assert client.open(path, method=method, headers=headers).status_code < 500
        for origin in (A, HTTP_A, "null"):
            assert preflight(app, path, origin, "x-token").status_code < 500


def _app(with_view: bool) -> Flask:
    app = Flask(__name__)
    app.config["PROPAGATE_EXCEPTIONS"] = True  # an escaping error fails the test

    @app.route("/api/v", methods=["GET", "PUT"])
    @cross_origin()
    def v() -> str:
        return "v"

    if with_view:
        app.get("/plain")(lambda: "plain")
    return app


@pytest.mark.parametrize("key", sorted(BAD_VALUES))
@pytest.mark.parametrize("when", ["before CORS(app)", "after CORS(app)", "after start"])
def test_a_bad_config_value_fails_at_start_up_or_never(key: str, when: str) -> None:
    app = _app(with_view=True)
    if when == "before CORS(app)":
        app.config[key] = BAD_VALUES[key]
    try:
        CORS(app)
        if when == "after CORS(app)":
            app.config[key] = BAD_VALUES[key]
        started(app)
    except PreflightConfigError as error:
        assert when != "after start"
        assert key in str(error), error
        return
    if when == "after start":
        app.config[key] = BAD_VALUES[key]
    _requests(app)


def test_a_config_change_after_start_is_ignored_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = Flask(__name__)  # @cross_origin only: the first request registers compat
    app.add_url_rule("/items/<int:n>", "item", cross_origin()(lambda n: str(n)))
    app.config["CORS_ORIGINS"] = [A]
    app.test_client().get("/items/1")
    app.config["CORS_ORIGINS"] = ["https://b.example.com"]
    # Noticed when compat next looks the policy up: a preflight to a path not seen before
    # (actual requests use the plan decided at the first request, issue 18.2).
    response = app.test_client().get("/items/2", headers={"Origin": A})
    assert response.headers["Access-Control-Allow-Origin"] == A
    send_preflight(app.test_client(), "/items/3", A, "GET")
    assert "CORS_ORIGINS" in caplog.text and "ignores the change" in caplog.text


def test_a_config_key_set_after_cors_app_is_ignored_as_flask_cors_does(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = Flask(__name__)
    app.get("/api/v")(lambda: "v")
    CORS(app, resources="/api/*")
    app.config["CORS_ORIGINS"] = [A]  # flask-cors read the config in CORS(app)
    response = started(app).test_client().get("/api/v", headers={"Origin": A})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "changed after CORS(app)" in caplog.text


def test_an_insecure_merge_with_a_native_level_fails_at_start_up() -> None:
    """16.7: @cors(origins=["null"]) on a view under a credentialed resource."""
    app = Flask(__name__)

    @app.get("/health")
    def health() -> str:
        return "ok"

    @app.get("/api/v")
    @cors(origins=["null"])
    def v() -> str:
        return "v"

    CORS(app, resources={"/api/*": {"origins": [A], "supports_credentials": True}})
    with pytest.raises(PreflightConfigError, match=r"endpoint 'v' at paths of CORS\(resources="):
        started(app)


def test_a_native_level_no_resource_can_reach_is_not_merged_with_it() -> None:
    """The same view outside the resource's paths: never served under it, so accepted."""
    app = Flask(__name__)

    @app.get("/health/<name>")
    @cors(origins=["null"])
    def health(name: str) -> str:
        return name

    CORS(app, resources={"/api/*": {"origins": [A], "supports_credentials": True}})
    response = started(app).test_client().get("/health/x", headers={"Origin": "null"})
    assert response.headers["Access-Control-Allow-Origin"] == "null"


ORIGIN_POOL = [A, HTTP_A, "null", "*", r"https://.*\.example\.com", "https://*.github.io"]
TOLERANCES = ["insecure_origins", "null_with_credentials", "public_suffix_subdomains"]
options = st.fixed_dictionaries(
    {},
    optional={
        "origins": st.lists(st.sampled_from(ORIGIN_POOL), min_size=1, max_size=2),
        "supports_credentials": st.booleans(),
        "dangerously_tolerate": st.lists(st.sampled_from(TOLERANCES), max_size=1),
        "expose_headers": st.sampled_from(["*", ["X-A"]]),
    },
)
native = st.fixed_dictionaries(
    {},
    optional={
        "origins": st.lists(st.sampled_from(ORIGIN_POOL), min_size=1, max_size=2),
        "credentials": st.booleans(),
    },
)
configuration = st.fixed_dictionaries(
    {
        "cors": options,
        "resources": st.dictionaries(st.sampled_from(["/api/*", "/bp/x", r"/.*"]), options),
        "view": st.one_of(st.none(), native),
        "blueprint": st.one_of(st.none(), native),
        "decorated": st.one_of(st.none(), options),
        "config": options,
    }
)


def _build(spec: dict[str, Any]) -> Flask:
    app = Flask(__name__)
    app.config["PROPAGATE_EXCEPTIONS"] = True
    app.config.update({f"CORS_{k.upper()}": v for k, v in spec["config"].items()})
    view: Callable[..., str] = lambda: "v"  # noqa: E731
    if spec["view"] is not None:
        view = cors(**spec["view"])(view)
    app.add_url_rule("/api/v", "v", view, methods=["GET", "PUT"])
    app.add_url_rule("/plain", "plain", lambda: "plain")
    if spec["decorated"] is not None:
        app.add_url_rule("/api/d", "d", cross_origin(**spec["decorated"])(lambda: "d"))
    bp = Blueprint("bp", __name__, url_prefix="/bp")
    bp.add_url_rule("/x", "x", lambda: "x")
    if spec["blueprint"] is not None:
        cors(**spec["blueprint"])(bp)
    app.register_blueprint(bp)
    resources = spec["resources"] or "/*"
    CORS(app, resources=resources, **spec["cors"])
    return app


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(configuration)
def test_fuzz_configuration_errors_come_at_start_up_or_never(spec: dict[str, Any]) -> None:
    try:
        app = started(_build(spec))
    except PreflightConfigError:
        return
    logger = logging.getLogger("flask_preflight")
    errors: list[logging.LogRecord] = []
    handler = logging.Handler(logging.ERROR)
    handler.emit = errors.append  # type: ignore[method-assign, assignment]
    logger.addHandler(handler)
    try:
        client = app.test_client()
        for path in ("/api/v", "/api/d", "/plain", "/bp/x", "/bp/nothing", "/api/nothing"):
            for origin in (A, HTTP_A, "null", "https://x.github.io"):
                assert client.get(path, headers={"Origin": origin}).status_code < 500
                assert preflight(app, path, origin).status_code < 500
    finally:
        logger.removeHandler(handler)
    assert not errors, [r.getMessage() for r in errors]  # no combination left unchecked


# --- 17.4 dangerously_tolerate, spelled where the error arose ------------------------------


def _suggestion(error: PreflightConfigError) -> str:
    match = re.search(r"if you accept the risk, add (.*)$", str(error))
    assert match, error
    return match[1]


def test_tolerance_suggested_for_a_cors_call_works_there() -> None:
    options: dict[str, Any] = {"origins": [HTTP_A], "supports_credentials": True}
    with pytest.raises(PreflightConfigError) as error:
        CORS(Flask(__name__), **options)
    fix = _suggestion(error.value)
    assert fix == "CORS(..., dangerously_tolerate=['insecure_origins'])"
    keyword = fix[len("CORS(..., ") : -1]
    name, value = keyword.split("=", 1)
    app = Flask(__name__)
    CORS(app, **options, **{name: eval(value)})
    assert started(app)


def test_tolerance_suggested_for_config_keys_works_there() -> None:
    def build() -> Flask:
        app = Flask(__name__)
        app.config["CORS_ORIGINS"] = [HTTP_A]
        app.config["CORS_SUPPORTS_CREDENTIALS"] = True
        return app

    with pytest.raises(PreflightConfigError) as error:
        CORS(build())
    fix = _suggestion(error.value)
    assert fix.startswith("app.config['CORS_DANGEROUSLY_TOLERATE'] = "), fix
    app = build()
    exec(fix, {"app": app})
    CORS(app)
    assert started(app)


def test_tolerance_suggested_for_a_resource_works_there() -> None:
    resource = {"origins": ["null"], "supports_credentials": True}
    with pytest.raises(PreflightConfigError) as error:
        CORS(Flask(__name__), resources={"/api/*": resource})
    fix = _suggestion(error.value)
    assert fix == "resources={'/api/*': {'dangerously_tolerate': ['null_with_credentials'], ...}}"
    inner = eval(fix.replace(", ...", "").split("=", 1)[1])
    app = Flask(__name__)
    CORS(app, resources={"/api/*": {**resource, **inner["/api/*"]}})
    assert started(app)


def test_tolerance_suggested_for_a_decorator_works_there() -> None:
    options: dict[str, Any] = {"origins": [HTTP_A], "supports_credentials": True}

    def build(**extra: Any) -> Flask:
        app = Flask(__name__)
        app.config["PROPAGATE_EXCEPTIONS"] = True
        app.add_url_rule("/v", "v", cross_origin(**options, **extra)(lambda: "v"))
        return app

    with pytest.raises(PreflightConfigError) as error:
        build().test_client().get("/v")  # the first request: compat registers and starts
    fix = _suggestion(error.value)
    assert fix == "@cross_origin(..., dangerously_tolerate=['insecure_origins'])"
    app = build(dangerously_tolerate=["insecure_origins"])
    response = app.test_client().get("/v", headers={"Origin": HTTP_A})
    assert response.headers["Access-Control-Allow-Credentials"] == "true"


def test_tolerance_suggested_for_native_cors_is_its_keyword() -> None:
    app = Flask(__name__)
    app.add_url_rule("/v", "v", cors(origins=["null"], credentials=True)(lambda: "v"))
    with pytest.raises(PreflightConfigError) as error:
        Preflight(app)
    assert _suggestion(error.value) == "dangerously_tolerate=['null_with_credentials']"


# --- 17.5 origin regexes that can match no origin ------------------------------------------


def test_an_origin_regex_matching_no_origin_fails_at_start_up() -> None:
    with pytest.raises(PreflightConfigError) as error:
        CORS(Flask(__name__), origins=r"/*")
    message = str(error.value)
    assert "flask-cors admitted every origin" in message
    assert "CORS(..., origins='*')" in message
    app = Flask(__name__)
    app.get("/v")(lambda: "v")
    CORS(app, origins="*")  # the fix it suggests
    assert app.test_client().get("/v", headers={"Origin": A}).headers["Access-Control-Allow-Origin"]


def test_an_origin_regex_no_start_matches_says_flask_cors_admitted_none() -> None:
    with pytest.raises(PreflightConfigError, match="flask-cors admitted no origin with it"):
        CORS(Flask(__name__), origins=[re.compile(r"/app\.example\.com")])


@pytest.mark.parametrize(
    ("pattern", "flags", "none"),
    [
        (r"/*", re.I, True),
        (r"^/.*", re.I, True),
        (r"\d+\.example\.com", 0, True),
        (r"[A-Z]+://x", 0, True),
        (r"(?:/api)?", 0, True),
        (r"[^a-z].*", re.I, True),
        (r"^$", 0, True),
        (r".*", 0, False),
        (r"[A-Z]+://x", re.I, False),
        (r"\u212a", re.I, False),  # the Kelvin sign folds to k
        (r"(?:/|https)://x", 0, False),
        (r"null", 0, False),
        (r"(a)\1", 0, False),
    ],
)
def test_can_match_no_origin(pattern: str, flags: int, none: bool) -> None:
    assert can_match_no_origin(re.compile(pattern, flags)) is none


@pytest.mark.parametrize(
    ("pattern", "prefix"),
    [
        (r"/api/*", "/api"),
        (r"(?:/api/*)(?s:.*)", "/api"),
        (r"^/v1/users", "/v1/users"),
        (r"/x+y", "/"),
        (r"(?i)/abc", ""),
        (r".*", ""),
    ],
)
def test_literal_prefix(pattern: str, prefix: str) -> None:
    assert literal_prefix(re.compile(pattern)) == prefix


# --- 17.6 errors name the true source -------------------------------------------------------


def test_credentials_from_a_config_key_are_named_by_the_key() -> None:
    app = Flask(__name__)
    app.config["CORS_SUPPORTS_CREDENTIALS"] = True
    with pytest.raises(PreflightConfigError) as error:
        CORS(app)
    message = str(error.value)
    assert "app.config: CORS_SUPPORTS_CREDENTIALS=True" in message
    assert "resources=" not in message
    fix = "app.config['CORS_ORIGINS'] = ['https://app.example.com']"
    assert fix in message
    exec(fix, {"app": app})  # the fix works where the error arose
    CORS(app)
    assert started(app)


def test_a_blueprint_is_named_with_its_separator() -> None:
    bp = Blueprint("web", __name__)
    with pytest.raises(PreflightConfigError) as error:
        CORS(bp, resources="/*", origins=[HTTP_A, "null"], supports_credentials=True)
        app = Flask(__name__)
        app.register_blueprint(bp)
    assert "blueprint 'web'resources" not in str(error.value)
    assert "CORS(blueprint 'web', resources='/*')" in str(error.value)


def test_a_resource_value_is_named_by_its_resource() -> None:
    with pytest.raises(PreflightConfigError) as error:
        CORS(Flask(__name__), resources={"/api/*": {"max_age": "ten"}})
    assert "CORS(resources='/api/*'): max_age='ten'" in str(error.value)


# --- 16, also decide: string booleans --------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: CORS(Flask(__name__), origins=[A], supports_credentials="false"),
        lambda: CORS(Flask(__name__), resources={"/a": {"supports_credentials": "False"}}),
        lambda: cross_origin(origins=[A], supports_credentials="false"),
        lambda: CORS(Flask(__name__), allow_private_network="false"),
    ],
)
def test_a_string_boolean_is_refused(make: Callable[[], object]) -> None:
    with pytest.raises(PreflightConfigError, match="is a string, which flask-cors would read as"):
        make()


def test_a_string_boolean_config_key_is_refused_with_the_config_spelling() -> None:
    app = Flask(__name__)
    app.config["CORS_SUPPORTS_CREDENTIALS"] = "false"
    with pytest.raises(PreflightConfigError) as error:
        CORS(app)
    assert "app.config['CORS_SUPPORTS_CREDENTIALS'] = False" in str(error.value)


def test_a_route_without_strict_slashes_is_checked_under_both_paths() -> None:
    """``strict_slashes=False``: ``/health/`` routes to the view too, so a resource for that
    path can apply to it."""
    app = Flask(__name__)
    app.add_url_rule(
        "/health", "health", cors(origins=["null"])(lambda: "ok"), strict_slashes=False
    )
    CORS(app, resources={"/health/": {"origins": [A], "supports_credentials": True}})
    with pytest.raises(PreflightConfigError, match="endpoint 'health' at paths of"):
        started(app)
