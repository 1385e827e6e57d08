"""An app factory: a module-level ``cors = CORS()``, then ``cors.init_app(bp, origins=[...])``
on the API blueprint inside ``create_app``."""

from __future__ import annotations

from types import ModuleType

from flask import Blueprint, Flask, abort, jsonify
from flask.typing import ResponseReturnValue

from . import cors_module

FRONTENDS = ["https://app.example.com", "http://localhost:3000"]


def create_app(flask_cors: ModuleType | None = None) -> Flask:
    fc = cors_module(flask_cors)
    cors = fc.CORS()
    app = Flask(__name__)
    api = Blueprint("api", __name__, url_prefix="/api")

    @api.get("/users")
    def users() -> ResponseReturnValue:
        return jsonify(users=["ada"])

    @api.route("/users/<int:user_id>", methods=["GET", "PATCH", "DELETE"])
    def user(user_id: int) -> ResponseReturnValue:
        if user_id > 100:
            abort(404)
        return jsonify(id=user_id)

    cors.init_app(api, origins=FRONTENDS)
    app.register_blueprint(api)

    @app.get("/")
    def index() -> str:
        return "home"

    return app
