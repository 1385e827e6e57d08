"""Differential over generated resource maps (issue 16.4): for generated apps and compat
resource maps, ``migrate``'s output applied to the app with compat removed never grants,
on concrete paths of every rule, what compat refuses (origin, credentials, method, headers,
exposed headers), and shows the same ``routes --json``.

``MIGRATE_EXAMPLES`` sets how many generated maps are tried (default 30)."""

from __future__ import annotations

import os
import re
from typing import Any

from flask import Blueprint, Flask
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from werkzeug.routing import BaseConverter

from flask_preflight import PreflightConfigError
from flask_preflight.compat import CORS

from .migration_check import assert_migration_equivalent

ADMIN = "https://admin.example.com"
SHOP = "https://shop.example.com"


class SlugConverter(BaseConverter):
    regex = r"[a-z]+(?:-[a-z]+)*"


def _app(blueprint_resources: dict[Any, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.url_map.converters["slug"] = SlugConverter

    def view(**kwargs: object) -> str:
        return "ok"

    for template, methods in [
        ("/users/<int:uid>/profile", ["GET", "PUT"]),
        ("/files/<path:name>", ["GET"]),
        ("/orders/<uuid:oid>", ["GET", "DELETE"]),
        ("/tags/<name>", ["POST"]),
        ("/prices/<float:amount>", ["GET"]),
        ("/pages/<any(about, help):page>", ["GET"]),
        ("/posts/<slug:slug>", ["GET"]),
        ("/health", ["GET"]),
    ]:
        app.add_url_rule(template, template.split("/")[1], view, methods=methods)
    api = Blueprint("api", __name__, url_prefix="/api")
    api.add_url_rule("/v1/items/<int:n>", "items", view, methods=["GET", "PATCH"])
    api.add_url_rule("/v1/search", "search", view, methods=["GET"])
    if blueprint_resources is not None:
        CORS(api, resources=blueprint_resources)  # scoped to the blueprint's endpoints
    app.register_blueprint(api)
    return app


PREFIXES = [
    "/users/",
    "/files/",
    "/orders/",
    "/api/",
    "/api/v1/",
    "/tags/",
    "/pages/",
    "/posts/",
    "/",
]
MIDDLES = ["[0-9]+", r"\d+", "[^/]+", ".*", "[a-z]+", "(about|help)", "[0-9a-f-]+", "public/", ""]
SUFFIXES = ["", "/.*", "/profile", "*", ".*", "$"]

resource_keys = st.one_of(
    st.builds(
        lambda p, m, s: p + m + s,
        st.sampled_from(PREFIXES),
        st.sampled_from(MIDDLES),
        st.sampled_from(SUFFIXES),
    ),
    st.sampled_from(["/health", "/pages/about", "*"]),  # exact paths, and flask-cors's '*'
    st.builds(lambda p, m: re.compile(p + m), st.sampled_from(PREFIXES), st.sampled_from(MIDDLES)),
)


@st.composite
def resource_options(draw: st.DrawFn) -> dict[str, Any]:
    origins = draw(st.sampled_from(["*", [ADMIN], [SHOP], [ADMIN, SHOP], []]))
    options: dict[str, Any] = {"origins": origins}
    if origins != "*" and draw(st.booleans()):
        options["supports_credentials"] = True
    if draw(st.booleans()):
        options["methods"] = draw(
            st.sampled_from([["GET"], ["GET", "PUT"], ["POST", "DELETE"], ["PATCH"]])
        )
    if draw(st.booleans()):
        options["allow_headers"] = draw(st.sampled_from([["X-Custom"], ["Content-Type"], "*"]))
    if draw(st.booleans()):
        options["expose_headers"] = ["X-Total"]
    return options


resource_maps = st.dictionaries(resource_keys, resource_options(), min_size=1, max_size=5)


@settings(
    max_examples=int(os.environ.get("MIGRATE_EXAMPLES", "30")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(resources=resource_maps, blueprint_resources=st.none() | resource_maps)
def test_migrated_app_never_grants_what_compat_refuses(
    resources: dict[Any, Any], blueprint_resources: dict[Any, Any] | None
) -> None:
    def build(compat: bool) -> Flask:
        app = _app(blueprint_resources if compat else None)
        if compat:
            CORS(app, resources=resources)
        return app

    try:
        build(True).test_client().get("/health")  # a map compat refuses is not migrated
    except PreflightConfigError:
        reject()
    assert_migration_equivalent(build, paths_per_rule=4)
