"""Flask-WTF, written as its documentation writes it: ``CSRFProtect(app)``, the token from
``generate_csrf()`` sent back in ``X-CSRFToken`` by JavaScript."""

from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import CSRFProtect, generate_csrf

from flask_preflight import Preflight

from ..helpers import ADMIN, EVIL, cors_headers, send_preflight
from .helpers import assert_vary_merged, json_of, vary_lines


def make_app(with_preflight: bool = True) -> Flask:
    app = Flask(__name__)
    app.config["SECRET_KEY"] = "integration-test-secret"
    CSRFProtect(app)

    @app.get("/csrf")
    def csrf_token() -> dict[str, str]:
        return {"token": generate_csrf()}

    @app.route("/items", methods=["POST", "DELETE"])
    def items() -> dict[str, bool]:
        return {"created": True}

    if with_preflight:
        Preflight(app, origins=[ADMIN], credentials=True)
    return app


def test_preflights_are_unaffected_by_csrf_protect() -> None:
    client = make_app().test_client()
    for method in ("POST", "DELETE"):
        response = send_preflight(client, "/items", ADMIN, method, "content-type,x-csrftoken")
        assert response.status_code == 204, method
        assert cors_headers(response)["access-control-allow-headers"] == (
            "content-type,x-csrftoken"
        )
    assert send_preflight(client, "/items", EVIL, "POST", "x-csrftoken").status_code == 403


def test_csrf_400_is_readable_and_the_token_works_cross_origin() -> None:
    client = make_app().test_client()
    rejected = client.post("/items", json={}, headers={"Origin": ADMIN})
    assert rejected.status_code == 400
    assert "CSRF token is missing" in rejected.get_data(as_text=True)
    assert cors_headers(rejected) == {
        "access-control-allow-origin": ADMIN,
        "access-control-allow-credentials": "true",
    }
    assert vary_lines(rejected) == ["Origin"]  # no session yet, so no "Vary: Cookie"

    issued = client.get("/csrf", headers={"Origin": ADMIN})
    assert vary_lines(issued) == ["Cookie, Origin"]  # the session was written: one line
    token = json_of(issued)["token"]
    forged = client.post("/items", json={}, headers={"Origin": ADMIN, "X-CSRFToken": "x"})
    assert forged.status_code == 400
    assert cors_headers(forged)["access-control-allow-origin"] == ADMIN
    bare = make_app(with_preflight=False).test_client()  # the same app, the same requests
    bare.get("/csrf")
    assert_vary_merged(forged, bare.post("/items", json={}, headers={"X-CSRFToken": "x"}))
    accepted = client.post("/items", json={}, headers={"Origin": ADMIN, "X-CSRFToken": token})
    assert accepted.status_code == 200, accepted.get_data(as_text=True)
    assert cors_headers(accepted)["access-control-allow-origin"] == ADMIN
