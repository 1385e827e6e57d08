"""``CORS(app)``, ``@cross_origin()`` on some views, and the flask-cors 1.x key
``CORS_HEADERS`` that tutorials still set (after ``CORS(app)``)."""

from __future__ import annotations

from types import ModuleType

from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue

from . import cors_module


def create_app(flask_cors: ModuleType | None = None) -> Flask:
    fc = cors_module(flask_cors)
    app = Flask(__name__)
    fc.CORS(app)
    app.config["CORS_HEADERS"] = "Content-Type"

    @app.route("/api/todos", methods=["GET", "POST"])
    @fc.cross_origin()
    def todos() -> ResponseReturnValue:
        if request.method == "POST":
            return jsonify(created=True), 201
        return jsonify(todos=[])

    @app.route("/api/todos/<int:todo_id>", methods=["GET", "PUT", "DELETE"])
    def todo(todo_id: int) -> ResponseReturnValue:
        return jsonify(id=todo_id)

    @app.get("/health")
    def health() -> str:
        return "ok"

    return app
