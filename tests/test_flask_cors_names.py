"""flask-cors option names point to the equivalent field, or to ``flask_preflight.compat``
where there is none (issue 12, point 4)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from flask_preflight import Preflight, PreflightConfigError, cors
from flask_preflight.policy import FIELD_NAMES

# flask-cors 6's options (``flask_cors.core.DEFAULT_OPTIONS``),
# with the Flask-Preflight field of the same meaning, or None.
FLASK_CORS_OPTIONS = {
    "origins": "origins",
    "methods": "methods",
    "allow_headers": "allow_headers",
    "expose_headers": "expose_headers",
    "supports_credentials": "credentials",
    "max_age": "max_age",
    "send_wildcard": None,
    "vary_header": None,
    "automatic_options": None,
    "resources": None,
    "intercept_exceptions": None,
    "always_send": None,
    "allow_private_network": "private_network",
}
RENAMED = {name: field for name, field in FLASK_CORS_OPTIONS.items() if field not in (name, None)}
MISSING = [name for name, field in FLASK_CORS_OPTIONS.items() if field is None]


def _problem(**keywords: Any) -> str:
    with pytest.raises(PreflightConfigError) as caught:
        cors(**keywords)
    (problem,) = caught.value.problems
    return problem.message


def test_same_names_are_fields() -> None:
    same = [name for name, field in FLASK_CORS_OPTIONS.items() if field == name]
    assert set(same) <= set(FIELD_NAMES)


@pytest.mark.parametrize(("name", "field"), sorted(RENAMED.items()))
def test_renamed_options_name_the_field(name: str, field: str) -> None:
    assert (
        _problem(**{name: True}) == f"unknown field; {name!r} is flask-cors's name: use {field!r}"
    )


@pytest.mark.parametrize("name", MISSING)
def test_options_without_equivalent_point_to_compat(name: str) -> None:
    message = _problem(**{name: True})
    assert message.startswith(f"unknown field; {name!r} is a flask-cors option with no equivalent")
    assert "flask_preflight.compat" in message


@pytest.mark.parametrize("name", sorted(FLASK_CORS_OPTIONS))
def test_config_key_names_as_keywords_point_to_the_field(name: str) -> None:
    key = f"CORS_{name.upper()}"
    message = _problem(**{key: True})
    field = FLASK_CORS_OPTIONS[name]
    expected = f"use {field!r}" if field is not None else "flask_preflight.compat"
    assert f"{key!r} is" in message and expected in message, message


@pytest.mark.parametrize("name", sorted(set(RENAMED) | set(MISSING)))
def test_flask_cors_names_as_preflight_config_keys(name: str) -> None:
    key = f"PREFLIGHT_{name.upper()}"
    field = FLASK_CORS_OPTIONS[name]
    app = Flask("config")
    app.config[key] = True
    with pytest.raises(PreflightConfigError) as caught:
        Preflight(app)
    (problem,) = caught.value.problems
    expected = f"use 'PREFLIGHT_{field.upper()}'" if field else "flask_preflight.compat"
    assert expected in problem.message, problem.message


def test_flask_cors_config_keys_are_left_to_compat() -> None:
    """``CORS_*`` keys are flask-cors's (and ``flask_preflight.compat`` reads them), so they
    are not an error for ``Preflight``."""
    app = Flask("both")
    app.config["CORS_SUPPORTS_CREDENTIALS"] = True
    Preflight(app)
    assert "preflight" in app.extensions


def test_a_typo_still_gets_the_close_match() -> None:
    assert _problem(credential=True) == "unknown field; did you mean 'credentials'?"
