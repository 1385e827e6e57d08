"""A small shop API: docs/policy.md's worked example of app, nested blueprint and view policies.

flask --app examples.shop preflight routes
flask --app examples.shop preflight check /api/admin/items/1 --origin https://shop.example.com \
    --method PUT
"""

from __future__ import annotations

from flask import Blueprint, Flask

from flask_preflight import Preflight, cors

app = Flask(__name__)
app.config["PREFLIGHT_MAX_AGE"] = 300  # config: every policy's default max_age

api = Blueprint("api", __name__, url_prefix="/api")
cors(origins=["https://shop.example.com"], expose_headers=["X-Total"])(api)

admin = Blueprint("admin", __name__, url_prefix="/admin")
cors(origins=["https://admin.example.com"], credentials=True)(admin)


@api.get("/items")
def list_items() -> dict[str, list[int]]:
    return {"items": [1, 2, 3]}


@admin.put("/items/<int:item_id>")
def update_item(item_id: int) -> dict[str, int]:
    return {"updated": item_id}


@admin.delete("/items/<int:item_id>")
@cors(max_age=0)  # the view overrides one field; the rest comes from admin, api and the app
def delete_item(item_id: int) -> dict[str, int]:
    return {"deleted": item_id}


@app.get("/health")
def health() -> str:
    return "ok"


api.register_blueprint(admin)
app.register_blueprint(api)
Preflight(app, allow_headers=["Content-Type", "Authorization"])
