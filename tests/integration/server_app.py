"""The app the real-server tests serve (gunicorn and waitress import it by name)."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Flask, Response, abort, jsonify, request, stream_with_context

from flask_preflight import Preflight, cors

ORIGINS = ["https://*.example.com"]

app = Flask(__name__)


@app.route("/items/<int:item_id>", methods=["GET", "PUT"])
@cors(origins=ORIGINS, credentials=True, expose_headers=["X-Req"])
def item(item_id: int) -> Response:
    response = jsonify(id=item_id, method=request.method)
    response.headers["X-Req"] = request.headers.get("X-Req", "")
    return response


@app.get("/private")
@cors(origins=ORIGINS, credentials=True)
def private() -> Response:
    abort(401)


@app.delete("/items/<int:item_id>")
@cors(origins=ORIGINS, credentials=True)
def delete_item(item_id: int) -> tuple[str, int]:
    return "", 204  # the app's own 204: how the server treats any bodiless response


@app.get("/stream")
@cors(origins=ORIGINS, expose_headers=["X-Req"])
def stream() -> Response:
    def generate() -> Iterator[str]:
        yield "req="
        yield request.headers.get("X-Req", "")  # read inside the stream: needs the context
        for i in range(3):
            yield f";{i}"

    response = Response(stream_with_context(generate()), mimetype="text/plain")
    response.headers["X-Req"] = request.headers.get("X-Req", "")
    return response


Preflight(app, origins=ORIGINS)  # the app policy: what no route matched (404)
