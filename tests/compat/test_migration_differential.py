"""The migration suite (``tests/compat/migration/``) against flask-cors 6.0.5, judged as a browser.

Each app is built twice, with flask-cors and with ``flask_preflight.compat``, and the same
``fetch()`` calls (every route and unknown URLs, methods, origins, request headers, with and
without credentials) go through ``flask_preflight.testing.browser_request``: the preflight a
browser sends, then the request, then the Fetch CORS checks. Where the page's view differs
(readable or not; status and readable headers when readable), the difference must fall
under a class that ``docs/migrating.md`` lists by name (section "Differences you can
meet"), each with the test below that recognises it. Anything else fails the test.

flask-cors comes from the ``test`` extra (``flask-cors==6.0.5``, downloaded by pip when the
environment is built); in CI its absence fails, elsewhere the test skips.
"""

from __future__ import annotations

import importlib
import os
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from flask import Flask
from werkzeug.exceptions import MethodNotAllowed, NotFound

from flask_preflight import PreflightConfigError
from flask_preflight.extension import get_state
from flask_preflight.testing import Verdict, browser_request
from tests.compat.migration import APPS

if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
    import flask_cors  # in CI a missing flask-cors fails, never skips
else:
    flask_cors = pytest.importorskip("flask_cors")

MIGRATING = Path(__file__).resolve().parents[2] / "docs" / "migrating.md"
_CLASS = re.compile(r"^- \*\*`(?P<name>[a-z-]+)`\*\*", re.MULTILINE)

ORIGINS = (
    "https://app.example.com",
    "https://a.example.com",
    "https://app.example.com.evil.test",
    "https://evil.test",
    "null",
    "http://localhost:3000",
    "https://dash.example.com",
    "http://localhost:8088",
    "https://admin.example.com",
    "https://partner.example.org",
)
METHODS = ("GET", "POST", "PUT", "DELETE", "patch")
HEADERS: tuple[dict[str, str], ...] = (
    {},
    {"Content-Type": "application/json"},
    {"X-Token": "t"},
    {"Authorization": "Bearer t"},
)
SAFELISTED = frozenset({"accept", "accept-language", "content-language", "content-type", "range"})
_CONVERTER = re.compile(r"<(?:(?P<kind>\w+)(?:\([^)]*\))?:)?\w+>")
_SAMPLES = {"int": "1", "float": "1.5", "path": "a/b", "uuid": f"{0:08}-0000-0000-0000-{0:012}"}


def documented_classes() -> set[str]:
    """The difference classes docs/migrating.md names."""
    return set(_CLASS.findall(MIGRATING.read_text()))


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    origin: str
    headers: tuple[tuple[str, str], ...]
    credentials: bool


@dataclass
class Pair:
    """One app on both libraries."""

    theirs: Flask
    ours: Flask

    def route_status(self, path: str, method: str) -> int:
        """How the app's URL map answers ``method path``: 200 (routed), 404 or 405."""
        adapter = self.theirs.url_map.bind("localhost")
        try:
            adapter.match(path, method=method.upper())
        except NotFound:
            return 404
        except MethodNotAllowed:
            return 405
        except Exception:
            return 200  # a redirect: routed by Flask
        return 200

    def origin_regexes(self) -> list[re.Pattern[str]]:
        """Every origin regex compat declared for the app."""
        state = get_state(self.ours)
        levels = [rule.level for rule in state.paths.rules] if state.paths else []
        for endpoint in self.ours.view_functions:
            levels.extend(state.levels_for(endpoint))
            if state.paths is not None and state.paths.override is not None:
                level = state.paths.override(endpoint)
                if level is not None:
                    levels.append(level)
        return [
            origin
            for level in levels
            if isinstance(level.origins, tuple)
            for origin in level.origins
            if isinstance(origin, re.Pattern)
        ]


def outcome(verdict: Verdict) -> tuple[Any, ...]:
    """What the page sees: refused, or the status and the headers it can read."""
    if not verdict.allowed:
        return ("refused",)
    assert verdict.response is not None
    return ("read", verdict.response.status_code, sorted(verdict.readable_headers.items()))


# --- the documented classes, each recognised from the request and both verdicts --------------

Judge = Callable[[Case, Verdict, Verdict, Pair], bool]


def _failed(verdict: Verdict, check: str) -> bool:
    failure = verdict.failure
    return failure is not None and failure.check == check


def unknown_url(case: Case, theirs: Verdict, ours: Verdict, pair: Pair) -> bool:
    """A preflight to a URL no route matches: flask-cors answers 404, which fails it;
    compat grants it by the policy owning the URL, and the page reads the 404."""
    return (
        all(pair.route_status(case.path, m) == 404 for m in METHODS)
        and theirs.preflighted
        and _failed(theirs, "preflight status")
        and theirs.preflight is not None
        and theirs.preflight.status_code == 404
        and ours.allowed
        and ours.response is not None
        and ours.response.status_code == 404
    )


def unrouted_method(case: Case, theirs: Verdict, ours: Verdict, pair: Pair) -> bool:
    """A preflight for a method no route at the URL serves: compat refuses it (403);
    flask-cors grants it, and the request then gets a 405."""
    return (
        pair.route_status(case.path, case.method) == 405
        and ours.preflighted
        and _failed(ours, "preflight status")
        and ours.preflight is not None
        and ours.preflight.status_code == 403
        and (not theirs.allowed or outcome(theirs)[1] == 405)
    )


