"""Only ``@cross_origin`` (no ``CORS(app)``): compat registers on the first request to such
a view, one view per method."""

from flask import Flask

from flask_preflight.compat import cross_origin

app = Flask(__name__)


@app.get("/items")
@cross_origin()
def list_items() -> str:
    return "items"


@app.post("/items")
@cross_origin(origins=["https://shop.example.com"], supports_credentials=True)
def create_item() -> str:
    return "created"


@app.delete("/items/<int:item_id>")
@cross_origin(origins="https://admin.example.com", methods=["DELETE"], max_age=30)
def delete_item(item_id: int) -> str:
    return "deleted"


@app.get("/health")
def health() -> str:
    return "ok"
