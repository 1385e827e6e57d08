"""Flask-Login, written as its documentation writes it: ``LoginManager().init_app(app)``, a
``user_loader``, ``@login_required`` views, ``login_user``; and the app-wide variant, a
``before_request`` hook that sends unauthenticated requests to ``unauthorized()``."""

from __future__ import annotations

from flask import Flask, request
from flask.typing import ResponseReturnValue
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user

from flask_preflight import Preflight

from ..helpers import ADMIN, EVIL, cors_headers, send_preflight
from .helpers import assert_vary_merged, json_of, vary_lines


class User(UserMixin):
    def __init__(self, user_id: str) -> None:
        self.id = user_id


def make_app(app_wide_hook: bool, with_preflight: bool = True) -> tuple[Flask, list[str]]:
    app = Flask(__name__)
    app.config["SECRET_KEY"] = "integration-test-secret"
    login_manager = LoginManager()
    login_manager.init_app(app)
    hooks: list[str] = []

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        return User(user_id) if user_id == "alice" else None

    if app_wide_hook:

        @app.before_request
        def require_login() -> ResponseReturnValue | None:
            hooks.append(request.method)
            if request.endpoint != "login" and not current_user.is_authenticated:
                unauthorized: ResponseReturnValue = login_manager.unauthorized()
                return unauthorized
            return None

    @app.post("/login")
    def login() -> dict[str, bool]:
        login_user(User("alice"))
        return {"ok": True}

    @app.route("/me", methods=["GET", "PUT"])
    @login_required
    def me() -> dict[str, str]:
        return {"user": current_user.id}

    if with_preflight:
        Preflight(app, origins=[ADMIN], credentials=True)
    return app, hooks


def check(app_wide_hook: bool) -> None:
    app, hooks = make_app(app_wide_hook)
    client = app.test_client()
    bare = make_app(app_wide_hook, with_preflight=False)[0].test_client()  # same requests
    # Browsers send preflights without cookies: granted, without a session.
    preflight = send_preflight(client, "/me", ADMIN, "PUT", "content-type")
    assert preflight.status_code == 204
    assert "Set-Cookie" not in preflight.headers
    assert cors_headers(preflight)["access-control-allow-credentials"] == "true"
    assert send_preflight(client, "/me", EVIL, "PUT").status_code == 403
    assert hooks == []

    # The 401 is readable, and Flask's "Vary: Cookie" and Origin share one line.
    unauthorized = client.get("/me", headers={"Origin": ADMIN})
    assert unauthorized.status_code == 401
    assert_vary_merged(unauthorized, bare.get("/me", headers={"Origin": ADMIN}))
    assert cors_headers(unauthorized) == {
        "access-control-allow-origin": ADMIN,
        "access-control-allow-credentials": "true",
    }

    # Logged in with the session cookie, the credentialed request is read.
    login = client.post("/login", headers={"Origin": ADMIN})
    assert login.status_code == 200
    assert vary_lines(login) == ["Cookie, Origin"]  # the session was written: every Flask
    bare.post("/login")
    me = client.put("/me", headers={"Origin": ADMIN})
    assert json_of(me) == {"user": "alice"}
    assert cors_headers(me)["access-control-allow-origin"] == ADMIN
    assert_vary_merged(me, bare.put("/me", headers={"Origin": ADMIN}))
    assert cors_headers(client.get("/me", headers={"Origin": EVIL})) == {}


def test_login_required() -> None:
    check(app_wide_hook=False)


def test_app_wide_login_hook() -> None:
    check(app_wide_hook=True)
