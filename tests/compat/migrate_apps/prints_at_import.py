"""An app that prints while it loads (a banner, its settings), as many do."""

from flask import Flask

from flask_preflight.compat import CORS

print("Starting the shop API, version 1.2")
print("import os; this line is not Python the migration should contain")


def create_app() -> Flask:
    app = Flask(__name__)
    print(f"config: {sorted(app.config)[:2]}")

    @app.get("/api/items")
    def items() -> str:
        return "items"

    CORS(app, resources={r"/api/*": {"origins": ["https://shop.example.com"]}})
    return app
