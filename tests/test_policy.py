"""Policy declaration: validation of every field, all problems at once, and merging."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Blueprint, Flask

from flask_preflight import Preflight, PreflightConfigError, cors
from flask_preflight.policy import declare_policy, resolve


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        pytest.param(
            {"origins": "*", "credentials": True},
            "origins",
            "admits any origin",
            id="credentials-with-star",
        ),
        pytest.param(
            {"origins": re.compile(r"https://.*"), "credentials": True},
            "origins",
            "admits any origin",
            id="credentials-with-catch-all-regex",
        ),
        pytest.param(
            {"origins": "https://a.example.com/"}, "origins", "trailing slash", id="trailing-slash"
        ),
        pytest.param(
            {"origins": "https://a.example.com, https://b.example.com"},
            "origins",
            "pass a list",
            id="comma-joined-origins",
        ),
        pytest.param(
            {"origins": ["https://a.*.example.com"]},
            "origins",
            "'*' where none",
            id="star-in-the-middle",
        ),
        pytest.param({"origins": 42}, "origins", "must be a string", id="origins-type"),
        pytest.param(
            {"methods": ["GET", "PUT POST"]}, "methods", "not a valid method", id="method-token"
        ),
        pytest.param({"methods": "GET, POST"}, "methods", "pass a list", id="methods-comma"),
        pytest.param(
            {"methods": ["*", "GET"]},
            "methods",
            "'*' must be the whole value",
            id="methods-star-among-others",
        ),
        pytest.param(
            {"allow_headers": ["X Custom"]},
            "allow_headers",
            "not a valid header",
            id="header-token",
        ),
        pytest.param(
            {"allow_headers": ["Cookie"]},
            "allow_headers",
            "forbidden header",
            id="forbidden-header",
        ),
        pytest.param(
            {"expose_headers": ["Set-Cookie"]},
            "expose_headers",
            "never readable",
            id="expose-set-cookie",
        ),
        pytest.param(
            {"expose_headers": "*", "credentials": True, "origins": "https://a.b.c"},
            "expose_headers",
            "exposes nothing",
            id="expose-star-with-credentials",
        ),
        pytest.param({"max_age": -1}, "max_age", "must not be negative", id="negative-max-age"),
        pytest.param(
            {"max_age": timedelta(seconds=-5)},
            "max_age",
            "must not be negative",
            id="negative-timedelta",
        ),
        pytest.param({"max_age": "600"}, "max_age", "whole number", id="max-age-type"),
        pytest.param({"max_age": True}, "max_age", "whole number", id="max-age-bool"),
        pytest.param({"credentials": "yes"}, "credentials", "True or False", id="credentials-type"),
        pytest.param(
            {"credential": True}, "credential", "did you mean 'credentials'", id="typo-keyword"
        ),
        pytest.param(
            {"origin": "https://a.example.com"},
            "origin",
            "did you mean 'origins'",
            id="typo-origin",
        ),
    ],
)
def test_each_problem_names_field_and_value(
    fields: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(PreflightConfigError) as caught:
        declare_policy("test", fields)
    (problem,) = [p for p in caught.value.problems if p.field == field]
    assert message in problem.message
    assert problem.value == fields[field] or field == "origins"
    assert f"{field}=" in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(PreflightConfigError) as caught:
        cors(  # type: ignore[call-arg]
            origins=["https://a.example.com/", "ftp//x"],
            methods=["GE T"],
            max_age=-1,
            credential=True,
        )
    fields = sorted(problem.field for problem in caught.value.problems)
    assert fields == ["credential", "max_age", "methods", "origins", "origins"]
    assert "5 problems" in str(caught.value)


@pytest.mark.parametrize(
    "fields",
    [
        {"origins": "*"},
        {"origins": ["https://a.example.com", "http://localhost:*", "https://*.example.org"]},
        {"origins": [re.compile(r"https://[a-z]+\.example\.com")], "credentials": True},
        {"origins": lambda origin: True, "credentials": True},
        {"origins": "null"},
        {"origins": []},
        {"methods": "*"},
        {"methods": ["get", "PATCH"]},
        {"allow_headers": ["*"]},
        {"allow_headers": ["X-Token", "Authorization"]},
        {"expose_headers": "*"},
        {"max_age": timedelta(minutes=10)},
        {"max_age": None},
        {"max_age": 0},
        {"private_network": True},
    ],
)
def test_valid_forms_are_accepted(fields: dict[str, object]) -> None:
    declare_policy("test", fields)


def test_methods_are_uppercased_and_headers_lowercased() -> None:
    policy = declare_policy("test", {"methods": ["patch"], "allow_headers": ["X-Token"]})
    assert policy.methods == ("PATCH",)
    assert policy.allow_headers == ("x-token",)


def test_levels_override_field_by_field() -> None:
    app = declare_policy("app", {"origins": "https://a.example.com", "max_age": 60})
    blueprint = declare_policy("blueprint", {"credentials": True})
    view = declare_policy("view", {"max_age": 5})
    effective = resolve([app, blueprint, view])
    assert effective.origins == ("https://a.example.com",)
    assert effective.credentials is True
    assert effective.max_age == 5
    assert effective.allow_headers == "*"
    assert effective.sources == {
        "origins": "app",
        "methods": "default",
        "allow_headers": "default",
        "expose_headers": "default",
        "credentials": "blueprint",
        "max_age": "view",
        "private_network": "default",
        "dangerously_tolerate": "default",
    }


def test_conflict_across_levels_is_reported_at_init_app() -> None:
    app = Flask(__name__)

    @app.get("/public")
    @cors(origins="*")
    def public() -> str:
        return ""

    with pytest.raises(PreflightConfigError) as caught:
        Preflight(app, origins="https://a.example.com", credentials=True)
    (problem,) = caught.value.problems
    assert problem.where == "endpoint 'public'"
    assert "view 'public'" in problem.message
    assert "Preflight(...)" in problem.message


def test_conflict_with_a_view_registered_later_fails_the_first_request() -> None:
    app = Flask(__name__)
    Preflight(app, origins="https://a.example.com", credentials=True)
    blueprint = Blueprint("api", __name__)

    @blueprint.get("/public")
    @cors(origins="*")
    def public() -> str:
        return ""

    app.register_blueprint(blueprint)
    with pytest.raises(PreflightConfigError, match=re.escape("endpoint 'api.public'")):
        app.test_client().get("/public")


def test_config_keys_are_read_and_typos_rejected() -> None:
    app = Flask(__name__)
    app.config["PREFLIGHT_ORIGINS"] = ["https://a.example.com"]
    app.config["PREFLIGHT_CREDENTIAL"] = True
    with pytest.raises(PreflightConfigError) as caught:
        Preflight(app)
    (problem,) = caught.value.problems
    assert problem.field == "PREFLIGHT_CREDENTIAL"
    assert "did you mean 'PREFLIGHT_CREDENTIALS'" in problem.message


def test_config_key_misspelled_prefix_is_rejected() -> None:
    app = Flask(__name__)
    app.config["PREFLGHT_ORIGINS"] = "*"
    with pytest.raises(PreflightConfigError, match="did you mean 'PREFLIGHT_ORIGINS'"):
        Preflight(app)


def test_config_values_are_validated_like_keywords() -> None:
    app = Flask(__name__)
    app.config["PREFLIGHT_MAX_AGE"] = -3
    with pytest.raises(PreflightConfigError, match=r"app.config: PREFLIGHT_MAX_AGE=-3"):
        Preflight(app)


def test_constructor_rejects_typos_before_any_app() -> None:
    with pytest.raises(PreflightConfigError, match="did you mean 'max_age'"):
        Preflight(maxage=10)  # type: ignore[call-arg]


def test_decorator_rejects_being_applied_twice() -> None:
    with pytest.raises(TypeError, match="already has a cors"):

        @cors(origins="*")
        @cors(methods=["GET"])
        def view() -> str:
            return ""


def test_decorator_refuses_an_app() -> None:
    with pytest.raises(TypeError, match="Preflight"):
        cors(origins="*")(Flask(__name__))
