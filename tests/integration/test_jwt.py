"""flask-jwt-extended, written as its documentation writes it: ``JWTManager(app)``,
``create_access_token``, ``@jwt_required()``; and the app-wide variant, a
``before_request`` that calls ``verify_jwt_in_request()``."""

from __future__ import annotations

from flask import Flask
from flask_jwt_extended import (
    JWTManager,
    create_access_token,
    get_jwt_identity,
    jwt_required,
    verify_jwt_in_request,
)

from flask_preflight import Preflight

from ..helpers import ADMIN, EVIL, cors_headers, send_preflight
from .helpers import json_of, vary_fields


def make_app(app_wide_hook: bool) -> Flask:
    app = Flask(__name__)
    app.config["JWT_SECRET_KEY"] = "integration-test-secret-of-32-bytes!"
    JWTManager(app)

    if app_wide_hook:

        @app.before_request
        def require_token() -> None:
            verify_jwt_in_request()

    @app.post("/token")
    def token() -> dict[str, str]:
        return {"token": create_access_token(identity="alice")}

    @app.route("/items", methods=["GET", "DELETE"])
    @jwt_required(optional=app_wide_hook)  # the hook already verified it
    def items() -> dict[str, str]:
        return {"user": get_jwt_identity()}

    Preflight(app, origins=[ADMIN], expose_headers=["WWW-Authenticate"])
    return app


def check(app: Flask) -> None:
    client = app.test_client()
    preflight = send_preflight(client, "/items", ADMIN, "DELETE", "authorization")
    assert preflight.status_code == 204
    assert cors_headers(preflight)["access-control-allow-headers"] == "authorization"
    assert cors_headers(preflight)["access-control-allow-methods"] == "DELETE"
    assert send_preflight(client, "/items", EVIL, "DELETE", "authorization").status_code == 403

    missing = client.get("/items", headers={"Origin": ADMIN})
    assert missing.status_code == 401
    assert missing.json == {"msg": "Missing Authorization Header"}
    assert cors_headers(missing)["access-control-allow-origin"] == ADMIN
    assert vary_fields(missing).count("origin") == 1

    malformed = client.get(
        "/items", headers={"Origin": ADMIN, "Authorization": "Bearer not-a-token"}
    )
    assert malformed.status_code == 422
    assert "msg" in json_of(malformed)
    assert cors_headers(malformed)["access-control-allow-origin"] == ADMIN
    assert cors_headers(client.get("/items", headers={"Origin": EVIL})) == {}


def test_jwt_required() -> None:
    app = make_app(app_wide_hook=False)
    check(app)
    token = json_of(app.test_client().post("/token"))["token"]
    response = app.test_client().delete(
        "/items", headers={"Origin": ADMIN, "Authorization": f"Bearer {token}"}
    )
    assert response.json == {"user": "alice"}
    assert cors_headers(response)["access-control-allow-origin"] == ADMIN


def test_before_request_verify_jwt_in_request() -> None:
    app = make_app(app_wide_hook=True)
    # The documented hook also guards /token here; a preflight to it is still granted.
    assert send_preflight(app.test_client(), "/token", ADMIN, "POST", "x-a").status_code == 204
    check(app)
