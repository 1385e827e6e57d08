"""Conditional responses the ways Flask documents them: ``send_file`` and
``send_from_directory`` (ETag, Last-Modified, Range), the static route, and
``Response.make_conditional`` with ``add_etag``. A 304 or a HEAD must carry the same CORS
headers and ``Vary`` as the 200 (RFC 9110 15.4.5: a 304 sends the ``Vary`` the 200 would)."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask, make_response, request, send_file, send_from_directory
from flask.typing import ResponseReturnValue

from flask_preflight import Preflight, cors

from ..helpers import ADMIN, EVIL, SHOP, cors_headers
from .helpers import vary_lines

BODY = b"0123456789" * 100


def make_app(folder: Path) -> Flask:
    (folder / "report.txt").write_bytes(BODY)
    app = Flask(__name__, static_folder=str(folder), static_url_path="/static")

    @app.get("/file")
    @cors(origins=[SHOP, ADMIN], expose_headers=["ETag", "Content-Range"])
    def file() -> ResponseReturnValue:
        return send_file(folder / "report.txt", mimetype="text/plain")

    @app.get("/download/<name>")
    @cors(origins=[SHOP, ADMIN], credentials=True)
    def download(name: str) -> ResponseReturnValue:
        return send_from_directory(folder, name)

    @app.get("/report")
    @cors(origins=[SHOP, ADMIN])
    def report() -> ResponseReturnValue:
        response = make_response({"total": 42})
        response.vary.add("Accept-Language")
        response.add_etag()
        return response.make_conditional(request)

    Preflight(app, origins=[SHOP, ADMIN])  # the app policy covers the static route
    return app


PATHS = ["/file", "/download/report.txt", "/report", "/static/report.txt"]


@pytest.mark.parametrize("path", PATHS)
def test_304_and_head_keep_cors_headers_and_vary(tmp_path: Path, path: str) -> None:
    client = make_app(tmp_path).test_client()
    full = client.get(path, headers={"Origin": SHOP})
    assert full.status_code == 200
    assert cors_headers(full)["access-control-allow-origin"] == SHOP
    etag = full.headers["ETag"]

    for validator in ({"If-None-Match": etag}, {"If-Modified-Since": "Sat, 1 Jan 2101 0:0:0"}):
        if "Last-Modified" not in full.headers and "If-Modified-Since" in validator:
            continue
        cached = client.get(path, headers={"Origin": ADMIN, **validator})
        assert cached.status_code == 304, validator
        assert cached.get_data() == b""
        expected = dict(cors_headers(full), **{"access-control-allow-origin": ADMIN})
        assert cors_headers(cached) == expected
        assert vary_lines(cached) == vary_lines(full)

    head = client.head(path, headers={"Origin": ADMIN})
    assert head.status_code == 200
    assert head.get_data() == b""
    assert head.headers["Content-Length"] == full.headers["Content-Length"]
    assert cors_headers(head) == dict(cors_headers(full), **{"access-control-allow-origin": ADMIN})
    assert vary_lines(head) == vary_lines(full)

    refused = client.get(path, headers={"Origin": EVIL, "If-None-Match": etag})
    assert refused.status_code == 304
    assert cors_headers(refused) == {}
    assert vary_lines(refused) == vary_lines(full)


@pytest.mark.parametrize("path", ["/file", "/static/report.txt"])
def test_range_request_206_keeps_cors_headers(tmp_path: Path, path: str) -> None:
    client = make_app(tmp_path).test_client()
    partial = client.get(path, headers={"Origin": SHOP, "Range": "bytes=0-9"})
    assert partial.status_code == 206
    assert partial.get_data() == b"0123456789"
    assert cors_headers(partial)["access-control-allow-origin"] == SHOP
    assert vary_lines(partial) == ["Origin"]
