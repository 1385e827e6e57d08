"""The demo's front end: one static page (plain HTML + JS, no build step) on its own origin.

The page learns where the API is from ``/config.json``, so nothing in the JavaScript names a
host or a port.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, jsonify, send_from_directory
from flask.typing import ResponseReturnValue

STATIC = Path(__file__).with_name("static")


def create_frontend_app(api_origin: str) -> Flask:
    app = Flask(__name__, static_folder=str(STATIC), static_url_path="/static")

    @app.get("/")
    def index() -> ResponseReturnValue:
        return send_from_directory(STATIC, "index.html")

    @app.get("/config.json")
    def config() -> ResponseReturnValue:
        return jsonify(apiOrigin=api_origin)

    @app.get("/favicon.ico")
    def favicon() -> ResponseReturnValue:
        return "", 204

    return app
