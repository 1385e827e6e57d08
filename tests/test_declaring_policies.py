"""Declaring policies: decorators, blueprints, view classes, async views, config keys and
``init_app`` on several apps."""

from __future__ import annotations

import pytest
from flask import Blueprint, Flask
from flask.views import MethodView

from flask_preflight import Preflight, cors
from flask_preflight.extension import get_state

from .helpers import ADMIN, SHOP, make_app, send_preflight


def test_decorator_above_and_below_route() -> None:
    app = Flask(__name__)

    @cors(origins=[ADMIN])
    @app.get("/above")
    def above() -> str:
        return ""

    @app.get("/below")
    @cors(origins=[ADMIN])
    def below() -> str:
        return ""

    Preflight(app)
    client = app.test_client()
    for path in ("/above", "/below"):
        assert client.get(path, headers={"Origin": ADMIN}).headers["Access-Control-Allow-Origin"]
        assert send_preflight(client, path, ADMIN, "GET", "x-a").status_code == 204


def test_nested_blueprints_override_field_by_field() -> None:
    app = Flask(__name__)
    outer = Blueprint("outer", __name__, url_prefix="/outer")
    inner = Blueprint("inner", __name__, url_prefix="/inner")
    cors(origins=[ADMIN, SHOP], max_age=30)(outer)
    cors(credentials=True, origins=[ADMIN])(inner)

    @outer.get("/a")
    def outer_view() -> str:
        return ""

    @inner.get("/b")
    def inner_view() -> str:
        return ""

    @inner.get("/c")
    @cors(max_age=5, credentials=False)
    def inner_override() -> str:
        return ""

    outer.register_blueprint(inner)
    app.register_blueprint(outer)
    Preflight(app, max_age=99)
    client = app.test_client()

    a = send_preflight(client, "/outer/a", SHOP, "GET", "x-a")
    assert (a.status_code, a.headers["Access-Control-Max-Age"]) == (204, "30")
    assert "Access-Control-Allow-Credentials" not in a.headers
    b = send_preflight(client, "/outer/inner/b", ADMIN, "GET", "x-a")
    assert b.headers["Access-Control-Allow-Credentials"] == "true"
    assert b.headers["Access-Control-Max-Age"] == "30"
    assert send_preflight(client, "/outer/inner/b", SHOP, "GET", "x-a").status_code == 403
    c = send_preflight(client, "/outer/inner/c", ADMIN, "GET", "x-a")
    assert c.headers["Access-Control-Max-Age"] == "5"
    assert "Access-Control-Allow-Credentials" not in c.headers


def test_method_view_class() -> None:
    app = Flask(__name__)

    @cors(origins=[ADMIN], methods=["GET", "POST"])
    class ItemAPI(MethodView):
        def get(self) -> str:
            return "list"

        def post(self) -> str:
            return "created"

        def delete(self) -> str:
            return "deleted"

    app.add_url_rule("/items", view_func=ItemAPI.as_view("items"))
    Preflight(app)
    client = app.test_client()
    assert send_preflight(client, "/items", ADMIN, "POST", "content-type").status_code == 204
    assert send_preflight(client, "/items", ADMIN, "DELETE").status_code == 403
    response = client.post("/items", headers={"Origin": ADMIN})
    assert response.get_data(as_text=True) == "created"
    assert response.headers["Access-Control-Allow-Origin"] == ADMIN


def test_async_view() -> None:
    app = Flask(__name__)

    @app.put("/async")
    @cors(origins=[ADMIN])
    async def async_view() -> str:
        return "async"

    Preflight(app)
    client = app.test_client()
    assert send_preflight(client, "/async", ADMIN, "PUT").status_code == 204
    response = client.put("/async", headers={"Origin": ADMIN})
    assert response.get_data(as_text=True) == "async"
    assert response.headers["Access-Control-Allow-Origin"] == ADMIN


def test_one_extension_on_two_apps_keeps_their_state_apart() -> None:
    preflight = Preflight(max_age=10)
    first, second = Flask("first"), Flask("second")
    for app in (first, second):

        @app.get("/x")
        def x() -> str:
            return ""

    preflight.init_app(first, origins=[ADMIN])
    preflight.init_app(second, origins=[SHOP], max_age=20)
    assert get_state(first) is not get_state(second)
    a = send_preflight(first.test_client(), "/x", ADMIN, "GET", "x-a")
    assert (a.status_code, a.headers["Access-Control-Max-Age"]) == (204, "10")
    assert send_preflight(first.test_client(), "/x", SHOP, "GET", "x-a").status_code == 403
    b = send_preflight(second.test_client(), "/x", SHOP, "GET", "x-a")
    assert (b.status_code, b.headers["Access-Control-Max-Age"]) == (204, "20")


def test_init_app_twice_on_one_app_is_an_error() -> None:
    app = Flask(__name__)
    preflight = Preflight(app)
    with pytest.raises(RuntimeError, match="already registered"):
        preflight.init_app(app)


def test_config_keys_form_the_app_policy_under_keywords() -> None:
    app = Flask(__name__)
    app.config.update(PREFLIGHT_ORIGINS=[SHOP], PREFLIGHT_MAX_AGE=7, PREFLIGHT_CREDENTIALS=True)

    @app.get("/x")
    def x() -> str:
        return ""

    Preflight(app, max_age=8)
    response = send_preflight(app.test_client(), "/x", SHOP, "GET", "x-a")
    assert response.headers["Access-Control-Max-Age"] == "8"
    assert response.headers["Access-Control-Allow-Credentials"] == "true"


def test_routes_added_after_the_first_request_are_refused_by_flask() -> None:
    app = make_app()
    send_preflight(app.test_client(), "/items/1", ADMIN, "PUT")
    with pytest.raises(AssertionError, match="first request"):
        app.add_url_rule("/late", "late", lambda: "")
