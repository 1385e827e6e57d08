"""Path rules (paths.py): a policy level chosen by request path, first match wins, cached."""

from __future__ import annotations

import re

import pytest
from flask import Blueprint, Flask

from flask_preflight import Preflight, cors
from flask_preflight.extension import get_state
from flask_preflight.paths import PATH_CACHE_SIZE, PathPolicies, PathRule
from flask_preflight.policy import declare_policy
from flask_preflight.urlpath import wsgi_path

from .helpers import SHOP, A, B, send_preflight


def level(origin: str) -> object:
    return declare_policy(f"rule {origin}", {"origins": [origin]})


@pytest.mark.parametrize(
    ("matcher", "path", "matches"),
    [
        pytest.param("/api", "/api", True, id="exact-string-equal"),
        pytest.param("/api", "/api/", False, id="exact-string-is-not-a-prefix"),
        pytest.param("/api", "/API", False, id="exact-string-is-case-sensitive"),
        pytest.param(re.compile(r"/api/.*"), "/api/x", True, id="regex-matches-whole"),
        pytest.param(re.compile(r"/api"), "/api/x", False, id="regex-is-not-a-prefix-match"),
        pytest.param(re.compile(r"/a\+b"), "/a+b", True, id="plus-kept"),
        pytest.param(re.compile(r"/a\+b"), "/a b", False, id="plus-is-not-space"),
        pytest.param(lambda path: path.endswith(".json"), "/x.json", True, id="predicate-true"),
        pytest.param(lambda path: 1, "/x", False, id="predicate-must-return-exactly-true"),
        pytest.param(lambda path: 1 / 0, "/x", False, id="raising-predicate-matches-nothing"),
    ],
)
def test_rule_matching(matcher: object, path: str, matches: bool) -> None:
    rule = PathRule(matcher, declare_policy("x", {}))  # type: ignore[arg-type]
    assert rule.matches(path) is matches


@pytest.mark.parametrize(
    ("environ_path", "path"),
    [
        ("/a", "/a"),
        ("//a", "/a"),
        ("", "/"),
        ("/caf\xc3\xa9", "/café"),  # WSGI: UTF-8 bytes as latin-1
        ("/%2570", "/%2570"),  # decoded once only: never /p
        (None, None),
    ],
)
def test_wsgi_path_reads_the_path_as_flask_does(environ_path: object, path: str | None) -> None:
    assert wsgi_path(environ_path) == path


def test_first_matching_rule_in_scope_wins() -> None:
    paths = PathPolicies(
        [
            PathRule(re.compile("/api/.*"), level(A), scope="shop"),  # type: ignore[arg-type]
            PathRule(re.compile("/api/.*"), level(B)),  # type: ignore[arg-type]
        ]
    )
    shop = paths.rule_for("shop.items", "/api/x")
    other = paths.rule_for("admin.items", "/api/x")
    unrouted = paths.rule_for(None, "/api/x")
    assert shop is not None and shop.level.origins == (A,)
    assert other is not None and other.level.origins == (B,)
    assert unrouted is not None and unrouted.level.origins == (B,)
    assert paths.rule_for("shopping.items", "/api/x") is other  # scope is a dotted prefix


def test_a_nested_blueprints_rule_is_tried_before_its_parents_and_the_apps() -> None:
    """The order is the engine's (PathRule.precedence), whatever order the rules are added
    in: a front never sorts the rules itself."""
    app_rule = PathRule(re.compile("/.*"), level(A), source="app")  # type: ignore[arg-type]
    shop = PathRule(re.compile("/.*"), level(B), scope="shop", source="shop")  # type: ignore[arg-type]
    cart = PathRule(re.compile("/.*"), level(SHOP), scope="shop.cart", source="cart")  # type: ignore[arg-type]
    paths = PathPolicies([app_rule])
    paths.add([shop])
    paths.add([cart])
    assert [rule.source for rule in paths.rules] == ["cart", "shop", "app"]
    assert paths.rule_for("shop.cart.items", "/x") is cart
    assert paths.rule_for("shop.items", "/x") is shop
    assert paths.rule_for("items", "/x") is app_rule


def test_rules_of_one_precedence_keep_the_order_they_were_added_in() -> None:
    first = PathRule(re.compile("/.*"), level(A), source="first")  # type: ignore[arg-type]
    second = PathRule(re.compile("/.*"), level(B), source="second")  # type: ignore[arg-type]
    before = PathRule(re.compile("/.*"), level(SHOP), source="before")  # type: ignore[arg-type]
    scoped = PathRule(re.compile("/.*"), level(SHOP), scope="shop", source="scoped")  # type: ignore[arg-type]
    paths = PathPolicies([first, second])
    paths.add([before], first=True)
    paths.add([scoped])
    assert [rule.source for rule in paths.rules] == ["scoped", "before", "first", "second"]
    assert paths.rule_for("items", "/x") is before


