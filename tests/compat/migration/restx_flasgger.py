"""flask-restx APIs on blueprints, each under ``CORS(bp, resources={r"/*": ...})``, and
flasgger's Swagger UI on the app."""

from __future__ import annotations

from types import ModuleType

from flasgger import Swagger
from flask import Blueprint, Flask
from flask_restx import Api, Resource

from . import cors_module


def create_app(flask_cors: ModuleType | None = None) -> Flask:
    fc = cors_module(flask_cors)
    app = Flask(__name__)
    v1 = Blueprint("v1", __name__, url_prefix="/api/v1")
    api = Api(v1, doc="/docs")
    fc.CORS(v1, resources={r"/*": {"origins": "*"}})

    @api.route("/datasets")
    class Datasets(Resource):
        def get(self) -> object:
            return {"datasets": []}

        def post(self) -> object:
            return {"created": True}, 201

    @api.route("/datasets/<int:pk>")
    class Dataset(Resource):
        def get(self, pk: int) -> object:
            return {"id": pk}

        def delete(self, pk: int) -> object:
            return "", 204

    admin = Blueprint("admin", __name__, url_prefix="/api/admin")
    admin_api = Api(admin, doc=False)
    fc.CORS(admin, resources={r"/*": {"origins": ["https://admin.example.com"]}})

    @admin_api.route("/users")
    class Users(Resource):
        def get(self) -> object:
            return {"users": []}

    app.register_blueprint(v1)
    app.register_blueprint(admin)
    Swagger(app)
    return app
