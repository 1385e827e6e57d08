"""Flask-Caching, written as its documentation writes it: ``Cache(app, config=...)`` and
``@cache.cached(...)`` views. The cached value is the view's response, shared by every
caller: one origin's ``Access-Control-Allow-Origin`` must never reach another."""

from __future__ import annotations

import itertools

import pytest
from flask import Flask, jsonify
from flask.typing import ResponseReturnValue
from flask_caching import Cache

from flask_preflight import Preflight, cors

from ..helpers import ADMIN, EVIL, SHOP, cors_headers
from .helpers import vary_fields

ORIGINS = [SHOP, ADMIN, EVIL, None]


def make_app() -> tuple[Flask, list[str]]:
    app = Flask(__name__)
    cache = Cache(app, config={"CACHE_TYPE": "SimpleCache"})
    calls: list[str] = []

    @app.get("/catalog")
    @cache.cached(timeout=60)
    def catalog() -> ResponseReturnValue:
        calls.append("catalog")
        return {"items": [1, 2]}

    @app.get("/search")
    @cors(origins=[SHOP, ADMIN], credentials=True, expose_headers=["X-Count"])
    @cache.cached(timeout=60, query_string=True)
    def search() -> ResponseReturnValue:
        calls.append("search")
        response = jsonify(results=[])
        response.headers["X-Count"] = "0"
        return response

    Preflight(app, origins=[SHOP, ADMIN])
    return app, calls


@pytest.mark.parametrize("order", list(itertools.permutations(ORIGINS)), ids=str)
@pytest.mark.parametrize("path", ["/catalog", "/search?q=a"])
def test_cached_response_carries_each_requests_own_origin(
    order: tuple[str | None, ...], path: str
) -> None:
    app, calls = make_app()
    client = app.test_client()
    for _ in range(2):
        for origin in order:
            response = client.get(path, headers={} if origin is None else {"Origin": origin})
            assert response.status_code == 200
            got = cors_headers(response).get("access-control-allow-origin")
            assert got == (origin if origin in (SHOP, ADMIN) else None), (origin, got)
            assert vary_fields(response).count("origin") == 1
            if path.startswith("/search") and got is not None:
                assert cors_headers(response)["access-control-allow-credentials"] == "true"
    assert len(calls) == 1  # the view ran once: every other answer came from the cache
