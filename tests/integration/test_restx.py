"""flask-restx, written as its documentation writes an API: ``Api(app)`` or
``Api(blueprint)``, ``@api.route`` on ``Resource`` classes, ``Api(decorators=[...])``,
``api.abort``; restx renders its own JSON errors."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask
from flask_restx import Api, Resource

from flask_preflight import Preflight, cors

from ..helpers import ADMIN, EVIL, SHOP, cors_headers, send_preflight
from .helpers import json_of, vary_fields


def make_app() -> tuple[Flask, list[str]]:
    """``Api(app)`` with per-Resource policies; returns the app and a log of what restx's
    own OPTIONS handler and the app's hooks saw."""
    app = Flask(__name__)
    api = Api(app, catch_all_404s=True)  # restx's JSON 404 for unknown URLs too
    seen: list[str] = []

    @app.before_request
    def hook() -> None:
        seen.append("before_request")

    @api.route("/todos/<int:todo_id>")
    @cors(origins=[SHOP, ADMIN], expose_headers=["X-Version"])
    class Todo(Resource):
        def get(self, todo_id: int) -> tuple[dict[str, Any], int, dict[str, str]]:
            if todo_id > 10:
                api.abort(404, f"todo {todo_id} does not exist")
            return {"id": todo_id}, 200, {"X-Version": "3"}

        def options(self, todo_id: int) -> dict[str, str]:
            seen.append("restx options")
            return {"options": "from restx"}

    @api.route("/admin/todos/<int:todo_id>")
    @cors(origins=[ADMIN], methods=["DELETE"])
    class AdminTodo(Resource):
        def get(self, todo_id: int) -> dict[str, int]:
            return {"id": todo_id}

        def delete(self, todo_id: int) -> tuple[str, int]:
            return "", 204

    @api.route("/crash")
    @cors(origins=[SHOP])
    class Crash(Resource):
        def get(self) -> None:
            raise RuntimeError("boom")

    Preflight(app, origins=[SHOP])  # the app policy: what no route matched (restx 404s)
    return app, seen


def test_cors_on_resource_classes() -> None:
    app, _ = make_app()
    client = app.test_client()
    response = client.get("/todos/1", headers={"Origin": ADMIN})
    assert response.json == {"id": 1}
    assert cors_headers(response) == {
        "access-control-allow-origin": ADMIN,
        "access-control-expose-headers": "x-version",
    }
    assert vary_fields(response).count("origin") == 1
    assert cors_headers(client.get("/todos/1", headers={"Origin": EVIL})) == {}
    granted = send_preflight(client, "/admin/todos/1", ADMIN, "DELETE")
    assert granted.status_code == 204
    assert cors_headers(granted)["access-control-allow-methods"] == "DELETE"
    # The resource's own policy: the shop may not, and GET is not in its methods list.
    assert send_preflight(client, "/admin/todos/1", SHOP, "DELETE").status_code == 403
    assert send_preflight(client, "/admin/todos/1", ADMIN, "PUT").status_code == 403


def test_restx_options_handler_and_hooks_never_see_a_preflight() -> None:
    app, seen = make_app()
    client = app.test_client()
    response = send_preflight(client, "/todos/1", SHOP, "GET", "x-token")
    assert response.status_code == 204
    assert response.get_data() == b""
    assert cors_headers(response)["access-control-allow-headers"] == "x-token"
    refused = send_preflight(client, "/todos/1", EVIL, "GET", "x-token")
    assert refused.status_code == 403
    assert seen == []
    # A plain OPTIONS (not a preflight) is still restx's.
    plain = client.options("/todos/1")
    assert plain.json == {"options": "from restx"}
    assert seen == ["before_request", "restx options"]


def test_restx_json_errors_are_readable_cross_origin() -> None:
    app, _ = make_app()
    client = app.test_client()
    missing = client.get("/todos/99", headers={"Origin": SHOP})
    assert missing.status_code == 404
    assert "todo 99 does not exist" in json_of(missing)["message"]
    assert cors_headers(missing)["access-control-allow-origin"] == SHOP
    unknown = client.get("/nothing/here", headers={"Origin": SHOP})
    assert unknown.status_code == 404
    assert unknown.is_json
    assert cors_headers(unknown)["access-control-allow-origin"] == SHOP
    crash = client.get("/crash", headers={"Origin": SHOP})
    assert crash.status_code == 500
    assert crash.json == {"message": "Internal Server Error"}
    assert cors_headers(crash)["access-control-allow-origin"] == SHOP
    assert vary_fields(crash).count("origin") == 1


