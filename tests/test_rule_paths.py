"""rule_paths.py: which path rules a URL rule's concrete paths fall under, proven on
automata, with witnesses that real routing confirms."""

from __future__ import annotations

import re
import sys

import pytest
from flask import Flask
from werkzeug.routing import BaseConverter

from flask_preflight.automaton import Unsupported as Unproven
from flask_preflight.automaton import exact_nfa as regex_automaton
from flask_preflight.compat.core import Source
from flask_preflight.compat.core import path_matcher as _path_matcher
from flask_preflight.paths import PathRule
from flask_preflight.policy import Policy
from flask_preflight.rule_paths import candidates, url_rule_automaton


class HexConverter(BaseConverter):
    regex = r"[0-9a-f]{2,4}"


def _app() -> Flask:
    app = Flask(__name__)
    app.url_map.converters["hex"] = HexConverter

    def view(**kwargs: object) -> str:
        return "ok"

    for template in [
        "/users/<int:uid>/profile",
        "/prices/<float:amount>",
        "/tags/<name>",
        "/files/<path:name>",
        "/orders/<uuid:oid>",
        "/pages/<any(about, help):page>",
        "/colors/<hex:code>",
        "/short/<string(length=2):code>",
        "/plain",
    ]:
        app.add_url_rule(template, template, view)
    return app


def _resource(pattern: str) -> PathRule:
    return PathRule(_path_matcher(pattern, Source("call", "test")), Policy(), source=pattern)


RESOURCES = [
    r"/users/[0-9]+/.*",
    r"/prices/\d+\.\d+",
    r"/tags/[a-z]+",
    r"/files/public/.*",
    r"/orders/[0-9a-f-]+",
    r"/pages/about",
    r"/colors/[0-9]+",
    r"/short/..",
    r"/plain",
    r"/.*",
]


def _rule_candidates(app: Flask, template: str, rules: list[PathRule]) -> list[tuple[str, str]]:
    (rule,) = app.url_map.iter_rules(template)
    language = url_rule_automaton(rule.rule, rule._converters)
    return [
        (c.rule.source if c.rule else "none", c.witness)
        for c in candidates(language, rules)
        if c.proven
    ]


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("/users/<int:uid>/profile", [r"/users/[0-9]+/.*", "/.*"]),  # \d: other digits too
        ("/prices/<float:amount>", [r"/prices/\d+\.\d+"]),
        ("/tags/<name>", [r"/tags/[a-z]+", "/.*"]),
        ("/files/<path:name>", [r"/files/public/.*", "/.*"]),
        ("/orders/<uuid:oid>", [r"/orders/[0-9a-f-]+", "/.*"]),  # uppercase hex
        ("/pages/<any(about, help):page>", [r"/pages/about", "/.*"]),
        ("/colors/<hex:code>", [r"/colors/[0-9]+", "/.*"]),
        ("/short/<string(length=2):code>", [r"/short/..", "/.*"]),  # "." takes no newline
        ("/plain", [r"/plain"]),
    ],
)
def test_candidates_and_witnesses_are_real(template: str, expected: list[str]) -> None:
    """Each candidate's witness is a path Flask routes to the rule's view, and the first
    resource matching it is the candidate (as compat chooses)."""
    app = _app()
    rules = [_resource(p) for p in RESOURCES]
    found = _rule_candidates(app, template, rules)
    assert [source for source, _ in found] == expected
    adapter = app.url_map.bind("localhost")
    for source, witness in found:
        assert adapter.match(witness)[0] == template, witness
        first = next(rule for rule in rules if rule.matches(witness))
        assert first.source == source, witness


def test_without_a_catch_all_no_rule_is_a_candidate() -> None:
    app = _app()
    rules = [_resource(r"/users/[0-9]+/.*")]
    assert _rule_candidates(app, "/users/<int:uid>/profile", rules) == [
        (r"/users/[0-9]+/.*", "/users/0/profile"),
        ("none", "/users/\u0660/profile"),
    ]