def error_headers(case: Case, theirs: Verdict, ours: Verdict, pair: Pair) -> bool:
    """An error response (404, 405...) flask-cors sends without CORS headers (no view of a
    CORS(blueprint) or @cross_origin ran) carries the owning policy's under compat."""
    return (
        ours.allowed
        and ours.response is not None
        and ours.response.status_code >= 400
        and theirs.response is not None
        and theirs.response.status_code == ours.response.status_code
        and _failed(theirs, "CORS check")
        and "Access-Control-Allow-Origin" not in theirs.response.headers
    )


def safelisted_headers(case: Case, theirs: Verdict, ours: Verdict, pair: Pair) -> bool:
    """A preflight asking for safelisted header names (Content-Type...) that an explicit
    allow_headers leaves out: flask-cors's answer omits them, compat always grants them."""
    if not (_failed(theirs, "headers") and ours.allowed):
        return False
    assert theirs.preflight is not None
    listed = theirs.preflight.headers.get("Access-Control-Allow-Headers", "")
    granted = {name.strip().lower() for name in listed.split(",")}
    asked = {name.lower() for name, _ in case.headers}
    return bool(asked - granted) and asked - granted <= SAFELISTED


def method_echo(case: Case, theirs: Verdict, ours: Verdict, pair: Pair) -> bool:
    """A method fetch() sends as written (``patch``): flask-cors lists ``PATCH``, which
    the browser compares case-sensitively and refuses; compat echoes the requested one."""
    return case.method != case.method.upper() and _failed(theirs, "method") and ours.allowed


def whole_match(case: Case, theirs: Verdict, ours: Verdict, pair: Pair) -> bool:
    """An origin a configured regex matches only as a prefix (flask-cors's re.match):
    compat matches the whole origin and refuses it."""
    return (
        theirs.allowed
        and not ours.allowed
        and any(
            regex.match(case.origin) and not regex.fullmatch(case.origin)
            for regex in pair.origin_regexes()
        )
    )


JUDGES: dict[str, Judge] = {
    "unknown-url": unknown_url,
    "unrouted-method": unrouted_method,
    "error-headers": error_headers,
    "safelisted-headers": safelisted_headers,
    "method-echo": method_echo,
    "whole-match": whole_match,
}


def test_every_judged_class_is_documented() -> None:
    assert set(JUDGES) <= documented_classes()


# --- the requests ---------------------------------------------------------------------------


def paths_of(app: Flask) -> list[str]:
    """A concrete path for each rule, and an unknown URL next to each."""
    paths: list[str] = ["/nothing"]
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        path = _CONVERTER.sub(lambda m: _SAMPLES.get(m["kind"] or "", "x"), rule.rule)
        paths.append(path)
        paths.append(path.rstrip("/").rpartition("/")[0] + "/nothing-here")
    return list(dict.fromkeys(paths))


def cases(app: Flask) -> list[Case]:
    return [
        Case(method, path, origin, tuple(headers.items()), credentials)
        for path in paths_of(app)
        for method in METHODS
        for origin in ORIGINS
        for headers in HEADERS
        for credentials in (False, True)
    ]


def build(module: ModuleType) -> Pair:
    return Pair(module.create_app(flask_cors), module.create_app())


def differences(pair: Pair) -> tuple[int, Counter[str], list[str]]:
    """(requests compared, documented differences by class, undocumented ones)."""
    theirs_client, ours_client = pair.theirs.test_client(), pair.ours.test_client()
    found: Counter[str] = Counter()
    unexplained: list[str] = []
    all_cases = cases(pair.theirs)
    for case in all_cases:
        kwargs: dict[str, Any] = {"origin": case.origin, "headers": dict(case.headers)}
        kwargs["credentials"] = case.credentials
        theirs = browser_request(theirs_client, case.method, case.path, **kwargs)
        ours = browser_request(ours_client, case.method, case.path, **kwargs)
        if outcome(theirs) == outcome(ours):
            continue
        names = [name for name, judge in JUDGES.items() if judge(case, theirs, ours, pair)]
        if names:
            found[names[0]] += 1
        else:
            unexplained.append(
                f"{case}\n  flask-cors: {outcome(theirs)}\n{theirs.explain()}"
                f"\n  compat: {outcome(ours)}\n{ours.explain()}"
            )
    return len(all_cases), found, unexplained


@pytest.mark.parametrize("name", [name for name in APPS if name != "prefix_origin"])
def test_app_differs_only_in_documented_ways(name: str) -> None:
    pair = build(importlib.import_module(f"tests.compat.migration.{name}"))
    total, _, unexplained = differences(pair)
    assert total > 500
    assert not unexplained, f"{len(unexplained)} undocumented differences:\n" + "\n".join(
        unexplained[:5]
    )


def test_prefix_origin_fails_at_start_up_and_its_fix_differs_only_in_documented_ways() -> None:
    """``origins=r'/*'``: flask-cors admitted every origin; compat refuses it at start-up
    and suggests ``origins='*'``, which then answers as flask-cors did."""
    module = importlib.import_module("tests.compat.migration.prefix_origin")
    with pytest.raises(PreflightConfigError) as error:
        module.create_app()
    assert f"CORS(..., origins={module.ORIGINS_FIX!r})" in str(error.value)
    pair = Pair(module.create_app(flask_cors), module.create_fixed_app())
    _, _, unexplained = differences(pair)
    assert not unexplained, "\n".join(unexplained[:5])