def make_app() -> Flask:
    app = Flask(__name__)
    api = Blueprint("api", __name__, url_prefix="/api")

    @api.get("/items")
    def items() -> str:
        return "items"

    @api.get("/own")
    @cors(origins=[B])
    def own() -> str:
        return "own"

    @app.get("/plain")
    def plain() -> str:
        return "plain"

    app.register_blueprint(api)
    Preflight(app)
    get_state(app).paths = PathPolicies(
        [PathRule(re.compile("/api/.*"), level(A), source="test")]  # type: ignore[arg-type]
    )
    return app


@pytest.mark.parametrize(
    ("path", "origin", "allowed"),
    [
        pytest.param("/api/items", A, True, id="rule-level-applies"),
        pytest.param("/api/items", B, False, id="rule-level-is-the-policy"),
        pytest.param("/api/own", B, True, id="view-level-overrides-rule"),
        pytest.param("/api/own", A, False, id="view-level-overrides-rule-origins"),
        pytest.param("/plain", A, False, id="no-rule-no-cors"),
        pytest.param("/api/missing", A, True, id="404-under-a-rule-gets-its-policy"),
    ],
)
def test_actual_requests(path: str, origin: str, allowed: bool) -> None:
    response = make_app().test_client().get(path, headers={"Origin": origin})
    assert (response.headers.get("Access-Control-Allow-Origin") == origin) is allowed


def test_preflight_uses_the_path_rule() -> None:
    client = make_app().test_client()
    assert send_preflight(client, "/api/items", A, "GET").status_code == 204
    assert send_preflight(client, "/api/items", B, "GET").status_code == 403


def test_answers_are_cached_and_bounded() -> None:
    app = make_app()
    paths = get_state(app).paths
    assert paths is not None
    calls: list[str] = []
    original = PathRule.matches

    def counting(self: PathRule, path: str) -> bool:
        calls.append(path)
        return original(self, path)

    client = app.test_client()
    get_state(app).freeze()  # the check at freeze tries each rule on the routes' paths
    try:
        PathRule.matches = counting  # type: ignore[method-assign]
        for _ in range(3):
            client.get("/api/items", headers={"Origin": A})
        assert calls == ["/api/items"]  # scanned once, then cached
        for i in range(PATH_CACHE_SIZE + 10):
            client.get(f"/api/missing{i}", headers={"Origin": A})
    finally:
        PathRule.matches = original  # type: ignore[method-assign]
    assert len(paths._cache) <= PATH_CACHE_SIZE


def test_the_cache_bound_holds_on_the_raw_path_it_stores() -> None:
    # Issue 16.3: the decoded path ("/" + path.lstrip("/")) was measured but the raw
    # PATH_INFO stored: 200 requests of 30,000 leading slashes kept 6 MB alive.
    app = make_app()
    paths = get_state(app).paths
    assert paths is not None
    client = app.test_client()
    for i in range(200):
        raw = "/" * 30_000 + f"api/n{i}"
        response = client.get("/", headers={"Origin": A}, environ_overrides={"PATH_INFO": raw})
        assert response.headers["Access-Control-Allow-Origin"] == A  # answered all the same
    stored = sum(len(value) for key in paths._cache for value in key if isinstance(value, str))
    assert stored <= len(paths._cache) * 64


@pytest.mark.parametrize(
    ("path_info", "ruled"),
    [
        ("/api/items", True),
        ("//api/items", True),  # request.path: one leading slash
        ("///api/missing", True),
        ("/api/items/", True),  # a trailing slash: a 404 the rule still matches
        ("/%2Fapi/items", False),  # a %2F the server left: the path is "/%2Fapi/items"
        ("/./api/items", False),  # request.path keeps dot segments (browsers remove them)
    ],
)
def test_rules_match_the_path_as_flasks_request_path_reads_it(path_info: str, ruled: bool) -> None:
    app = make_app()
    seen: list[str] = []

    @app.after_request
    def note(response: object) -> object:
        from flask import request

        seen.append(request.path)
        return response

    response = app.test_client().get(
        "/", headers={"Origin": A}, environ_overrides={"PATH_INFO": path_info}
    )
    assert (response.headers.get("Access-Control-Allow-Origin") == A) is ruled
    [path] = seen
    assert (re.fullmatch("/api/.*", path) is not None) is ruled  # what Flask reads
