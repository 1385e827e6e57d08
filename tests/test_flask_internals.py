"""The Flask internals ``flask_preflight/_flask.py`` reaches exist and behave as it uses
them: a Flask release that changes one fails here, by name."""

from __future__ import annotations

import pytest
from flask import Blueprint, Flask

from flask_preflight._flask import blueprint_registered, current_request_context, end_setup


def test_the_request_context_variable() -> None:
    app = Flask(__name__)
    assert current_request_context(None) is None
    with app.test_request_context("/x?y=1"):
        ctx = current_request_context(None)
        assert ctx is not None
        assert ctx.app is app
        assert ctx.request.path == "/x"
        assert ctx.url_adapter is not None
    assert current_request_context(None) is None


def test_end_setup() -> None:
    app = Flask(__name__)
    app.add_url_rule("/early", "early", lambda: "")
    end_setup(app)
    with pytest.raises(AssertionError, match="first request"):
        app.add_url_rule("/late", "late", lambda: "")


def test_blueprint_registered() -> None:
    blueprint = Blueprint("bp", __name__)
    assert blueprint_registered(blueprint) is False
    Flask(__name__).register_blueprint(blueprint)
    assert blueprint_registered(blueprint) is True
