"""The API the browser suite talks to: many routes, each with its own CORS policy.

The app-wide policy allows the page origin; routes meant to be refused override ``origins``
with :data:`OTHER_ORIGIN`, which the page never has. Every view answers with plain text saying
what it saw, so the page can assert on the body.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from flask import Blueprint, Flask, abort, jsonify, make_response, request
from flask.typing import ResponseReturnValue
from flask.views import MethodView
from werkzeug.exceptions import Conflict
from werkzeug.http import dump_cookie

from flask_preflight import Preflight, cors

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

#: An origin that no page in the suite has.
OTHER_ORIGIN = "https://other.example"

#: The token a request must carry in ``Authorization`` to pass the guard hook.
GUARD_TOKEN = "Bearer letmein"


def _wire_method() -> str:
    """The method as the browser sent it (``patch`` stays lowercase; request.method is upper)."""
    return str(request.environ["REQUEST_METHOD"])


def _describe(name: str) -> str:
    body = request.get_data(as_text=True)
    return f"{name} {_wire_method()} body={body}"


def create_api_app(page_origin: str, sibling_origin: str) -> Flask:
    app = Flask("browser_api")
    # Unhandled exceptions must become real 500 responses, as in production.
    app.config.update(TESTING=False, PROPAGATE_EXCEPTIONS=False)
    page = [page_origin]

    # -- simple requests ------------------------------------------------------------------------
    @app.route("/simple", methods=["GET", "POST"])
    @cors(origins=page)
    def simple() -> ResponseReturnValue:
        return _describe("simple")

    @app.route("/simple/denied", methods=["GET", "POST"])
    @cors(origins=[OTHER_ORIGIN])
    def simple_denied() -> ResponseReturnValue:
        return _describe("denied")

    # -- preflighted requests (app-wide policy) ------------------------------------------------
    @app.route("/json", methods=["POST"])
    def json_echo() -> ResponseReturnValue:
        return jsonify(received=request.get_json(), method=_wire_method())

    @app.route("/custom-header", methods=["GET"])
    def custom_header() -> ResponseReturnValue:
        return f"x-custom-header={request.headers.get('X-Custom-Header')}"

    @app.route("/custom-header/restricted", methods=["GET"])
    @cors(allow_headers=["X-Other"])
    def custom_header_restricted() -> ResponseReturnValue:
        return f"x-custom-header={request.headers.get('X-Custom-Header')}"

    # -- methods --------------------------------------------------------------------------------
    @app.route("/methods", methods=["PUT", "DELETE", "PATCH"])
    def methods() -> ResponseReturnValue:
        return _describe("methods")

    @app.route("/read-only", methods=["GET"])
    def read_only() -> ResponseReturnValue:
        return _describe("read-only")

    @app.route("/policy-methods", methods=["GET", "PUT", "DELETE"])
    @cors(methods=["GET", "PUT"])
    def policy_methods() -> ResponseReturnValue:
        return _describe("policy-methods")

    # -- @cors above @app.route, and on a MethodView class -------------------------------------
    @cors(origins=page, expose_headers=["X-Order"])
    @app.route("/decorator-above", methods=["GET", "PUT"])
    def decorator_above() -> ResponseReturnValue:
        response = make_response(_describe("decorator-above"))
        response.headers["X-Order"] = "above"
        return response

    @cors(origins=page, methods=["GET", "PUT"], expose_headers=["X-Class"])
    class Things(MethodView):
        def get(self) -> ResponseReturnValue:
            return self._respond()

        def put(self) -> ResponseReturnValue:
            return self._respond()

        def delete(self) -> ResponseReturnValue:
            return self._respond()

        def _respond(self) -> ResponseReturnValue:
            response = make_response(_describe("things"))
            response.headers["X-Class"] = "method-view"
            return response

    app.add_url_rule("/things", view_func=Things.as_view("things"))

    # -- one URL, two views, two policies -------------------------------------------------------
    @app.route("/split", methods=["GET"])
    @cors(origins=page)
    def split_get() -> ResponseReturnValue:
        return _describe("split-get")

    @app.route("/split", methods=["PUT"])
    @cors(origins=[OTHER_ORIGIN])
    def split_put() -> ResponseReturnValue:
        return _describe("split-put")

    @app.route("/split-reverse", methods=["GET"])
    @cors(origins=[OTHER_ORIGIN])
    def split_reverse_get() -> ResponseReturnValue:
        return _describe("split-reverse-get")

    @app.route("/split-reverse", methods=["PUT"])
    @cors(origins=page)
    def split_reverse_put() -> ResponseReturnValue:
        return _describe("split-reverse-put")

    # -- blueprint policy, overridden field by field --------------------------------------------
    team = Blueprint("team", __name__, url_prefix="/team")

    def _team_response(name: str) -> ResponseReturnValue:
        response = make_response(_describe(name))
        response.headers["X-Team"] = "team-header"
        response.headers["X-View"] = "view-header"
        return response

    @team.route("/closed", methods=["GET", "PUT"])
    def team_closed() -> ResponseReturnValue:
        return _team_response("team-closed")

    @team.route("/open", methods=["GET", "PUT"])
    @cors(origins=page)
    def team_open() -> ResponseReturnValue:
        return _team_response("team-open")

    @team.route("/own-expose", methods=["GET"])
    @cors(origins=page, expose_headers=["X-View"])
    def team_own_expose() -> ResponseReturnValue:
        return _team_response("team-own-expose")

    cors(origins=[OTHER_ORIGIN], expose_headers=["X-Team"])(team)
    app.register_blueprint(team)

    # -- credentials ----------------------------------------------------------------------------
    @app.route("/session/login", methods=["POST"])
    @cors(credentials=True)
    def login() -> ResponseReturnValue:
        response = make_response(f"logged in as {request.get_data(as_text=True)}")
        # Default SameSite (Lax): sent only to the same-site server (see test_conformance).
        response.set_cookie("sid", request.get_data(as_text=True), httponly=True)
        return response

    @app.route("/session/login-partitioned", methods=["POST"])
    @cors(credentials=True)
    def login_partitioned() -> ResponseReturnValue:
        response = make_response(f"logged in as {request.get_data(as_text=True)}")
        # By hand: Werkzeug before 3.0 has no set_cookie(partitioned=True).
        cookie = dump_cookie(
            "psid", request.get_data(as_text=True), httponly=True, secure=True, samesite="None"
        )
        response.headers.add("Set-Cookie", cookie + "; Partitioned")
        return response

    @app.route("/session/me", methods=["GET", "PUT"])
    @cors(credentials=True, expose_headers=["X-Session"])
    def me() -> ResponseReturnValue:
        sid = request.cookies.get("sid")
        psid = request.cookies.get("psid")
        response = make_response(
            f"sid={sid} psid={psid} auth={request.headers.get('Authorization')}"
        )
        response.headers["X-Session"] = str(sid)
        return response

    @app.route("/session/no-credentials", methods=["GET"])
    def no_credentials() -> ResponseReturnValue:
        return f"sid={request.cookies.get('sid')}"

    # -- Authorization with the default allow_headers --------------------------------------------
    @app.route("/auth", methods=["GET"])
    def auth() -> ResponseReturnValue:
        return f"auth={request.headers.get('Authorization')}"

    # -- exposed response headers ---------------------------------------------------------------
    @app.route("/expose", methods=["GET"])
    @cors(expose_headers=["X-Exposed"])
    def expose() -> ResponseReturnValue:
        response = make_response("expose")
        response.headers["X-Exposed"] = "shown"
        response.headers["X-Hidden"] = "hidden"
        return response

    @app.route("/expose/none", methods=["GET"])
    def expose_none() -> ResponseReturnValue:
        response = make_response("expose-none")
        response.headers["X-Exposed"] = "shown"
        return response

    # -- preflight cache ------------------------------------------------------------------------
    @app.route("/max-age/600", methods=["PUT"])
    @cors(max_age=600)
    def max_age_600() -> ResponseReturnValue:
        return _describe("max-age-600")

    @app.route("/max-age/0", methods=["PUT"])
    @cors(max_age=0)
    def max_age_0() -> ResponseReturnValue:
        return _describe("max-age-0")

    # -- errors ---------------------------------------------------------------------------------
    @app.route("/errors/abort", methods=["GET", "PUT"])
    def errors_abort() -> ResponseReturnValue:
        abort(403)

    @app.route("/errors/boom", methods=["GET"])
    def errors_boom() -> ResponseReturnValue:
        raise RuntimeError("boom: an unhandled exception in a view")

    @app.route("/errors/conflict", methods=["GET"])
    def errors_conflict() -> ResponseReturnValue:
        abort(409)

    @app.errorhandler(Conflict)
    def handle_conflict(error: Conflict) -> ResponseReturnValue:
        return jsonify(error="conflict", handled_by="errorhandler"), 409

    # -- a before_request auth hook -------------------------------------------------------------
    @app.before_request
    def guard() -> ResponseReturnValue | None:
        if request.path.startswith("/guarded") and (
            request.headers.get("Authorization") != GUARD_TOKEN
        ):
            return "missing or wrong token", 401
        return None

    @app.route("/guarded/data", methods=["GET", "PUT"])
    def guarded() -> ResponseReturnValue:
        return _describe("guarded")

    # -- Vary: Origin, with a response the browser's HTTP cache keeps -------------------------
    @app.route("/vary", methods=["GET"])
    @cors(origins=[page_origin, sibling_origin])
    def vary() -> ResponseReturnValue:
        response = make_response(f"vary origin={request.headers.get('Origin')}")
        response.headers["Cache-Control"] = "public, max-age=600"
        return response

    # -- any origin -----------------------------------------------------------------------------
    @app.route("/public", methods=["GET", "POST"])
    @cors(origins="*")
    def public() -> ResponseReturnValue:
        return _describe("public")

    Preflight(app, origins=page)
    return app


def raw_control_app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    """Hand-written CORS answers, no Flask-Preflight: controls showing what each browser does
    with a given header (docs/browsers.md). Served under ``/raw``.

    The query sets the preflight answer: ``acam`` (Access-Control-Allow-Methods), ``acah``
    (Access-Control-Allow-Headers), ``max_age``; ``cache`` makes the actual response cacheable
    for 600 s. Both answers allow the request's Origin.
    """
    query = parse_qs(environ.get("QUERY_STRING", ""))
    origin = environ.get("HTTP_ORIGIN", "")
    headers = [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]
    if environ["REQUEST_METHOD"] == "OPTIONS":
        for key, name in (
            ("acam", "Access-Control-Allow-Methods"),
            ("acah", "Access-Control-Allow-Headers"),
            ("max_age", "Access-Control-Max-Age"),
        ):
            if key in query:
                headers.append((name, query[key][0]))
        start_response("204 No Content", headers)
        return [b""]
    body = f"raw {environ['REQUEST_METHOD']} auth={environ.get('HTTP_AUTHORIZATION')}"
    headers.append(("Content-Type", "text/plain"))
    if "cache" in query:
        headers.append(("Cache-Control", "public, max-age=600"))
    start_response("200 OK", headers)
    return [body.encode()]
