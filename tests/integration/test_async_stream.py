"""Async views (``async def`` and an async ``MethodView``, Flask's ``flask[async]``) and
streamed responses (``stream_with_context``), written as Flask documents them."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

from flask import Flask, Response, abort, request, stream_with_context
from flask.views import MethodView

from flask_preflight import Preflight, cors

from ..helpers import ADMIN, EVIL, SHOP, cors_headers, send_preflight
from .helpers import vary_fields


def make_app() -> Flask:
    app = Flask(__name__)
    before: list[str] = []
    app.config["BEFORE"] = before

    @app.before_request
    async def hook() -> None:
        before.append(request.method)

    @app.get("/async/<int(signed=True):n>")
    @cors(origins=[SHOP], expose_headers=["X-N"])
    async def async_view(n: int) -> tuple[dict[str, int], dict[str, str]]:
        await asyncio.sleep(0)
        if n == 0:
            abort(404)
        if n < 0:
            raise RuntimeError("boom")
        return {"n": n}, {"X-N": str(n)}

    @cors(origins=[ADMIN], credentials=True)
    class ItemAPI(MethodView):
        async def get(self, item_id: int) -> dict[str, int]:
            await asyncio.sleep(0)
            return {"id": item_id}

        async def put(self, item_id: int) -> dict[str, int]:
            await asyncio.sleep(0)
            return {"put": item_id}

    app.add_url_rule("/items/<int:item_id>", view_func=ItemAPI.as_view("item"))

    @app.get("/stream")
    @cors(origins=[SHOP, ADMIN])
    def stream() -> Response:
        def generate() -> Iterator[str]:
            yield "origin="
            yield request.headers.get("Origin", "none")  # needs the request context
            for i in range(3):
                yield f";{i}"

        return Response(stream_with_context(generate()), mimetype="text/plain")

    Preflight(app)
    return app


def test_async_view() -> None:
    app = make_app()
    client = app.test_client()
    assert send_preflight(client, "/async/1", SHOP, "GET", "x-a").status_code == 204
    assert send_preflight(client, "/async/1", EVIL, "GET", "x-a").status_code == 403
    assert app.config["BEFORE"] == []
    response = client.get("/async/3", headers={"Origin": SHOP})
    assert response.json == {"n": 3}
    assert cors_headers(response) == {
        "access-control-allow-origin": SHOP,
        "access-control-expose-headers": "x-n",
    }
    for n, status in ((0, 404), (-1, 500)):
        error = client.get(f"/async/{n}", headers={"Origin": SHOP})
        assert error.status_code == status
        assert cors_headers(error)["access-control-allow-origin"] == SHOP
        assert vary_fields(error).count("origin") == 1


def test_async_methodview() -> None:
    client = make_app().test_client()
    granted = send_preflight(client, "/items/7", ADMIN, "PUT", "content-type")
    assert granted.status_code == 204
    assert cors_headers(granted)["access-control-allow-credentials"] == "true"
    assert send_preflight(client, "/items/7", SHOP, "PUT").status_code == 403
    assert send_preflight(client, "/items/7", ADMIN, "DELETE").status_code == 403
    response = client.put("/items/7", headers={"Origin": ADMIN})
    assert response.json == {"put": 7}
    assert cors_headers(response) == {
        "access-control-allow-origin": ADMIN,
        "access-control-allow-credentials": "true",
    }


def test_streamed_response() -> None:
    client = make_app().test_client()
    for origin in (SHOP, ADMIN):
        response = client.get("/stream", headers={"Origin": origin}, buffered=False)
        assert response.is_streamed
        assert cors_headers(response)["access-control-allow-origin"] == origin
        assert vary_fields(response) == ["origin"]
        assert response.get_data(as_text=True) == f"origin={origin};0;1;2"
    refused = client.get("/stream", headers={"Origin": EVIL}, buffered=False)
    assert cors_headers(refused) == {}
    assert refused.get_data(as_text=True) == f"origin={EVIL};0;1;2"
