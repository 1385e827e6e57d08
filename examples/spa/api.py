"""The demo's API: a JSON service on its own origin, called by the front end's fetch().

CORS is declared once, on the ``api`` blueprint (only the front end's origin may call it);
the login views override one field (``credentials=True``). ``/internal/metrics`` sits outside
the blueprint and has no CORS at all, so the browser hides its response from the page.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from flask import Blueprint, Flask, abort, jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException
from werkzeug.http import dump_cookie

from flask_preflight import Preflight, cors

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

SESSION_COOKIE = "demo_session"


class TrafficCounter:
    """WSGI middleware counting, per ``t=<token>`` query parameter, what reached the server.

    It wraps the app *outside* Flask-Preflight, so it sees the preflights the extension
    answers. The page asks ``/api/traffic?token=...`` whether a preflight happened.
    """

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app
        self._lock = threading.Lock()
        self.counts: dict[str, dict[str, int]] = {}

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        token = parse_qs(environ.get("QUERY_STRING", "")).get("t", [None])[0]
        if token is not None:
            preflight = (
                environ["REQUEST_METHOD"] == "OPTIONS"
                and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in environ
            )
            with self._lock:
                entry = self.counts.setdefault(token, {"preflights": 0, "requests": 0})
                entry["preflights" if preflight else "requests"] += 1
        return self.app(environ, start_response)

    def get(self, token: str) -> dict[str, int]:
        with self._lock:
            return dict(self.counts.get(token, {"preflights": 0, "requests": 0}))


def create_api_app(page_origin: str) -> Flask:
    """The API, allowing calls from ``page_origin`` (e.g. ``http://127.0.0.1:5000``)."""
    app = Flask(__name__)
    sessions: dict[str, str] = {}
    api = Blueprint("api", __name__, url_prefix="/api")

    @api.get("/hello")
    def hello() -> ResponseReturnValue:
        response = jsonify(message="Hello from the API", served_at=time.strftime("%H:%M:%S"))
        response.headers["X-Served-By"] = "flask-preflight-demo"
        return response

    @api.post("/echo")
    def echo() -> ResponseReturnValue:
        return jsonify(you_sent=request.get_json())

    @api.route("/profile", methods=["GET", "PATCH"])
    def profile() -> ResponseReturnValue:
        # request.method is always upper case; the environ keeps what the browser sent.
        return jsonify(
            method_on_the_wire=request.environ["REQUEST_METHOD"],
            updated=request.get_json(silent=True),
        )

    @api.get("/orders/<int:order_id>")
    def order(order_id: int) -> ResponseReturnValue:
        abort(404, description=f"order {order_id} does not exist")

    @api.errorhandler(HTTPException)
    def json_error(error: HTTPException) -> ResponseReturnValue:
        return jsonify(error=error.name, detail=error.description), error.code or 500

    @api.post("/session")
    @cors(credentials=True)
    def login() -> ResponseReturnValue:
        user = str((request.get_json(silent=True) or {}).get("user", "guest"))
        sid = secrets.token_urlsafe(16)
        sessions[sid] = user
        response = jsonify(logged_in=user)
        # The API (localhost) and the page (127.0.0.1) are different *sites*, so this is a
        # third-party cookie: browsers send it back only when it is SameSite=None; Secure
        # (allowed on http://localhost) and, where third-party cookies are blocked, Partitioned.
        # (Written by hand: Werkzeug before 3.0, which Flask-Preflight supports, has no
        # set_cookie(partitioned=True).)
        cookie = dump_cookie(SESSION_COOKIE, sid, httponly=True, secure=True, samesite="None")
        response.headers.add("Set-Cookie", cookie + "; Partitioned")
        return response

    @api.get("/session/me")
    @cors(credentials=True)
    def me() -> ResponseReturnValue:
        user = sessions.get(request.cookies.get(SESSION_COOKIE, ""))
        if user is None:
            return jsonify(error="not logged in"), 401
        return jsonify(user=user, cookie_received=True)

    @api.get("/traffic")
    def traffic() -> ResponseReturnValue:
        return jsonify(counter.get(request.args.get("token", "")))

    cors(origins=[page_origin], expose_headers=["X-Served-By"], max_age=600)(api)
    app.register_blueprint(api)

    @app.get("/internal/metrics")
    def metrics() -> ResponseReturnValue:
        # No CORS policy here: the server answers, the browser hides the answer from the page.
        return jsonify(sessions=len(sessions))

    @app.get("/")
    def index() -> ResponseReturnValue:
        return jsonify(api="Flask-Preflight demo API", allowed_origin=page_origin)

    Preflight(app)
    # Installed after Preflight so it wraps the extension's preflight handling too.
    counter = TrafficCounter(app.wsgi_app)
    app.wsgi_app = counter  # type: ignore[method-assign]
    return app
