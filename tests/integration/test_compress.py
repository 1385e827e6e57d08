"""Flask-Compress, written as its documentation writes it: ``Compress(app)``. It adds
``Vary: Accept-Encoding`` to every response in an ``after_request`` hook, errors included;
Flask-Preflight must fold ``Origin`` into that same line."""

from __future__ import annotations

import gzip

import pytest
from flask import Flask, abort
from flask_compress import Compress

from flask_preflight import Preflight, cors

from ..helpers import SHOP, cors_headers, send_preflight
from .helpers import vary_lines

BIG = {"items": list(range(2000))}  # well over COMPRESS_MIN_SIZE


def make_app() -> Flask:
    app = Flask(__name__)
    Compress(app)

    @app.get("/big")
    def big() -> dict[str, list[int]]:
        return BIG

    @app.get("/small")
    def small() -> dict[str, int]:
        return {"n": 1}

    @app.get("/gone")
    def gone() -> str:
        abort(410)

    @app.get("/crash")
    def crash() -> str:
        raise RuntimeError("boom")

    @app.get("/own-vary")
    def own_vary() -> tuple[dict[str, list[int]], dict[str, str]]:
        return BIG, {"Vary": "Origin"}

    @app.get("/private")
    @cors(origins=[SHOP], credentials=True)
    def private() -> dict[str, list[int]]:
        return BIG

    Preflight(app, origins=[SHOP])
    return app


@pytest.mark.parametrize(
    ("path", "status", "expected_vary"),
    [
        pytest.param("/big", 200, "Accept-Encoding, Origin", id="compressed"),
        pytest.param("/small", 200, "Accept-Encoding, Origin", id="below-min-size"),
        pytest.param("/gone", 410, "Accept-Encoding, Origin", id="abort"),
        pytest.param("/crash", 500, "Accept-Encoding, Origin", id="unhandled-exception"),
        pytest.param("/missing", 404, "Accept-Encoding, Origin", id="no-route"),
        pytest.param("/own-vary", 200, "Origin, Accept-Encoding", id="app-set-vary-origin"),
        pytest.param("/private", 200, "Accept-Encoding, Origin", id="credentials"),
    ],
)
@pytest.mark.parametrize("origin", [SHOP, None], ids=["cross-origin", "no-origin"])
def test_one_vary_with_accept_encoding_and_origin_once(
    path: str, status: int, expected_vary: str, origin: str | None
) -> None:
    client = make_app().test_client()
    headers = {"Accept-Encoding": "gzip"}
    if origin is not None:
        headers["Origin"] = origin
    response = client.get(path, headers=headers)
    assert response.status_code == status
    assert vary_lines(response) == [expected_vary]
    if origin is not None:
        assert cors_headers(response)["access-control-allow-origin"] == SHOP
    else:
        assert cors_headers(response) == {}


def test_compressed_body_is_intact() -> None:
    response = (
        make_app().test_client().get("/big", headers={"Accept-Encoding": "gzip", "Origin": SHOP})
    )
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.get_data()).startswith(b'{"items":[0,1,2')


def test_preflight_vary_is_untouched_by_compress() -> None:
    client = make_app().test_client()
    response = send_preflight(client, "/big", SHOP, "GET", "x-a", **{"Accept-Encoding": "gzip"})
    assert response.status_code == 204
    assert vary_lines(response) == [
        "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
    ]
