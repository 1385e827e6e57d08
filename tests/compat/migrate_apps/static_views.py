"""Views that cannot carry an attribute: a documentation blueprint's ``static`` endpoint
(``Blueprint.send_static_file``, a bound method, as flasgger registers), flask-restx's
``root`` and ``specs`` (bound methods of ``Api``), the app's own ``static``, and one view
function serving two endpoints."""

from pathlib import Path

from flask import Blueprint, Flask
from flask_restx import Api, Resource

from flask_preflight.compat import CORS

STATIC = str(Path(__file__).parent / "static")

app = Flask(__name__, static_folder=STATIC)
docs = Blueprint("flasgger", __name__, static_folder=STATIC, static_url_path="/docs_static")


@docs.get("/apidocs/")
def apidocs() -> str:
    return "docs"


api_bp = Blueprint("api", __name__, url_prefix="/api")
api = Api(api_bp, doc="/doc/")


@api.route("/things/<string:name>")
class Thing(Resource):
    def get(self, name: str) -> dict[str, str]:
        return {"name": name}

    def put(self, name: str) -> dict[str, str]:
        return {"name": name}


def shared() -> str:
    return "shared"


app.add_url_rule("/shared/one", "shared_one", shared)
app.add_url_rule("/shared/two", "shared_two", shared)

CORS(
    api_bp,
    resources={r"/*": {"origins": ["https://docs.example.com"], "expose_headers": "X-Total"}},
)
app.register_blueprint(docs)
app.register_blueprint(api_bp)
CORS(
    app,
    resources={
        r"/shared/one": {"origins": "https://one.example.com"},
        r"/shared/two": {"origins": "https://two.example.com", "supports_credentials": True},
        r"/docs_static/*": {"origins": "*"},
        r"/static/*": {"origins": "https://cdn.example.com"},
    },
)
