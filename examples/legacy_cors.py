"""An app configured the flask-cors way, through flask_preflight.compat (docs/migrating.md,
"Migrating from Flask-CORS")."""

from __future__ import annotations

from flask import Flask

from flask_preflight.compat import CORS, cross_origin

app = Flask(__name__)
app.config["CORS_EXPOSE_HEADERS"] = ["X-Total"]
CORS(app, resources={r"/api/*": {"origins": ["https://shop.example.com"]}})


@app.get("/api/items")
def list_items() -> dict[str, list[int]]:
    return {"items": [1, 2, 3]}


@app.route("/widgets", methods=["GET", "PUT"])
@cross_origin(origins=["https://admin.example.com"], supports_credentials=True, max_age=600)
def widgets() -> str:
    return "widgets"


@app.get("/health")
def health() -> str:
    return "ok"
