"""``flask_preflight.testing``: the browser's rules as users' tests see them."""

from __future__ import annotations

import pytest
from flask import Flask, make_response, request
from flask.typing import ResponseReturnValue

from flask_preflight import Preflight, cors
from flask_preflight.testing import browser_request, needs_preflight, unsafe_header_names

from .helpers import ADMIN, EVIL


@pytest.mark.parametrize(
    ("method", "headers", "preflighted"),
    [
        ("GET", {}, False),
        ("post", {"Content-Type": "text/plain;charset=UTF-8"}, False),
        ("POST", {"Content-Type": "multipart/form-data; boundary=x"}, False),
        ("POST", {"Content-Type": "application/json"}, True),
        ("POST", {"Content-Type": "text /plain"}, True),
        ("GET", {"Accept": "a" * 128}, False),
        ("GET", {"Accept": "a" * 129}, True),
        ("GET", {"Accept-Language": "en@x"}, True),
        ("GET", {"Range": "bytes=0-10"}, False),
        ("GET", {"Range": "bytes=-10"}, True),
        ("GET", {"X-Token": "1"}, True),
        ("PUT", {}, True),
        ("patch", {}, True),
        ("HEAD", {}, False),
    ],
)
def test_needs_preflight_follows_fetch(
    method: str, headers: dict[str, str], preflighted: bool
) -> None:
    assert needs_preflight(method, headers) is preflighted


def test_unsafe_names_are_lowercased_sorted_and_deduplicated() -> None:
    names = unsafe_header_names(
        {"X-B": "1", "x-a": "1", "Accept": "application/json", "Content-Type": "application/json"}
    )
    assert names == ["content-type", "x-a", "x-b"]
    with pytest.raises(ValueError, match="forbid"):
        unsafe_header_names({"Cookie": "a=b"})


@pytest.fixture
def app() -> Flask:
    app = Flask(__name__)

    @app.route("/items", methods=["GET", "PUT", "PATCH"])
    @cors(origins=[ADMIN], credentials=True, expose_headers=["X-Total"])
    def items() -> ResponseReturnValue:
        response = make_response(f"cookie={request.cookies.get('sid')}")
        response.headers["X-Total"] = "3"
        response.headers["X-Hidden"] = "1"
        return response

    @app.get("/login")
    @cors(origins=[ADMIN], credentials=True)
    def login() -> ResponseReturnValue:
        response = make_response("in")
        response.set_cookie("sid", "s3cret")
        return response

    @app.get("/star")
    @cors(origins="*", allow_headers=["X-Token"])
    def star() -> str:
        return "public"

    Preflight(app)
    return app


def test_allowed_preflighted_request_with_credentials(app: Flask) -> None:
    client = app.test_client()
    client.get("/login")
    verdict = browser_request(
        client, "patch", "/items", origin=ADMIN, headers={"X-Token": "1"}, credentials=True
    )
    assert verdict.allowed, verdict.explain()
    assert verdict.preflighted
    assert verdict.preflight is not None and verdict.preflight.status_code == 204
    assert verdict.response is not None
    assert verdict.response.get_data(as_text=True) == "cookie=s3cret"
    assert verdict.readable_headers["x-total"] == "3"
    assert "x-hidden" not in verdict.readable_headers


def test_without_credentials_no_cookie_is_sent(app: Flask) -> None:
    client = app.test_client()
    client.get("/login")
    verdict = browser_request(client, "GET", "/items", origin=ADMIN)
    assert verdict.allowed
    assert verdict.response is not None
    assert verdict.response.get_data(as_text=True) == "cookie=None"


def test_refused_origin_names_the_rule(app: Flask) -> None:
    verdict = browser_request(app.test_client(), "PUT", "/items", origin=EVIL)
    assert not verdict.allowed
    assert verdict.response is None  # the actual request is never sent
    failure = verdict.failure
    assert failure is not None and failure.check == "preflight status"
    assert "change 'origins' (set by view 'items')" in failure.detail


def test_simple_request_from_refused_origin_still_reaches_the_server(app: Flask) -> None:
    verdict = browser_request(app.test_client(), "GET", "/items", origin=EVIL)
    assert not verdict.allowed
    assert verdict.response is not None and verdict.response.status_code == 200
    assert verdict.failure is not None
    assert verdict.failure.detail == "no Access-Control-Allow-Origin header"


def test_star_policy_refuses_credentials_in_the_browser(app: Flask) -> None:
    client = app.test_client()
    assert browser_request(client, "GET", "/star", origin=EVIL).allowed
    verdict = browser_request(client, "GET", "/star", origin=EVIL, credentials=True)
    assert not verdict.allowed
    assert verdict.failure is not None and "'*'" in verdict.failure.detail


def test_header_outside_the_list_is_refused(app: Flask) -> None:
    verdict = browser_request(
        app.test_client(), "GET", "/star", origin=EVIL, headers={"X-Other": "1"}
    )
    assert not verdict.allowed
    assert verdict.failure is not None and "header not allowed" in verdict.failure.detail
    assert "FAIL" in verdict.explain()
