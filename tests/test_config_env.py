"""PREFLIGHT_* config from the environment, and config errors in config terms (issue 20,
point 3): errors name the key the user wrote, and a string says what works in config."""

from __future__ import annotations

import pytest
from flask import Flask

from flask_preflight import Preflight, PreflightConfigError, cors

from .helpers import A, B


def _app_from_env(monkeypatch: pytest.MonkeyPatch, **variables: str) -> Flask:
    for name, value in variables.items():
        monkeypatch.setenv(f"FLASK_PREFLIGHT_{name}", value)
    app = Flask("env")
    app.config.from_prefixed_env()

    @app.route("/items", methods=["GET", "PUT", "DELETE"])
    def items() -> str:
        return "items"

    Preflight(app)
    return app


def _preflight(app: Flask, origin: str, method: str = "PUT", **headers: str) -> dict[str, str]:
    response = app.test_client().options(
        "/items",
        headers={"Origin": origin, "Access-Control-Request-Method": method, **headers},
    )
    return {name: value for name, value in response.headers.items()} | {
        "status": str(response.status_code)
    }


def test_lists_booleans_and_numbers_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    app = _app_from_env(
        monkeypatch,
        ORIGINS=f'["{A}", "{B}"]',
        METHODS='["GET", "PUT"]',
        ALLOW_HEADERS='["X-Token"]',
        EXPOSE_HEADERS='["X-Total", "X-Page"]',
        CREDENTIALS="true",
        MAX_AGE="120",
    )
    answer = _preflight(app, B, **{"Access-Control-Request-Headers": "x-token"})
    assert answer["status"] == "204"
    assert answer["Access-Control-Allow-Origin"] == B
    assert answer["Access-Control-Allow-Credentials"] == "true"
    assert answer["Access-Control-Max-Age"] == "120"
    assert answer["Access-Control-Allow-Headers"] == "x-token"
    assert _preflight(app, B, "DELETE")["status"] == "403"  # not in PREFLIGHT_METHODS
    assert _preflight(app, "https://c.example.com")["status"] == "403"
    actual = app.test_client().get("/items", headers={"Origin": A})
    assert actual.headers["Access-Control-Expose-Headers"] == "x-total, x-page"


def test_null_false_and_plain_strings_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = _app_from_env(monkeypatch, ORIGINS=A, MAX_AGE="null", CREDENTIALS="false", METHODS="PUT")
    answer = _preflight(app, A)
    assert answer["status"] == "204"
    assert "Access-Control-Max-Age" not in answer
    assert "Access-Control-Allow-Credentials" not in answer


def _error(**config: object) -> str:
    app = Flask("config")
    app.config.update(config)
    with pytest.raises(PreflightConfigError) as raised:
        Preflight(app)
    return str(raised.value)


def test_a_config_error_names_the_key_and_the_json_that_works() -> None:
    message = _error(PREFLIGHT_ORIGINS=f"{A} {B}")
    assert f"app.config: PREFLIGHT_ORIGINS='{A} {B}': " in message
    assert "origins=" not in message
    assert f"app.config['PREFLIGHT_ORIGINS'] = ['{A}', '{B}']" in message
    assert f"""FLASK_PREFLIGHT_ORIGINS='["{A}", "{B}"]'""" in message
    assert "app.config.from_prefixed_env()" in message


@pytest.mark.parametrize(
    ("key", "value", "hint"),
    [
        ("PREFLIGHT_METHODS", "GET, PUT", """FLASK_PREFLIGHT_METHODS='["GET", "PUT"]'"""),
        (
            "PREFLIGHT_ALLOW_HEADERS",
            "X-Token X-Page",
            """FLASK_PREFLIGHT_ALLOW_HEADERS='["X-Token", "X-Page"]'""",
        ),
        ("PREFLIGHT_CREDENTIALS", "true", "reads FLASK_PREFLIGHT_CREDENTIALS=true as True"),
        ("PREFLIGHT_PRIVATE_NETWORK", "1", "reads FLASK_PREFLIGHT_PRIVATE_NETWORK=true as True"),
        ("PREFLIGHT_MAX_AGE", "600", "reads FLASK_PREFLIGHT_MAX_AGE=600 as 600"),
    ],
)
def test_config_strings_say_what_works(key: str, value: str, hint: str) -> None:
    message = _error(**{key: value})
    assert f"app.config: {key}={value!r}: " in message
    assert hint in message


def test_config_conflicts_name_the_key() -> None:
    message = _error(PREFLIGHT_ORIGINS="*", PREFLIGHT_CREDENTIALS=True)
    assert "app.config: PREFLIGHT_ORIGINS='*': admits any origin" in message


def test_keywords_keep_naming_the_field() -> None:
    with pytest.raises(PreflightConfigError) as raised:
        cors(origins=f"{A} {B}")
    message = str(raised.value)
    assert f"@cors(...): origins='{A} {B}': " in message
    assert "from_prefixed_env" not in message and "PREFLIGHT_" not in message
