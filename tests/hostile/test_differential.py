"""Differential property test: the browser's verdict equals the policy's intent, always.

For each generated policy, one Flask app is built (the policy applied app-wide, through config
keys, to a blueprint, or to views), and a batch of generated pages calls it through the browser
model. Every exchange is also checked against the wire contract of issue 2 (status codes, the
exact grant headers, ``Vary``), so a server answer that a browser happens to accept for the
wrong reason still fails.

``HOSTILE_EXAMPLES`` (environment) scales the number of policies; the default keeps this file
at a few seconds while exercising thousands of page requests per run.
"""

from __future__ import annotations

import os

from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .harness import LEVELS, Endpoint, build_app, call, sender
from .model import (
    PageFetch,
    PolicyModel,
    Verdict,
    WireResponse,
    browser_fetch,
    extract_list,
    intended,
    vary_tokens,
)
from .strategies import pages, policies

EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "400"))
PAGES_PER_POLICY = (10, 30)


def _names(response: WireResponse, header: str) -> set[str]:
    parsed = extract_list(response.get_all(header))
    assert isinstance(parsed, list), f"{header}: {response.get_all(header)!r}"
    return {n.lower() for n in parsed}


def check_vary(endpoint: Endpoint, method: str, response: WireResponse) -> None:
    """Issue 2's Vary rule for responses to non-preflight requests."""
    policy = endpoint.policy
    if not endpoint.vary_rule or policy is None or not policy.origins:
        return  # no CORS here, or `origins=[]`: the answer never depends on Origin
    if not policy.method_allowed(method, endpoint.route_methods):
        return  # this method is not CORS-enabled here
    lines = response.get_all("Vary")
    tokens = vary_tokens(lines)
    if policy.is_wildcard:
        assert response.get("Access-Control-Allow-Origin") == "*", response
        assert "origin" not in tokens, f"a '*' policy needs no Vary: Origin: {lines}"
        return
    assert "origin" in tokens, f"Vary must name Origin: {response}"
    assert len(lines) == 1, f"one Vary header, merged: {lines}"
    assert len(tokens) == len(set(tokens)), f"no duplicates in Vary: {lines}"
    if endpoint.path.startswith("/items/"):
        assert "accept-encoding" in tokens, f"the view's own Vary is kept: {lines}"


def check_preflight(
    endpoint: Endpoint, page: PageFetch, response: WireResponse, should_grant: bool
) -> None:
    """The wire contract for a preflight answer."""
    policy = endpoint.policy
    if not should_grant:
        assert response.status == 403, response
        assert not any(k.lower().startswith("access-control-allow-") for k, _ in response.headers)
        assert (response.get("Content-Type") or "").startswith("text/plain"), response
        assert response.body.count(b"\n") <= 1, response.body
        return
    assert policy is not None
    assert response.status == 204 and response.body == b"", response
    expected_origin = "*" if policy.is_wildcard else page.origin
    assert response.get_all("Access-Control-Allow-Origin") == [expected_origin], response
    assert response.get_all("Access-Control-Allow-Methods") == [page.wire_method], response
    if page.unsafe_names:
        assert _names(response, "Access-Control-Allow-Headers") == set(page.unsafe_names)
    else:
        assert response.get("Access-Control-Allow-Headers") is None, response
    acac = ["true"] if policy.with_credentials else []
    assert response.get_all("Access-Control-Allow-Credentials") == acac, response
    max_age = policy.max_age_header
    assert response.get_all("Access-Control-Max-Age") == ([max_age] if max_age else []), response
    assert response.get("Access-Control-Allow-Private-Network") is None, response
    if not policy.is_wildcard:
        tokens = vary_tokens(response.get_all("Vary"))
        for name in ("origin", "access-control-request-method", "access-control-request-headers"):
            assert name in tokens, response


def check_actual(endpoint: Endpoint, page: PageFetch, response: WireResponse, grant: bool) -> None:
    """The wire contract for an actual (non-preflight) response."""
    assert response.status < 500, response
    policy = endpoint.policy
    if policy is None or not grant:
        assert response.access_control_names() == [], response
        return
    expected_origin = "*" if policy.is_wildcard else page.origin
    assert response.get_all("Access-Control-Allow-Origin") == [expected_origin], response
    acac = ["true"] if policy.with_credentials else []
    assert response.get_all("Access-Control-Allow-Credentials") == acac, response
    if policy.exposed:
        assert _names(response, "Access-Control-Expose-Headers") == policy.exposed, response
    else:
        assert response.get("Access-Control-Expose-Headers") is None, response


def describe(policy: PolicyModel, level: str, page: PageFetch, verdict: Verdict) -> str:
    return (
        f"\npolicy={policy.kwargs()!r} level={level}\npage={page!r}\n"
        f"verdict={verdict.allowed} ({verdict.reason})\n"
        f"preflight={verdict.preflight!r}\nactual={verdict.actual!r}"
    )


def run_policy(
    app: Flask, endpoints: list[Endpoint], policy: PolicyModel, level: str, batch: list[PageFetch]
) -> None:
    by_path = {e.path: e for e in endpoints}
    send = sender(app)
    for endpoint in endpoints:  # requests without Origin still follow the Vary rule
        response = call(app, "GET", endpoint.path)
        assert response.status < 500, response
        if endpoint.policy is not None and not endpoint.policy.is_wildcard:
            assert response.get("Access-Control-Allow-Origin") is None, response
        check_vary(endpoint, "GET", response)
    for page in batch:
        endpoint = by_path[page.path]
        verdict = browser_fetch(page, send)
        want = intended(endpoint.policy, endpoint.route_methods, page)
        if want is not None:
            assert verdict.allowed is want, describe(policy, level, page, verdict)
        policy_here = endpoint.policy
        origin_ok = policy_here is not None and policy_here.origin_allowed(page.origin)
        method_ok = policy_here is not None and policy_here.method_allowed(
            page.wire_method, endpoint.route_methods
        )
        if verdict.preflight is not None:
            should_grant = (
                policy_here is not None
                and origin_ok
                and method_ok
                and policy_here.headers_allowed(page.unsafe_names)
            )
            check_preflight(endpoint, page, verdict.preflight[1], should_grant)
            if should_grant:
                check_private_network(app, endpoint, verdict.preflight[0].headers)
        if verdict.actual is not None and want is not None:
            check_actual(endpoint, page, verdict.actual[1], origin_ok and method_ok)
            check_vary(endpoint, page.wire_method, verdict.actual[1])


def check_private_network(
    app: Flask, endpoint: Endpoint, headers: tuple[tuple[str, str], ...]
) -> None:
    """The same granted preflight, now asking for private network access."""
    assert endpoint.policy is not None
    asked = (*headers, ("Access-Control-Request-Private-Network", "true"))
    response = call(app, "OPTIONS", endpoint.path, asked)
    if endpoint.policy.with_private_network:
        assert response.status == 204, response
        assert response.get_all("Access-Control-Allow-Private-Network") == ["true"], response
    else:
        assert response.get("Access-Control-Allow-Private-Network") is None, response


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(policy=policies(), level=st.sampled_from(LEVELS), data=st.data())
def test_browser_verdict_equals_intent(
    policy: PolicyModel, level: str, data: st.DataObject
) -> None:
    app, endpoints = build_app(policy, level)  # one app per generated policy
    batch = data.draw(
        st.lists(
            pages(policy, endpoints), min_size=PAGES_PER_POLICY[0], max_size=PAGES_PER_POLICY[1]
        ),
        label="pages",
    )
    run_policy(app, endpoints, policy, level, batch)
