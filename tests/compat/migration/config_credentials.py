"""``cors.init_app(app)`` configured by ``CORS_*`` keys only, with
``CORS_SUPPORTS_CREDENTIALS`` (a cookie-session SPA on another origin)."""

from __future__ import annotations

from types import ModuleType
from typing import ClassVar

from flask import Flask, jsonify
from flask.typing import ResponseReturnValue

from . import cors_module


class Config:
    CORS_ORIGINS: ClassVar = ["https://app.example.com", "http://localhost:3000"]
    CORS_SUPPORTS_CREDENTIALS = True
    CORS_EXPOSE_HEADERS: ClassVar = ["X-Total-Count"]


def create_app(flask_cors: ModuleType | None = None) -> Flask:
    fc = cors_module(flask_cors)
    cors = fc.CORS()
    app = Flask(__name__)
    app.config.from_object(Config)
    cors.init_app(app)

    @app.get("/api/me")
    def me() -> ResponseReturnValue:
        return jsonify(name="ada"), 200, {"X-Total-Count": "1"}

    @app.route("/api/session", methods=["POST", "DELETE"])
    def session() -> ResponseReturnValue:
        return jsonify(ok=True)

    return app
