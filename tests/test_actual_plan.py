"""The per-policy plan of actual requests (``preflight.ActualPlan``): answers built once are
only ever served where the full decision would give the same answer, and what is kept per
origin stays bounded by the configuration, whatever clients send."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from flask import Flask

from flask_preflight import Preflight, cors
from flask_preflight.compat import CORS
from flask_preflight.decision import plan_answer
from flask_preflight.extension import get_state
from flask_preflight.regexes import matches_everything

from .helpers import A, B, cors_headers


def app_with(**policy: Any) -> Flask:
    app = Flask(__name__)

    @app.route("/v", methods=["GET", "PUT"])
    @cors(**policy)
    def view() -> str:
        return "ok"

    Preflight(app)
    return app


def test_an_allowed_exact_origin_keeps_its_answer_once_and_a_refused_one_never() -> None:
    app = app_with(origins=[A, B], methods=["GET"])
    client = app.test_client()
    client.get("/v")  # the first request decides the plans
    plan = get_state(app).plans["view"]
    for origin in [A, A, "https://evil.example", *(f"https://x{i}.example" for i in range(50))]:
        client.get("/v", headers={"Origin": origin})
    assert set(plan.known) == {None, A}  # one answer per configured exact origin at most
    assert client.get("/v", headers={"Origin": A}).headers["Access-Control-Allow-Origin"] == A
    assert cors_headers(client.get("/v", headers={"Origin": "https://x1.example"})) == {}


def test_a_kept_answer_is_not_served_to_a_method_the_policy_does_not_answer() -> None:
    app = app_with(origins=[A], methods=["GET"])
    client = app.test_client()
    assert client.get("/v", headers={"Origin": A}).headers["Access-Control-Allow-Origin"] == A
    # PUT reaches the view (the route accepts it) but the policy's methods do not list it.
    refused = client.put("/v", headers={"Origin": A})
    assert refused.status_code == 200
    assert cors_headers(refused) == {}
    assert refused.headers["Vary"] == "Origin"
    lowercase = client.open("/v", method="get", headers={"Origin": A})  # as Flask routes it
    assert lowercase.headers["Access-Control-Allow-Origin"] == A


def test_a_kept_answer_still_gets_the_private_network_answer_of_compat() -> None:
    app = Flask(__name__)
    app.add_url_rule("/v", "v", lambda: "ok")
    CORS(app, origins=[A], allow_private_network=True)
    client = app.test_client()
    assert client.get("/v", headers={"Origin": A}).headers["Access-Control-Allow-Origin"] == A
    asked = client.get(
        "/v", headers={"Origin": A, "Access-Control-Request-Private-Network": "true"}
    )
    assert asked.headers["Access-Control-Allow-Private-Network"] == "true"
    assert list(asked.headers.keys())[-1] == "Vary"  # the Access-Control-* headers, then Vary


def test_an_origin_value_that_is_not_a_string_is_no_origin_and_no_error() -> None:
    app = app_with(origins=[A])
    wsgi: Any = app.wsgi_app  # called with a bare lambda for start_response
    seen: list[list[tuple[str, str]]] = []
    for value in ([A], b"https://a.example.com", 7):
        seen.clear()
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": "/v",
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "80",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(),
            "HTTP_ORIGIN": value,
        }
        body = wsgi(environ, lambda status, headers, exc_info=None: seen.append(headers))
        assert b"".join(body) == b"ok"
        assert [h for h in seen[0] if h[0].lower().startswith("access-control-")] == []


@pytest.mark.parametrize(
    ("pattern", "everything"),
    [
        (r"(?:/*)(?s:.*)", True),  # compat's resources=r"/*"
        (r"(?s).*", True),
        (r"(?:(?:/?)*)(?s:.*)", True),
        (r".*", False),  # "." does not match a newline, which a decoded path may hold
        (r"(?:/api/.*)(?s:.*)", False),
        (r"(?:/*)(?s:.*)$", False),
        (r"(?:/*|x)(?s:.*)", False),  # a branch: not proven
        (r"(?:/+)(?s:.*)", False),  # at least one "/"
        (r"(?:(?!/)*)(?s:.*)", True),  # zero repeats of anything match the empty string
        (r"(?:(?-s:.*))(?s:.*)", True),
        (r"(?s)(?-s:.*)", False),
    ],
)
def test_a_path_regex_matches_every_path_only_when_its_parse_tree_proves_it(
    pattern: str, everything: bool
) -> None:
    assert matches_everything(re.compile(pattern)) is everything
    if everything:
        for path in ("", "/", "/a\nb", "/%2F/\u00e9", "x"):
            assert re.compile(pattern).fullmatch(path)


def test_compat_decides_once_per_endpoint_only_where_the_path_cannot_change_the_policy() -> None:
    app = Flask(__name__)
    app.add_url_rule("/api/<path:rest>", "api", lambda rest: "ok")
    app.add_url_rule("/open", "open", lambda: "ok")
    CORS(app, resources={r"/api/private/*": {"origins": [B]}, r"/*": {"origins": [A]}})
    client = app.test_client()
    assert client.get("/open", headers={"Origin": A}).headers["Access-Control-Allow-Origin"] == A
    plans = get_state(app).plans
    assert "open" not in plans  # the first rule's regex does not match every path
    assert "api" not in plans
    private = client.get("/api/private/x", headers={"Origin": B})
    assert private.headers["Access-Control-Allow-Origin"] == B
    public = client.get("/api/public/x", headers={"Origin": A})
    assert public.headers["Access-Control-Allow-Origin"] == A
    assert cors_headers(client.get("/api/private/x", headers={"Origin": A})) == {}


def test_compat_default_resources_decide_once_per_endpoint() -> None:
    app = Flask(__name__)
    app.add_url_rule("/v", "v", lambda: "ok")
    CORS(app, origins=[A])
    client = app.test_client()
    assert client.get("/v", headers={"Origin": A}).headers["Access-Control-Allow-Origin"] == A
    assert "v" in get_state(app).plans


def _grid_app(make: str) -> Flask:
    app = Flask(__name__)
    app.add_url_rule("/v", "v", lambda: "ok", methods=["GET", "PUT", "POST", "DELETE", "PATCH"])
    if make == "compat":  # private network on actual requests, OPTIONS unanswered
        CORS(app, origins=[A, re.compile(r"https://[a-z]+\.b\.example\.com")])
    elif make == "compat any":
        CORS(app, origins="*", allow_private_network=True)
    elif make == "any method":
        Preflight(app, origins=[A, "https://*.b.example.com"])
    else:
        Preflight(app, origins=[A, "https://*.b.example.com"], methods=["GET", "PUT"])
    return app


@pytest.mark.parametrize("make", ["native", "any method", "compat", "compat any"])
def test_an_answer_read_through_the_fast_entry_is_the_full_decisions(make: str) -> None:
    # The direct wrapper and plan_answer read answers already built through ActualPlan.by_method
    # (by method, then Origin): every response must carry exactly what the plan's full
    # decision (ActualPlan.answer) gives, for every method, origin and private-network ask,
    # on the first request and once answers are kept.
    app = _grid_app(make)
    client = app.test_client()
    client.get("/v")  # the first request decides the plans
    plan = get_state(app).plans["v"]
    origins = [None, A, "https://x.b.example.com", "https://evil.example", "null"]
    methods = ["GET", "HEAD", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "get", "patch"]
    for _ in range(2):
        for method in methods:
            for origin in origins:
                for private_network in (False, True):
                    headers = {} if origin is None else {"Origin": origin}
                    if private_network:
                        headers["Access-Control-Request-Private-Network"] = "true"
                    response = client.open("/v", method=method, headers=headers)
                    environ = {"REQUEST_METHOD": method}
                    if origin is not None:
                        environ["HTTP_ORIGIN"] = origin
                    if private_network:
                        environ["HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK"] = "true"
                    expected = plan.answer(environ)
                    assert plan_answer(plan, environ) == expected
                    assert response.status_code == 200
                    got = [
                        (name, value)
                        for name, value in response.headers.items()
                        if name.lower().startswith("access-control-") or name == "Vary"
                    ]
                    assert got == list(expected), (method, origin, private_network)


def test_a_first_request_whose_freeze_failed_does_not_let_the_next_one_through() -> None:
    # The direct wrapper remembers a freeze in a cell (no attribute read per request): set
    # only once state.freeze() returned, so every request raises until the policy is fixed.
    from flask_preflight.errors import PreflightConfigError

    app = Flask(__name__)
    app.add_url_rule("/v", "v", lambda: "ok")
    Preflight(app, origins=[A])
    cors(origins=[B]).endpoint(app, "no_such_view")
    client = app.test_client()
    for _ in range(2):
        with pytest.raises(PreflightConfigError, match="no_such_view"):
            client.get("/v", headers={"Origin": A})
    assert not get_state(app).frozen


def test_the_answers_the_direct_wrapper_reads_are_the_plans_own() -> None:
    # The direct wrapper reads PolicyRegistry.answers (by endpoint, method, then Origin),
    # plan_answer reads ActualPlan.by_method: one structure, so the two never disagree, for
    # the plans decided at the first request and one decided later (a blueprint's URLs).
    from flask import Blueprint

    app = Flask(__name__)
    app.add_url_rule("/v", "v", lambda: "ok")
    blueprint = Blueprint("bp", __name__, url_prefix="/bp")
    cors(origins=[B])(blueprint)
    app.register_blueprint(blueprint)
    Preflight(app, origins=[A])
    client = app.test_client()
    assert client.get("/v", headers={"Origin": A}).headers["Access-Control-Allow-Origin"] == A
    client.get("/bp/nowhere", headers={"Origin": B})
    state = get_state(app)
    assert set(state.answers) == set(state.plans) and "v" in state.plans
    for key, plan in state.plans.items():
        assert state.answers[key] is plan.by_method
