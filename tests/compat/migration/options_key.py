"""The app keeps its CORS options under its own key and passes them on:
``CORS(app, **app.config["CORS_OPTIONS"])``; ``CORS_ENABLED`` is the app's switch."""

from __future__ import annotations

from types import ModuleType
from typing import ClassVar

from flask import Flask, jsonify
from flask.typing import ResponseReturnValue

from . import cors_module


class Config:
    CORS_ENABLED = True
    CORS_OPTIONS: ClassVar = {
        "supports_credentials": True,
        "allow_headers": ["*"],
        "resources": ["*"],
        "origins": ["https://dash.example.com", "http://localhost:8088"],
    }


def create_app(flask_cors: ModuleType | None = None) -> Flask:
    fc = cors_module(flask_cors)
    app = Flask(__name__)
    app.config.from_object(Config)
    if app.config["CORS_ENABLED"]:
        fc.CORS(app, **app.config["CORS_OPTIONS"])

    @app.route("/api/v1/chart/<int:pk>", methods=["GET", "PUT", "DELETE"])
    def chart(pk: int) -> ResponseReturnValue:
        return jsonify(id=pk)

    @app.post("/api/v1/security/login")
    def login() -> ResponseReturnValue:
        return jsonify(token="t")

    return app
