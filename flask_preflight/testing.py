"""Test what a browser would do: ``browser_request`` sends the preflight a browser would send
(when one is needed), then the request, then applies the browser's CORS checks, and returns
a ``Verdict`` saying whether the page could read the response and, if not, which rule
refused it.

The browser side follows the Fetch Standard (https://fetch.spec.whatwg.org/), with one
choice where browsers differ: ``Authorization`` is never covered by an
``Access-Control-Allow-Headers: *`` (the standard, and Firefox; Chromium is laxer).

    from flask_preflight.testing import browser_request

    def test_admin_can_update_items(client):
        verdict = browser_request(
            client, "PUT", "/items/1", origin="https://admin.example.com",
            headers={"Content-Type": "application/json"}, credentials=True,
        )
        assert verdict.allowed, verdict.explain()

``run_view=False`` sends only the preflight (which never reaches a view) and answers the
actual request from the endpoint's policy, without running the view: what ``flask preflight
check`` does unless told otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from flask import Flask
from flask.testing import EnvironBuilder, FlaskClient
from werkzeug.datastructures import Headers
from werkzeug.test import TestResponse

from .decision import Refusal, plan_answer
from .extension import get_state
from .headers import is_forbidden_request_header, is_token
from .unregistered import is_registered
from .wsgi import EXPLAIN_ENVIRON_KEY, NOTED_REFUSALS

__all__ = ["Step", "Verdict", "browser_request", "needs_preflight", "policy_headers"]

# Fetch: methods browsers uppercase; safelisted methods; safelisted response headers.
_NORMALIZED_METHODS = frozenset({"DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"})
_SAFELISTED_METHODS = frozenset({"GET", "HEAD", "POST"})
_SAFELISTED_RESPONSE_HEADERS = frozenset(
    {
        "cache-control",
        "content-language",
        "content-length",
        "content-type",
        "expires",
        "last-modified",
        "pragma",
    }
)
_SIMPLE_CONTENT_TYPES = frozenset(
    {"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"}
)
_UNSAFE_BYTES = re.compile(r'[\x00-\x08\x0a-\x1f"():<>?@\[\\\]{}\x7f]')
_LANGUAGE = re.compile(r"[0-9A-Za-z *,\-.;=]*")
_RANGE = re.compile(r"bytes=[0-9]+-[0-9]*")


def normalize_method(method: str) -> str:
    """The method as ``fetch()`` sends it: the six standard names uppercased, the rest
    (``patch`` included) exactly as the page wrote them."""
    return method.upper() if method.upper() in _NORMALIZED_METHODS else method


def _is_simple_content_type(value: str) -> bool:
    essence = value.strip(" \t\r\n").split(";", 1)[0]
    kind, slash, subtype = essence.partition("/")
    subtype = subtype.rstrip(" \t\r\n")
    if not slash or not is_token(kind) or not is_token(subtype):
        return False
    return f"{kind}/{subtype}".lower() in _SIMPLE_CONTENT_TYPES


def _is_safelisted_header(name: str, value: str) -> bool:
    if len(value.encode()) > 128:
        return False
    if name == "accept":
        return _UNSAFE_BYTES.search(value) is None
    if name in ("accept-language", "content-language"):
        return _LANGUAGE.fullmatch(value) is not None
    if name == "content-type":
        return _UNSAFE_BYTES.search(value) is None and _is_simple_content_type(value)
    if name == "range":
        return _RANGE.fullmatch(value) is not None
    return False


def unsafe_header_names(headers: Mapping[str, str]) -> list[str]:
    """The names a browser lists in ``Access-Control-Request-Headers``: lowercase, sorted,
    without duplicates."""
    safe_total = 0
    safe: list[str] = []
    unsafe: set[str] = set()
    for name, value in headers.items():
        lowered = name.lower()
        if is_forbidden_request_header(lowered):
            raise ValueError(f"a page cannot set the header {name!r}: browsers forbid it")
        if _is_safelisted_header(lowered, value):
            safe.append(lowered)
            safe_total += len(value.encode())
        else:
            unsafe.add(lowered)
    if safe_total > 1024:
        unsafe.update(safe)
    return sorted(unsafe)


def needs_preflight(method: str, headers: Mapping[str, str] | None = None) -> bool:
    """Whether a cross-origin ``fetch()`` with this method and these headers is preflighted."""
    method = normalize_method(method)
    return method not in _SAFELISTED_METHODS or bool(unsafe_header_names(headers or {}))


@dataclass(frozen=True)
class Step:
    """One check the browser made: what was checked, whether it passed, and why; ``field``,
    for a failed check the response would pass with one policy field changed and no other
    (the ``credentials`` a credentialed request lacks), names that field."""

    check: str
    passed: bool
    detail: str
    field: str | None = None

    def __str__(self) -> str:
        return f"[{'ok' if self.passed else 'FAIL'}] {self.check}: {self.detail}"


@dataclass
class Verdict:
    """What the browser concluded. ``allowed``: the page can read ``response``.

    With ``run_view=False``, ``response`` is ``None`` and ``policy_headers`` holds the
    CORS headers the endpoint's policy gives the actual request's response. ``refusal``:
    why this app refused the preflight, when it did (its ``field`` is the policy field that
    would allow it, or ``None``)."""

    allowed: bool
    preflighted: bool
    steps: list[Step] = field(default_factory=list)
    preflight: TestResponse | None = None
    response: TestResponse | None = None
    readable_headers: dict[str, str] = field(default_factory=dict)
    policy_headers: Headers | None = None
    refusal: Refusal | None = None

    @property
    def failure(self) -> Step | None:
        """The check that refused the request, if any."""
        return next((step for step in self.steps if not step.passed), None)

    def explain(self) -> str:
        """Every step, one per line, and the verdict: for assertion messages."""
        lines = [str(step) for step in self.steps]
        lines.append("verdict: " + ("allowed" if self.allowed else "refused by the browser"))
        return "\n".join(lines)


def _list_values(headers: Headers, name: str) -> list[str] | None:
    """A ``#token`` list header's values; ``None`` when any element is not a token (the
    browser then fails the whole preflight)."""
    values: list[str] = []
    for line in headers.getlist(name):
        for element in line.split(","):
            element = element.strip(" \t")
            if not element:
                continue
            if not is_token(element):
                return None
            values.append(element)
    return values


def _cors_check(headers: Headers, origin: str, credentials: bool) -> Step:
    allow_origin = headers.getlist("Access-Control-Allow-Origin")
    if len(allow_origin) != 1:
        found = "no" if not allow_origin else "several"
        return Step("CORS check", False, f"{found} Access-Control-Allow-Origin header")
    value = allow_origin[0].strip(" \t")
    if value == "*" and credentials:
        return Step(
            "CORS check", False, "Access-Control-Allow-Origin is '*', not allowed with credentials"
        )
    if value not in ("*", origin):
        return Step(
            "CORS check", False, f"Access-Control-Allow-Origin is {value!r}, not {origin!r}"
        )
    if credentials and headers.get("Access-Control-Allow-Credentials") != "true":
        return Step(
            "CORS check",
            False,
            "credentials requested, but no Access-Control-Allow-Credentials: true",
            field="credentials",
        )
    return Step("CORS check", True, f"Access-Control-Allow-Origin is {value!r}")


def _preflight_checks(
    preflight: TestResponse, origin: str, method: str, names: list[str], credentials: bool
) -> list[Step]:
    steps: list[Step] = []
    if not 200 <= preflight.status_code < 300:
        reason = preflight.get_data(as_text=True).strip()[:500]
        detail = f"status {preflight.status_code}, not 2xx"
        steps.append(Step("preflight status", False, f"{detail}: {reason}" if reason else detail))
        return steps
    steps.append(Step("preflight status", True, str(preflight.status_code)))
    steps.append(_cors_check(preflight.headers, origin, credentials))
    if not steps[-1].passed:
        return steps
    methods = _list_values(preflight.headers, "Access-Control-Allow-Methods")
    if methods is None:
        steps.append(Step("method", False, "Access-Control-Allow-Methods is malformed"))
        return steps
    if method in methods or method in _SAFELISTED_METHODS or ("*" in methods and not credentials):
        steps.append(Step("method", True, f"{method!r} is allowed"))
    else:
        steps.append(
            Step("method", False, f"{method!r} is not in Access-Control-Allow-Methods {methods}")
        )
        return steps
    allowed = _list_values(preflight.headers, "Access-Control-Allow-Headers")
    if allowed is None:
        steps.append(Step("headers", False, "Access-Control-Allow-Headers is malformed"))
        return steps
    allowed_lower = {name.lower() for name in allowed}
    for name in names:
        star = "*" in allowed_lower and not credentials and name != "authorization"
        if name not in allowed_lower and not star:
            steps.append(Step("headers", False, f"{name!r} is not in Access-Control-Allow-Headers"))
            return steps
    if names:
        steps.append(Step("headers", True, f"{', '.join(names)} allowed"))
    return steps


def _readable_headers(headers: Headers, credentials: bool) -> dict[str, str]:
    exposed = {
        name.lower() for name in (_list_values(headers, "Access-Control-Expose-Headers") or [])
    }
    every = "*" in exposed and not credentials
    readable: dict[str, str] = {}
    for name, value in headers.items():
        lowered = name.lower()
        if lowered in ("set-cookie", "set-cookie2"):
            continue
        if lowered in _SAFELISTED_RESPONSE_HEADERS or lowered in exposed or every:
            readable[lowered] = value
    return readable


def browser_request(
    client: FlaskClient,
    method: str,
    url: str,
    *,
    origin: str,
    headers: Mapping[str, str] | None = None,
    credentials: bool = False,
    data: bytes | str | None = None,
    run_view: bool = True,
) -> Verdict:
    """Do what a browser does for ``fetch(url, {method, headers, credentials})`` from a page
    at ``origin``: preflight when required, then the request, then the CORS check.

    ``credentials=True`` is ``credentials: "include"``: the client's cookies go with the
    actual request (never with the preflight). ``run_view=False`` does not send the actual
    request: its CORS headers come from the endpoint's policy, and no view runs. Raises
    ``ValueError`` for a header a page cannot set.
    """
    headers = dict(headers or {})
    method = normalize_method(method)
    names = unsafe_header_names(headers)
    verdict = Verdict(allowed=False, preflighted=False)
    environ = {EXPLAIN_ENVIRON_KEY: True}
    if method not in _SAFELISTED_METHODS or names:
        verdict.preflighted = True
        preflight_headers = {"Origin": origin, "Access-Control-Request-Method": method}
        if names:
            preflight_headers["Access-Control-Request-Headers"] = ",".join(names)
        # A preflight never carries cookies: send it from a client without a cookie jar.
        cookieless = client.application.test_client(use_cookies=False)
        noted: list[Refusal] = []  # filled when this app refuses the preflight
        token = NOTED_REFUSALS.set(noted)
        try:
            verdict.preflight = cookieless.options(
                url, headers=preflight_headers, environ_overrides=environ
            )
        finally:
            NOTED_REFUSALS.reset(token)
        verdict.refusal = noted[-1] if noted else None
        verdict.steps.extend(
            _preflight_checks(verdict.preflight, origin, method, names, credentials)
        )
        if verdict.failure is not None:
            _note_missing_preflight(verdict, client.application)
            return verdict
    else:
        verdict.steps.append(Step("preflight", True, "not needed: a simple request"))
    if run_view:
        sender = client if credentials else client.application.test_client(use_cookies=False)
        verdict.response = sender.open(
            url,
            method=method,
            headers={**headers, "Origin": origin},
            data=data,
            environ_overrides={"REQUEST_METHOD": method},
        )
        received = verdict.response.headers
        verdict.steps.append(_cors_check(received, origin, credentials))
    else:
        received = verdict.policy_headers = policy_headers(client.application, method, url, origin)
        step = _cors_check(received, origin, credentials)
        verdict.steps.append(replace(step, detail=f"{step.detail} (from the policy; no view ran)"))
    verdict.allowed = verdict.failure is None
    if verdict.allowed:
        verdict.readable_headers = _readable_headers(received, credentials)
    else:
        _note_missing_preflight(verdict, client.application)
    return verdict


def _note_missing_preflight(verdict: Verdict, app: Flask) -> None:
    """A refusal by an app without ``Preflight`` says so: the usual cause."""
    failure = verdict.failure
    if failure is None or is_registered(app):
        return
    index = verdict.steps.index(failure)
    detail = f"{failure.detail} (this app has no Preflight(app): call Preflight(app))"
    verdict.steps[index] = replace(failure, detail=detail)


def policy_headers(app: Flask, method: str, url: str, origin: str) -> Headers:
    """The CORS headers Flask-Preflight adds to the response to ``method url`` from
    ``origin``, read from the policy of the endpoint Flask routes it to, without running
    the request (the view's own headers are not known). Empty when the app has no
    ``Preflight``."""
    headers = Headers()
    if not is_registered(app):
        return headers
    state = get_state(app)
    # As the first request would: read the blueprints' URL prefixes, which decide the policy
    # of a URL no rule matches.
    state.freeze()
    environ = EnvironBuilder(app, url, method=method, headers={"Origin": origin}).get_environ()
    plan = state.plan_for(state.routed_endpoint(environ), environ)
    if plan is not None:
        headers.extend(plan_answer(plan, environ))
    return headers
