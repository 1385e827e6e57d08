"""A credentialed origin list mixing a compiled regex (every subdomain) and a string."""

from __future__ import annotations

import re
from types import ModuleType

from flask import Flask, jsonify
from flask.typing import ResponseReturnValue

from . import cors_module

ORIGINS = [re.compile(r"https://[a-z0-9-]+\.example\.com"), "https://partner.example.org"]


def create_app(flask_cors: ModuleType | None = None) -> Flask:
    fc = cors_module(flask_cors)
    app = Flask(__name__)
    fc.CORS(app, resources={r"/api/*": {"origins": ORIGINS}}, supports_credentials=True)

    @app.route("/api/cart", methods=["GET", "POST", "DELETE"])
    def cart() -> ResponseReturnValue:
        return jsonify(cart=[])

    @app.get("/public")
    def public() -> str:
        return "public"

    return app
