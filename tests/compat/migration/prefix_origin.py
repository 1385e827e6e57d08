"""``CORS(app, origins=r'/*')``: a regex flask-cors matched as a prefix (so every origin).
Compat refuses it at start-up; ``ORIGINS_FIX`` is the fix its error suggests."""

from __future__ import annotations

from types import ModuleType

from flask import Flask, jsonify
from flask.typing import ResponseReturnValue

from . import cors_module

ORIGINS = r"/*"
ORIGINS_FIX = "*"


def create_app(flask_cors: ModuleType | None = None, origins: str = ORIGINS) -> Flask:
    fc = cors_module(flask_cors)
    app = Flask(__name__)
    fc.CORS(app, origins=origins)

    @app.get("/robots")
    def robots() -> ResponseReturnValue:
        return jsonify(robots=["r1"])

    @app.route("/tasks", methods=["GET", "POST"])
    def tasks() -> ResponseReturnValue:
        return jsonify(tasks=[])

    return app


def create_fixed_app(flask_cors: ModuleType | None = None) -> Flask:
    """The app as compat's start-up error tells the user to fix it."""
    return create_app(flask_cors, origins=ORIGINS_FIX)
