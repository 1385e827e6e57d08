"""flask-smorest, written as its documentation writes an API: ``Api(app)``, a
``flask_smorest.Blueprint`` with ``MethodView`` resources, ``@blp.response``, ``@blp.etag``.
"""

from __future__ import annotations

import copy
from typing import Any

import marshmallow as ma
from flask import Flask
from flask.views import MethodView
from flask_smorest import Api, Blueprint

from flask_preflight import Preflight, cors

from ..helpers import ADMIN, EVIL, SHOP, cors_headers, send_preflight
from .helpers import json_of, vary_fields

PETS = {1: {"id": 1, "name": "Rex"}, 2: {"id": 2, "name": "Tom"}}


class PetSchema(ma.Schema):
    id = ma.fields.Int(dump_only=True)
    name = ma.fields.String(required=True)


def make_app(with_preflight: bool = True) -> Flask:
    """The documented smorest app; ``with_preflight=False`` builds the same app without
    Flask-Preflight (for the OpenAPI comparison)."""
    app = Flask(__name__)
    app.config["API_TITLE"] = "Pets"
    app.config["API_VERSION"] = "v1"
    app.config["OPENAPI_VERSION"] = "3.0.3"
    app.config["OPENAPI_URL_PREFIX"] = "/"
    api = Api(app)
    mark = cors if with_preflight else (lambda **_: lambda target: target)

    blp = Blueprint("pets", "pets", url_prefix="/pets", description="Operations on pets")
    mark(origins=[SHOP, ADMIN], expose_headers=["ETag"])(blp)

    @blp.route("/")
    class Pets(MethodView):
        @blp.response(200, PetSchema(many=True))
        def get(self) -> list[dict[str, Any]]:
            return list(PETS.values())

    @blp.route("/<int:pet_id>")
    class PetById(MethodView):
        @blp.etag
        @blp.response(200, PetSchema)
        def get(self, pet_id: int) -> dict[str, Any]:
            return PETS[pet_id]

    # A PUT-only resource on the same URL, with its own (narrower) policy.
    @blp.route("/<int:pet_id>", endpoint="PetWrite")
    @mark(origins=[ADMIN], credentials=True)
    class PetWrite(MethodView):
        @blp.arguments(PetSchema)
        @blp.response(200, PetSchema)
        def put(self, data: dict[str, Any], pet_id: int) -> dict[str, Any]:
            return {"id": pet_id, **data}

    api.register_blueprint(blp)
    if with_preflight:
        Preflight(app)
    return app


def test_blueprint_policy_reaches_its_methodview_resources() -> None:
    client = make_app().test_client()
    response = client.get("/pets/", headers={"Origin": SHOP})
    assert response.status_code == 200
    assert response.json == list(PETS.values())
    assert cors_headers(response) == {
        "access-control-allow-origin": SHOP,
        "access-control-expose-headers": "etag",
    }
    assert vary_fields(response).count("origin") == 1
    refused = client.get("/pets/", headers={"Origin": EVIL})
    assert cors_headers(refused) == {}


def test_put_resource_on_a_shared_url_answers_preflights_with_its_own_policy() -> None:
    client = make_app().test_client()
    granted = send_preflight(client, "/pets/1", ADMIN, "PUT", "content-type")
    assert granted.status_code == 204
    assert cors_headers(granted)["access-control-allow-methods"] == "PUT"
    assert cors_headers(granted)["access-control-allow-credentials"] == "true"
    # The GET resource admits the shop; the PUT resource does not.
    assert send_preflight(client, "/pets/1", SHOP, "GET", "x-token").status_code == 204
    refused = send_preflight(client, "/pets/1", SHOP, "PUT", "content-type")
    assert refused.status_code == 403
    assert cors_headers(refused) == {}
    # And the actual PUT carries the PUT resource's headers.
    put = client.put("/pets/1", json={"name": "Max"}, headers={"Origin": ADMIN})
    assert put.status_code == 200, put.get_data(as_text=True)
    assert put.json == {"id": 1, "name": "Max"}
    assert cors_headers(put)["access-control-allow-credentials"] == "true"


def test_etag_304_keeps_cors_headers_and_vary() -> None:
    client = make_app().test_client()
    first = client.get("/pets/1", headers={"Origin": SHOP})
    etag = first.headers["ETag"]
    assert cors_headers(first)["access-control-allow-origin"] == SHOP
    again = client.get("/pets/1", headers={"Origin": ADMIN, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert cors_headers(again) == {
        "access-control-allow-origin": ADMIN,
        "access-control-expose-headers": "etag",
    }
    assert vary_fields(again).count("origin") == 1


def test_openapi_document_is_unchanged_by_the_extension() -> None:
    plain = make_app(with_preflight=False).test_client().get("/openapi.json")
    with_cors = make_app().test_client().get("/openapi.json")
    assert plain.status_code == with_cors.status_code == 200
    document = copy.deepcopy(json_of(plain))
    assert with_cors.json == document
    # It documents what the resources declare, and no OPTIONS operation was added.
    assert set(document["paths"]["/pets/{pet_id}"]) >= {"get", "put"}
    assert "options" not in document["paths"]["/pets/{pet_id}"]