@pytest.mark.parametrize(
    "pattern",
    [
        re.compile(r"/users/(?=\d).*"),  # lookahead
        re.compile(r"/users/(a)\1"),  # backreference
        re.compile(r"/USERS/.*", re.IGNORECASE),
        re.compile(r"/users/.*$"),  # an anchor that is not leading
        *(  # an atomic group: Python 3.11 and later
            [re.compile(r"/users/(?>\d+)/.*")] if sys.version_info >= (3, 11) else []
        ),
        re.compile(r"/users/\d{1,100}/.*"),  # too large to unroll
    ],
)
def test_what_cannot_be_translated_may_match_anywhere(pattern: re.Pattern[str]) -> None:
    """Not guessed: an untranslatable matcher, and every rule after it, are possible."""
    with pytest.raises(Unproven):
        regex_automaton(pattern)
    app = _app()
    rules = [
        PathRule(pattern, Policy(), source="odd"),
        _resource("/plain"),
        _resource("/.*"),
    ]
    (rule,) = app.url_map.iter_rules("/plain")
    listed = candidates(url_rule_automaton(rule.rule, rule._converters), rules)
    assert [(c.rule.source if c.rule else None, c.proven) for c in listed] == [
        ("odd", False),
        ("/plain", False),
    ]


def test_a_predicate_matcher_may_match_anywhere() -> None:
    app = _app()
    rules = [PathRule(lambda path: path.startswith("/u"), Policy(), source="predicate")]
    (rule,) = app.url_map.iter_rules("/plain")
    listed = candidates(url_rule_automaton(rule.rule, rule._converters), rules)
    assert [(c.rule.source if c.rule else None, c.proven) for c in listed] == [
        ("predicate", False),
        (None, False),
    ]


def test_a_leading_anchor_and_dotall_are_understood() -> None:
    for pattern in [re.compile(r"^/a.*"), re.compile(r"/a(?s:.)*"), re.compile(r"\A/a.*")]:
        automaton = regex_automaton(pattern)
        assert automaton.accept is not None


def test_a_rule_without_strict_slashes_also_serves_the_trailing_slash() -> None:
    app = Flask(__name__)
    app.add_url_rule("/items", "items", lambda: "ok", strict_slashes=False)
    assert app.test_client().get("/items/").status_code == 200  # served, not redirected
    (rule,) = app.url_map.iter_rules("items")
    language = url_rule_automaton(rule.rule, rule._converters, strict_slashes=False)
    rules = [_resource("/items"), _resource("/.*")]
    assert [
        (c.rule.source if c.rule else None, c.witness) for c in candidates(language, rules)
    ] == [
        ("/items", "/items"),
        ("/.*", "/items/"),
    ]


def test_an_inline_ascii_flag_is_not_widened() -> None:
    """A matcher's automaton must be exact: (?a:\\d) is not Unicode's \\d."""
    with pytest.raises(Unproven):
        regex_automaton(re.compile(r"/u/(?a:\d)+"))


def test_the_narrowest_policy_grants_what_every_one_grants() -> None:
    from flask_preflight.policy import declare_policy, narrowest, resolve

    admin = resolve([declare_policy("a", {"origins": ["https://a.example"], "credentials": True})])
    anyone = resolve(
        [declare_policy("b", {"origins": "*", "methods": ["GET"], "allow_headers": ["X-A"]})]
    )
    met = narrowest([admin, anyone], "both")
    assert met.origins == ("https://a.example",)
    assert met.credentials is False  # only where every one allows them
    assert met.methods == ("GET",)
    assert met.allow_headers == ("x-a",)
    other = resolve([declare_policy("c", {"origins": ["https://c.example"], "max_age": 5})])
    nothing = narrowest([admin, other], "both")
    assert nothing.origins == ()
    assert nothing.max_age == admin.max_age  # nothing admitted: the first's other fields