def test_api_decorators_give_every_resource_a_policy() -> None:
    app = Flask(__name__)
    api = Api(app, decorators=[cors(origins=[ADMIN], credentials=True)])

    @api.route("/a")
    class A(Resource):
        def get(self) -> dict[str, str]:
            return {"a": "a"}

        def post(self) -> dict[str, str]:
            return {"posted": "a"}

    @api.route("/b")
    class B(Resource):
        def get(self) -> dict[str, str]:
            return {"b": "b"}

    Preflight(app)
    client = app.test_client()
    for path in ("/a", "/b"):
        response = client.get(path, headers={"Origin": ADMIN})
        assert cors_headers(response) == {
            "access-control-allow-origin": ADMIN,
            "access-control-allow-credentials": "true",
        }, path
        assert cors_headers(client.get(path, headers={"Origin": SHOP})) == {}
    granted = send_preflight(client, "/a", ADMIN, "POST", "content-type")
    assert granted.status_code == 204
    assert send_preflight(client, "/b", ADMIN, "POST").status_code == 403  # no POST on B


def make_blueprint_app() -> Flask:
    app = Flask(__name__)
    blueprint = Blueprint("api", __name__, url_prefix="/api")
    cors(origins=[SHOP], expose_headers=["X-Version"])(blueprint)
    api = Api(blueprint)

    @api.route("/todos/<int:todo_id>")
    class Todo(Resource):
        def get(self, todo_id: int) -> dict[str, int]:
            if todo_id > 10:
                api.abort(404)
            return {"id": todo_id}

        def put(self, todo_id: int) -> dict[str, int]:
            return {"put": todo_id}

    app.register_blueprint(blueprint)
    Preflight(app)  # no app-wide policy: only the blueprint's API is cross-origin
    return app


def test_api_on_a_blueprint() -> None:
    client = make_blueprint_app().test_client()
    response = client.get("/api/todos/1", headers={"Origin": SHOP})
    assert response.json == {"id": 1}
    assert cors_headers(response)["access-control-allow-origin"] == SHOP
    granted = send_preflight(client, "/api/todos/1", SHOP, "PUT", "content-type")
    assert granted.status_code == 204
    assert cors_headers(granted)["access-control-allow-methods"] == "PUT"
    missing = client.get("/api/todos/99", headers={"Origin": SHOP})
    assert missing.status_code == 404
    assert cors_headers(missing)["access-control-allow-origin"] == SHOP
    # The swagger document of the blueprint's API is served under its policy too.
    spec = client.get("/api/swagger.json", headers={"Origin": SHOP})
    assert spec.status_code == 200
    assert cors_headers(spec)["access-control-allow-origin"] == SHOP


def test_unknown_url_under_the_blueprint_api_follows_the_blueprint_policy() -> None:
    """Issue 9 part 2: an unknown URL under ``/api`` is readable by the blueprint's origins,
    and its preflight is granted, so a page's DELETE to a missing URL reads the 404."""
    client = make_blueprint_app().test_client()
    missing = client.get("/api/nothing", headers={"Origin": SHOP})
    assert missing.status_code == 404
    assert cors_headers(missing)["access-control-allow-origin"] == SHOP
    preflight = send_preflight(client, "/api/nothing", SHOP, "DELETE")
    assert preflight.status_code == 204
    assert cors_headers(client.get("/elsewhere", headers={"Origin": SHOP})) == {}


def test_resource_policy_narrows_the_api_decorators_policy() -> None:
    """``Api(decorators=[cors(...)])`` is the API-wide policy, and a ``Resource`` class's own
    ``@cors`` overrides it field by field. (It was silently ignored: the view function's
    policy hid the class's, so an origin the resource excludes was granted.)"""
    app = Flask(__name__)
    api = Api(app, decorators=[cors(origins=[SHOP, ADMIN], expose_headers=["X-Version"])])

    @api.route("/admin")
    @cors(origins=[ADMIN], credentials=True)
    class Admin(Resource):
        def get(self) -> dict[str, str]:
            return {"admin": "yes"}

        def delete(self) -> tuple[str, int]:
            return "", 204

    @api.route("/public")
    class Public(Resource):
        def get(self) -> dict[str, str]:
            return {"public": "yes"}

    Preflight(app)
    client = app.test_client()
    assert cors_headers(client.get("/admin", headers={"Origin": SHOP})) == {}
    assert send_preflight(client, "/admin", SHOP, "DELETE").status_code == 403
    assert cors_headers(client.get("/admin", headers={"Origin": ADMIN})) == {
        "access-control-allow-origin": ADMIN,
        "access-control-allow-credentials": "true",
        "access-control-expose-headers": "x-version",  # inherited from the API-wide policy
    }
    assert send_preflight(client, "/admin", ADMIN, "DELETE").status_code == 204
    public = client.get("/public", headers={"Origin": SHOP})
    assert cors_headers(public)["access-control-allow-origin"] == SHOP
