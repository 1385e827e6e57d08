"""compat against flask-cors itself: the same configurations, the same requests, the same
answers, except where docs/migrating.md says compat differs.

flask-cors is in the ``bench`` extra, which ``make test`` installs; in CI its absence fails.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from flask_preflight import compat

from ..helpers import BAR, FOO

if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
    import flask_cors  # in CI a missing flask-cors fails, never skips
else:
    flask_cors = pytest.importorskip("flask_cors")

SUB = "https://a.foo.com"
ROUTES = {"/api/x": {"GET", "POST", "PUT"}, "/other": {"GET"}}

# (CORS(...) options, CORS_* config, cross_origin options or None for the extension)
CONFIGS: list[tuple[dict[str, Any], dict[str, Any], dict[str, Any] | None]] = [
    ({}, {}, None),
    ({"origins": [FOO, BAR]}, {}, None),
    ({"origins": FOO, "expose_headers": ["X-B", "X-A"]}, {}, None),
    ({"resources": {r"/api/*": {"origins": [FOO]}}}, {}, None),
    ({"resources": [r"/api/.*"], "origins": [BAR]}, {}, None),
    ({}, {"CORS_ORIGINS": [FOO], "CORS_EXPOSE_HEADERS": "X-Total"}, None),
    ({"always_send": False, "origins": [FOO]}, {}, None),
    ({"supports_credentials": True, "origins": [FOO, BAR]}, {}, None),
    ({"methods": ["POST"], "origins": [FOO]}, {}, None),
    ({"allow_headers": ["X-Token", r"X-A.*"], "origins": [FOO], "max_age": 30}, {}, None),
    ({"origins": [r"http://.*\.foo\.com"]}, {}, None),
    ({"allow_headers": [r"X-A[0-9]"], "max_age": "45"}, {}, None),
    ({}, {}, {}),
    ({}, {}, {"origins": [FOO], "max_age": 10}),
    ({}, {"CORS_ORIGINS": [BAR]}, {"expose_headers": "X-One"}),
    ({}, {}, {"origins": [r"http://.*\.foo\.com"], "always_send": True}),
    ({}, {}, {"allow_private_network": True, "origins": [FOO]}),
    ({}, {}, {"always_send": False}),
]


def build(module: Any, options: dict[str, Any], config: dict[str, Any], view: Any) -> Flask:
    app = Flask(__name__)
    app.config.update(config)

    def x() -> str:
        return "x"

    def other() -> str:
        return "other"

    if view is not None:
        x = module.cross_origin(**view)(x)
    app.add_url_rule("/api/x", "x", x, methods=sorted(ROUTES["/api/x"]))
    app.add_url_rule("/other", "other", other)
    if view is None:
        module.CORS(app, **options)
    return app


def cors_of(response: TestResponse) -> dict[str, str]:
    return {
        name.lower(): value
        for name, value in response.headers.items()
        if name.lower().startswith("access-control-")
    }


def pairs(config: tuple[Any, ...]) -> tuple[Flask, Flask]:
    return build(flask_cors, *config), build(compat, *config)


@pytest.mark.parametrize("config", CONFIGS, ids=range(len(CONFIGS)))
def test_actual_requests_get_flask_cors_answers(config: tuple[Any, ...]) -> None:
    theirs, ours = pairs(config)
    for path in ("/api/x", "/other", "/api/missing", "/nope"):
        for method in ("GET", "POST", "HEAD", "OPTIONS"):
            for origin in (None, FOO, BAR, SUB):
                headers = {"Access-Control-Request-Private-Network": "true"}
                if origin:
                    headers["Origin"] = origin
                a = theirs.test_client().open(path, method=method, headers=headers)
                b = ours.test_client().open(path, method=method, headers=headers)
                expected, got = cors_of(a), cors_of(b)
                echoed = origin and expected.get("access-control-allow-origin") == origin
                if echoed and got.get("access-control-allow-origin") == "*":
                    continue  # a "*" policy answers "*" (docs/migrating.md)
                case = (path, method, origin)
                assert (a.status_code, expected) == (b.status_code, got), case


@pytest.mark.parametrize("config", CONFIGS, ids=range(len(CONFIGS)))
def test_preflights_grant_what_flask_cors_grants(config: tuple[Any, ...]) -> None:
    """Granted or not, and with which headers, credentials and max-age; where the route
    serves the requested method (compat refuses the others: docs/migrating.md)."""
    theirs, ours = pairs(config)
    for path, served in ROUTES.items():
        for method in ("GET", "PUT", "DELETE"):
            if method not in served:
                continue
            for origin in (FOO, BAR, SUB):
                for requested in (None, "X-Token", "x-a, X-B", "X-A1b"):
                    headers = {"Origin": origin, "Access-Control-Request-Method": method}
                    if requested:
                        headers["Access-Control-Request-Headers"] = requested
                    a = theirs.test_client().options(path, headers=headers)
                    b = ours.test_client().options(path, headers=headers)
                    expected, got = cors_of(a), cors_of(b)
                    # flask-cors grants a subset of the headers; the browser then fails
                    # the preflight, and compat refuses it whole (docs/migrating.md).
                    listed = expected.get("access-control-allow-headers", "").lower()
                    names = {n.strip().lower() for n in (requested or "").split(",") if n}
                    granted = "access-control-allow-methods" in expected and names <= {
                        n.strip() for n in listed.split(",")
                    }
                    case = (path, method, origin, requested)
                    if not granted:
                        assert b.status_code == 403, case
                        continue
                    assert b.status_code == 204, (case, expected, got)
                    for name in (
                        "access-control-allow-headers",
                        "access-control-max-age",
                        "access-control-allow-credentials",
                    ):
                        assert expected.get(name) == got.get(name), (case, name)
