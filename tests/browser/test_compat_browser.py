"""An app configured the flask-cors way (``flask_preflight.compat``), in each browser engine:
resources chosen by path, credentials, a 404 under a resource, a ``@cross_origin`` view."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask, Response, request

from flask_preflight.compat import CORS, cross_origin

from .api_app import OTHER_ORIGIN
from .conftest import Env
from .harness import LiveServer, RequestLog
from .test_conformance import (
    assert_blocked_after_response,
    assert_one_preflight_then_request,
    assert_readable,
    assert_refused_preflight,
    show,
)


def create_compat_app(page_origin: str) -> Flask:
    app = Flask("compat_api")
    app.config["CORS_EXPOSE_HEADERS"] = ["X-Total"]
    CORS(
        app,
        resources={
            r"/api/*": {"origins": [page_origin]},
            r"/session/*": {"origins": [page_origin], "supports_credentials": True},
        },
    )

    @app.route("/api/items", methods=["GET", "PUT"])
    def items() -> tuple[str, int, dict[str, str]]:
        return f"items {request.method}", 200, {"X-Total": "3"}

    @app.get("/private")
    def private() -> str:
        return "no resource matches this path"

    @app.post("/session/login")
    def login() -> Response:
        response = app.make_response("logged in")
        response.set_cookie("sid", request.get_data(as_text=True), httponly=True)
        return response

    @app.route("/session/me", methods=["GET", "PUT"])
    def me() -> str:
        return f"sid={request.cookies.get('sid')}"

    @app.route("/widgets", methods=["GET", "DELETE"])
    @cross_origin(origins=[OTHER_ORIGIN])
    def widgets() -> str:
        return "widgets"

    return app


@pytest.fixture(scope="module")
def compat_env(env: Env) -> Iterator[Env]:
    log = RequestLog(create_compat_app(env.page_origin))
    cross_site = LiveServer("127.0.0.1", url_host="localhost")
    same_site = LiveServer("127.0.0.1")
    cross_site.install(log)
    same_site.install(log)
    yield Env(
        engine=env.engine,
        expect=env.expect,
        page_origin=env.page_origin,
        sibling_origin=env.sibling_origin,
        cross_site=cross_site.origin,
        same_site=same_site.origin,
        client=env.client,
        log=log,
    )
    cross_site.stop()
    same_site.stop()


def test_resource_path_is_readable_with_exposed_header(compat_env: Env) -> None:
    url, token = compat_env.url("/api/items")
    result = compat_env.fetch(url)
    traffic = compat_env.traffic(token)
    assert_readable(result, traffic)
    assert result.body == "items GET"
    assert result.headers.get("x-total") == "3", show(result, traffic)


def test_path_outside_every_resource_is_blocked(compat_env: Env) -> None:
    url, token = compat_env.url("/private")
    result = compat_env.fetch(url)
    assert_blocked_after_response(compat_env, result, compat_env.traffic(token))


def test_preflighted_put_under_a_resource(compat_env: Env) -> None:
    url, token = compat_env.url("/api/items")
    result = compat_env.fetch(
        url, method="PUT", body="{}", headers={"Content-Type": "application/json"}
    )
    traffic = compat_env.traffic(token)
    assert_readable(result, traffic)
    assert result.body == "items PUT"
    assert_one_preflight_then_request(result, traffic)
    assert traffic.preflights[0].status == 204


def test_404_under_a_resource_is_readable(compat_env: Env) -> None:
    url, token = compat_env.url("/api/no-such-thing")
    result = compat_env.fetch(url)
    assert_readable(result, compat_env.traffic(token), status=404)


def test_credentials_under_the_session_resource(compat_env: Env) -> None:
    user = "carol-" + compat_env.url("/")[1]
    url, token = compat_env.url("/session/login", base=compat_env.same_site)
    login = compat_env.fetch(url, method="POST", body=user, credentials="include")
    assert_readable(login, compat_env.traffic(token))
    url, token = compat_env.url("/session/me", base=compat_env.same_site)
    result = compat_env.fetch(url, method="PUT", body="x", credentials="include")
    traffic = compat_env.traffic(token)
    assert_readable(result, traffic)
    assert result.body == f"sid={user}"
    assert_one_preflight_then_request(result, traffic)
    assert traffic.preflights[0].header("Cookie") is None


def test_credentials_refused_where_the_resource_has_none(compat_env: Env) -> None:
    url, token = compat_env.url("/api/items", base=compat_env.same_site)
    result = compat_env.fetch(url, credentials="include")
    traffic = compat_env.traffic(token)
    assert result.failed, show(result, traffic)
    assert len(traffic.actual) == 1, show(result, traffic)


def test_cross_origin_view_refuses_other_origins(compat_env: Env) -> None:
    url, token = compat_env.url("/widgets")
    result = compat_env.fetch(url, method="DELETE")
    assert_refused_preflight(compat_env, result, compat_env.traffic(token))
