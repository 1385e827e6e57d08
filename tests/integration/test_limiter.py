"""Flask-Limiter, written as its documentation writes it: ``Limiter(get_remote_address,
app=app, default_limits=[...], storage_uri="memory://")`` and ``@limiter.limit`` on a view.
"""

from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from flask_preflight import Preflight

from ..helpers import ADMIN, SHOP, cors_headers, send_preflight
from .helpers import vary_fields


def make_app() -> Flask:
    app = Flask(__name__)
    limiter = Limiter(
        get_remote_address,
        app=app,
        default_limits=["3 per minute"],
        storage_uri="memory://",
        headers_enabled=True,
    )

    @app.route("/items", methods=["GET", "PUT"])
    def items() -> str:
        return "items"

    @app.route("/search", methods=["GET", "POST"])
    @limiter.limit("1 per minute")
    def search() -> str:
        return "search"

    Preflight(app, origins=[SHOP, ADMIN], expose_headers=["Retry-After", "X-RateLimit-Limit"])
    return app


def test_preflights_do_not_count_and_the_429_is_readable() -> None:
    client = make_app().test_client()
    for path, method, allowed in (("/items", "PUT", 3), ("/search", "POST", 1)):
        for origin in (SHOP, ADMIN) * 5:
            preflight = send_preflight(client, path, origin, method, "content-type")
            assert preflight.status_code == 204, (path, origin)
        for _ in range(allowed):
            response = client.get(path, headers={"Origin": SHOP})
            assert response.status_code == 200, path
            assert response.headers["X-RateLimit-Limit"] == str(allowed)
        limited = client.get(path, headers={"Origin": ADMIN})
        assert limited.status_code == 429, path
        assert cors_headers(limited) == {
            "access-control-allow-origin": ADMIN,
            "access-control-expose-headers": "retry-after, x-ratelimit-limit",
        }
        assert "Retry-After" in limited.headers
        assert vary_fields(limited).count("origin") == 1
        # Preflights are still answered while the limit is exceeded.
        assert send_preflight(client, path, SHOP, method).status_code == 204
