"""Actual (non-preflight) requests through real Flask apps: which responses carry CORS
headers, and which do not."""

from __future__ import annotations

import pytest
from flask import Flask

from flask_preflight import Preflight, cors

from .helpers import ADMIN, EVIL, SHOP, cors_headers, make_app, send_preflight


@pytest.mark.parametrize(
    ("path", "status"),
    [
        pytest.param("/items/1", 200, id="view"),
        pytest.param("/forbidden", 403, id="abort"),
        pytest.param("/teapot", 418, id="error-handler"),
        pytest.param("/crash", 500, id="unhandled-exception"),
    ],
)
def test_actual_responses_from_an_allowed_origin_carry_cors_headers(path: str, status: int) -> None:
    client = make_app().test_client()
    response = client.get(path, headers={"Origin": SHOP})
    assert response.status_code == status
    assert response.headers["Access-Control-Allow-Origin"] == SHOP
    assert response.headers["Vary"] == "Origin"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/nowhere", 404), ("POST", "/plain", 405)],
)
def test_unrouted_responses_use_the_app_policy(method: str, path: str, status: int) -> None:
    client = make_app(origins=[SHOP]).test_client()
    response = client.open(path, method=method, headers={"Origin": SHOP})
    assert response.status_code == status
    assert response.headers["Access-Control-Allow-Origin"] == SHOP
    assert response.headers["Vary"] == "Origin"


def test_exposed_headers_and_credentials_on_actual_responses() -> None:
    client = make_app().test_client()
    read = client.get("/items/1", headers={"Origin": ADMIN})
    assert cors_headers(read) == {
        "access-control-allow-origin": ADMIN,
        "access-control-expose-headers": "x-total",
    }
    write = client.put("/items/1", headers={"Origin": ADMIN})
    assert cors_headers(write) == {
        "access-control-allow-origin": ADMIN,
        "access-control-allow-credentials": "true",
    }


def test_disallowed_origin_gets_no_cors_headers_but_the_view_runs() -> None:
    client = make_app().test_client()
    response = client.get("/items/7", headers={"Origin": EVIL})
    assert response.get_data(as_text=True) == "item 7"
    assert cors_headers(response) == {}
    assert response.headers["Vary"] == "Origin"


def test_vary_is_merged_and_sent_without_origin() -> None:
    client = make_app().test_client()
    with_origin = client.get("/vary", headers={"Origin": SHOP})
    assert with_origin.headers.getlist("Vary") == ["Accept-Encoding, Origin"]
    without_origin = client.get("/vary")
    assert without_origin.headers.getlist("Vary") == ["Accept-Encoding, Origin"]
    assert cors_headers(without_origin) == {}


def test_star_policy_sends_star_everywhere_and_no_vary() -> None:
    client = make_app(origins="*").test_client()
    for headers in ({}, {"Origin": EVIL}, {"Origin": "null"}):
        response = client.get("/plain", headers=headers)
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "Vary" not in response.headers


def test_view_without_cors_under_no_app_policy_is_untouched() -> None:
    client = make_app().test_client()
    response = client.get("/plain", headers={"Origin": SHOP})
    assert cors_headers(response) == {}
    assert "Vary" not in response.headers


def test_empty_origins_shuts_cors_off_for_one_view() -> None:
    app = Flask(__name__)

    @app.get("/open")
    def open_view() -> str:
        return ""

    @app.get("/closed")
    @cors(origins=[])
    def closed() -> str:
        return ""

    Preflight(app, origins=[SHOP])
    client = app.test_client()
    assert client.get("/open", headers={"Origin": SHOP}).headers["Access-Control-Allow-Origin"]
    closed_response = client.get("/closed", headers={"Origin": SHOP})
    assert cors_headers(closed_response) == {}
    assert send_preflight(client, "/closed", SHOP, "GET", "x-a").status_code == 403


def test_configured_origins_are_normalized_and_requests_compared_exactly() -> None:
    client = make_app(origins=["HTTPS://Shop.Example.com:443"]).test_client()
    assert (
        client.get("/plain", headers={"Origin": SHOP}).headers.get("Access-Control-Allow-Origin")
        == SHOP
    )
    for variant in ("HTTPS://SHOP.EXAMPLE.COM", SHOP + ":443", SHOP + "/", SHOP + "."):
        assert cors_headers(client.get("/plain", headers={"Origin": variant})) == {}
