"""``resources={re.compile('/api/*'): {...}}``: a compiled pattern as a resource key."""

from __future__ import annotations

import re
from types import ModuleType

from flask import Flask, jsonify
from flask.typing import ResponseReturnValue

from . import cors_module


def create_app(flask_cors: ModuleType | None = None) -> Flask:
    fc = cors_module(flask_cors)
    app = Flask(__name__)
    fc.CORS(
        app,
        resources={
            re.compile("/api/*"): {
                "origins": ["https://app.example.com"],
                "allow_headers": ["X-Token"],
                "max_age": 600,
            }
        },
    )

    @app.route("/api/items", methods=["GET", "POST"])
    def items() -> ResponseReturnValue:
        return jsonify(items=[])

    @app.route("/api/items/<name>", methods=["GET", "PUT"])
    def item(name: str) -> ResponseReturnValue:
        return jsonify(name=name)

    @app.get("/admin")
    def admin() -> str:
        return "admin"

    return app
