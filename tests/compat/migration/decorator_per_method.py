"""``@cross_origin()`` only (no ``CORS(app)``), one view per method on the same URL."""

from __future__ import annotations

from types import ModuleType

from flask import Flask, jsonify

from . import cors_module


def create_app(flask_cors: ModuleType | None = None) -> Flask:
    fc = cors_module(flask_cors)
    app = Flask(__name__)

    @app.get("/notes")
    @fc.cross_origin()
    def list_notes() -> object:
        return jsonify(notes=[])

    @app.post("/notes")
    @fc.cross_origin()
    def create_note() -> object:
        return jsonify(created=True), 201

    @app.delete("/notes/<int:note_id>")
    @fc.cross_origin(origins=["https://app.example.com"])
    def delete_note(note_id: int) -> object:
        return jsonify(deleted=note_id)

    @app.get("/private")
    def private() -> str:
        return "no CORS here"

    return app
