"""Resources matched against concrete paths of rules with converters: ``int``, ``float``,
``string``, ``path``, ``uuid``, ``any`` and a custom one. ``[0-9]`` is narrower than the
``int`` converter's ``\\d`` (which also takes non-ASCII digits), so ``/users/<int:uid>``
serves paths under both resources."""

from flask import Flask
from werkzeug.routing import BaseConverter

from flask_preflight.compat import CORS

ADMIN = "https://admin.example.com"
SHOP = "https://shop.example.com"


class SlugConverter(BaseConverter):
    regex = r"[a-z]+(?:-[a-z]+)*"


app = Flask(__name__)
app.url_map.converters["slug"] = SlugConverter


@app.get("/users/<int:uid>/profile")
def profile(uid: int) -> str:
    return "profile"


@app.get("/orders/<uuid:oid>")
def order(oid: object) -> str:
    return "order"


@app.route("/prices/<float:amount>", methods=["GET", "PUT"])
def price(amount: float) -> str:
    return "price"


@app.get("/files/<path:name>")
def files(name: str) -> str:
    return "file"


@app.get("/pages/<any(about, help):page>")
def page(page: str) -> str:
    return "page"


@app.get("/posts/<slug:slug>")
def post(slug: str) -> str:
    return "post"


@app.get("/tags/<name>")
def tag(name: str) -> str:
    return "tag"


CORS(
    app,
    resources={
        r"/users/[0-9]+/.*": {"origins": [ADMIN], "supports_credentials": True},
        r"/orders/[0-9a-f-]+": {"origins": [SHOP], "supports_credentials": True},
        r"/prices/\d+\.\d+": {"origins": [SHOP], "methods": ["GET"]},
        r"/files/public/.*": {"origins": "*"},
        r"/files/.*": {"origins": [ADMIN]},
        r"/pages/(about|help)": {"origins": [SHOP, ADMIN]},
        r"/posts/[a-z-]+": {"origins": [SHOP]},
        r"/.*": {"origins": "*"},
    },
)
