"""Flask-Preflight against real browsers: every scenario runs in Chromium, Firefox and WebKit.

Every scenario runs fetch() in a page served from ``http://127.0.0.1:<p1>`` and asserts two
things: what JavaScript saw (status, body, readable headers, or the TypeError) and what the API
server received (how many preflights, how many actual requests, with which headers). Each
scenario uses URLs with a fresh ``t=<token>`` query parameter, because browsers cache
preflights per URL, and counting is per token. Where the engines differ, the scenario reads
what to expect from ``env.expect`` (``expectations.py``, the one place that lists them).

The API (``api_app.py``) is served twice from one app: ``env.cross_site`` is
``http://localhost:<p2>`` (another origin *and* another site, the hard case) and
``env.same_site`` is ``http://127.0.0.1:<p3>`` (another origin, same site). The credentials
scenarios use the same-site server: fresh browser contexts block (or partition)
third-party cookies, so a cookie the cross-site API sets (even
``SameSite=None; Secure``) is never sent back. A partitioned cookie (CHIPS) is the one that
works cross-site (except in WebKit, see expectations.py); ``test_partitioned_cookie_cross_site``
covers it.
"""

from __future__ import annotations

import json

import pytest
from flask import Flask

from flask_preflight import Preflight, PreflightConfigError, cors

from .api_app import GUARD_TOKEN, OTHER_ORIGIN
from .conftest import Env
from .harness import FetchResult, Traffic


def show(result: FetchResult, traffic: Traffic) -> str:
    return f"\npage saw: {result}\nserver got:\n{traffic.summary()}"


def assert_readable(result: FetchResult, traffic: Traffic, status: int = 200) -> None:
    assert result.resolved, f"fetch() rejected; expected a readable {status}" + show(
        result, traffic
    )
    assert result.status == status, show(result, traffic)


def assert_failed(env: Env, result: FetchResult, traffic: Traffic) -> None:
    """fetch() rejected with this engine's CORS TypeError."""
    assert result.failed, "expected fetch() to fail with TypeError" + show(result, traffic)
    assert result.error == env.expect.fetch_error, show(result, traffic)


def assert_blocked_after_response(env: Env, result: FetchResult, traffic: Traffic) -> None:
    """A simple request the browser sent, the server answered, and the page may not read."""
    assert_failed(env, result, traffic)
    assert len(traffic.preflights) == 0, show(result, traffic)
    assert len(traffic.actual) == 1, "the server still receives the request" + show(result, traffic)


def assert_refused_preflight(env: Env, result: FetchResult, traffic: Traffic) -> None:
    """A preflight the extension refused: 403, no grants, and no actual request."""
    assert_failed(env, result, traffic)
    assert len(traffic.preflights) == 1, show(result, traffic)
    assert len(traffic.actual) == 0, "the actual request must never be sent" + show(result, traffic)
    preflight = traffic.preflights[0]
    assert preflight.status == 403, "a refused preflight is a 403" + show(result, traffic)
    granted = [k for k, _ in preflight.response_headers if k.lower().startswith("access-control-")]
    assert granted == [], "a refused preflight grants nothing" + show(result, traffic)


def assert_one_preflight_then_request(result: FetchResult, traffic: Traffic) -> None:
    assert [r.is_preflight for r in traffic] == [True, False], (
        "expected one preflight, then the request" + show(result, traffic)
    )


# -- simple requests: no preflight ------------------------------------------------------------


def test_simple_get_is_readable_without_preflight(env: Env) -> None:
    url, token = env.url("/simple")
    result = env.fetch(url)
    traffic = env.traffic(token)
    assert_readable(result, traffic)
    assert result.body == "simple GET body="
    assert len(traffic.preflights) == 0 and len(traffic.actual) == 1, show(result, traffic)
    actual = traffic.actual[0]
    assert actual.header("Origin") == env.page_origin
    assert actual.response_header("Access-Control-Allow-Origin") == env.page_origin
    assert "origin" in (actual.response_header("Vary") or "").lower(), (
        "ACAO reflects the request's Origin, so the response must say Vary: Origin"
        + show(result, traffic)
    )


def test_text_plain_post_is_readable_without_preflight(env: Env) -> None:
    url, token = env.url("/simple")
    result = env.fetch(url, method="POST", body="hello")
    traffic = env.traffic(token)
    assert_readable(result, traffic)
    assert result.body == "simple POST body=hello"
    assert len(traffic.preflights) == 0 and len(traffic.actual) == 1, show(result, traffic)
    assert (traffic.actual[0].header("Content-Type") or "").startswith("text/plain")


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_simple_request_from_other_origin_fails_but_reaches_server(env: Env, method: str) -> None:
    url, token = env.url("/simple/denied")
    init = {"method": method, "body": "side effect"} if method == "POST" else {}
    result = env.fetch(url, **init)
    traffic = env.traffic(token)
    assert_blocked_after_response(env, result, traffic)
    assert traffic.actual[0].status == 200
    assert traffic.actual[0].response_header("Access-Control-Allow-Origin") is None


def test_vary_origin_keeps_the_http_cache_from_serving_another_origins_grant(env: Env) -> None:
    """A cacheable response reflecting Origin: first fetched by a same-site sibling origin (an
    iframe, same HTTP-cache partition), then by the page. Without `Vary: Origin` a browser that
    caches it serves the page the copy whose ACAO names the sibling, and blocks it."""
    url, token = env.url("/vary")
    sibling = env.fetch(url, in_frame=env.sibling_origin)
    assert_readable(sibling, env.traffic(token))
    assert sibling.body == f"vary origin={env.sibling_origin}"
    result = env.fetch(url)
    traffic = env.traffic(token)
    assert_readable(result, traffic)
    assert result.body == f"vary origin={env.page_origin}", (
        "the page was served the sibling's cached response" + show(result, traffic)
    )
    assert len(traffic.actual) == 2, show(result, traffic)
    if not env.expect.http_cache_for_fetch:
        # This engine never reuses the response, so the cache cannot misbehave here: check
        # that what a cache would keep says it varies by Origin.
        for received in traffic.actual:
            vary = [v.strip().lower() for v in (received.response_header("Vary") or "").split(",")]
            assert "origin" in vary, (
                "a cache would keep this response for every origin: Vary must name Origin"
                + show(result, traffic)
            )


# -- preflighted requests ---------------------------------------------------------------------


def test_json_post_is_preflighted_once(env: Env) -> None:
    url, token = env.url("/json")
    result = env.fetch(
        url,
        method="POST",
        headers={"Content-Type": "application/json"},
        body=json.dumps({"hello": "world"}),
    )
    traffic = env.traffic(token)
    assert_readable(result, traffic)
    assert json.loads(result.body) == {"received": {"hello": "world"}, "method": "POST"}
    assert_one_preflight_then_request(result, traffic)
    preflight = traffic.preflights[0]
    assert preflight.header("Access-Control-Request-Method") == "POST"
    assert preflight.header("Access-Control-Request-Headers") == "content-type"
    assert preflight.status == 204, show(result, traffic)


def test_custom_header_is_preflighted_once(env: Env) -> None:
    url, token = env.url("/custom-header")
    result = env.fetch(url, headers={"X-Custom-Header": "hello"})
    traffic = env.traffic(token)
    assert_readable(result, traffic)
    assert result.body == "x-custom-header=hello"
    assert_one_preflight_then_request(result, traffic)
    assert traffic.preflights[0].header("Access-Control-Request-Headers") == "x-custom-header"


def test_header_outside_allow_headers_is_refused(env: Env) -> None:
    url, token = env.url("/custom-header/restricted")
    result = env.fetch(url, headers={"X-Custom-Header": "hello"})
    assert_refused_preflight(env, result, env.traffic(token))


# -- methods ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "on_the_wire"),
    [("PUT", "PUT"), ("DELETE", "DELETE"), ("patch", "patch"), ("PATCH", "PATCH"), ("put", "PUT")],
)
def test_allowed_method_succeeds(env: Env, method: str, on_the_wire: str) -> None:
    """fetch() uppercases put/delete but sends `patch` as is; ACAM must echo it verbatim."""
    url, token = env.url("/methods")
    result = env.fetch(url, method=method, body="x" if method != "DELETE" else None)
    traffic = env.traffic(token)
    assert_readable(result, traffic)
    assert result.body.startswith(f"methods {on_the_wire} "), show(result, traffic)
    assert_one_preflight_then_request(result, traffic)
    preflight = traffic.preflights[0]
    assert preflight.header("Access-Control-Request-Method") == on_the_wire
    assert traffic.actual[0].method == on_the_wire
    allowed = preflight.response_header("Access-Control-Allow-Methods") or ""
    assert on_the_wire in [m.strip() for m in allowed.split(",")], show(result, traffic)


def test_method_the_view_does_not_accept_is_refused(env: Env) -> None:
    url, token = env.url("/read-only")
    result = env.fetch(url, method="DELETE")
    assert_refused_preflight(env, result, env.traffic(token))


def test_method_outside_policy_methods_is_refused(env: Env) -> None:
    """The route accepts DELETE but its policy's `methods` leaves it out."""
    url, token = env.url("/policy-methods")
    result = env.fetch(url, method="DELETE")
    assert_refused_preflight(env, result, env.traffic(token))
    url, token = env.url("/policy-methods")
    result = env.fetch(url, method="PUT", body="x")
    traffic = env.traffic(token)
    assert_readable(result, traffic)
    assert_one_preflight_then_request(result, traffic)


# -- decorator placement and class-based views ------------------------------------------------


def test_cors_above_app_route(env: Env) -> None:
    url, token = env.url("/decorator-above")
    result = env.fetch(url, method="PUT", body="x")
    traffic = env.traffic(token)
    assert_readable(result, traffic)
    assert result.body == "decorator-above PUT body=x"
    assert result.headers.get("x-order") == "above", show(result, traffic)
    assert_one_preflight_then_request(result, traffic)


def test_method_view_class_policy(env: Env) -> None:
    url, token = env.url("/things")
    result = env.fetch(url, method="PUT", body="x")
    traffic = env.traffic(token)
    assert_readable(result, traffic)
    assert result.body == "things PUT body=x"
    assert result.headers.get("x-class") == "method-view", show(result, traffic)
    assert_one_preflight_then_request(result, traffic)
    # The class handles DELETE, but its policy's `methods` leaves DELETE out.
    url, token = env.url("/things")
    assert_refused_preflight(env, env.fetch(url, method="DELETE"), env.traffic(token))


# -- one URL, separate views ------------------------------------------------------------------


def test_put_preflight_obeys_the_put_views_policy(env: Env) -> None:
    """GET /split allows the page; PUT /split (another view) allows only another origin."""
    url, token = env.url("/split")
    result = env.fetch(url)
    traffic = env.traffic(token)
    assert_readable(result, traffic)
    assert result.body == "split-get GET body="

    url, token = env.url("/split")
    result = env.fetch(url, method="PUT", body="x")
    assert_refused_preflight(env, result, env.traffic(token))


def test_put_preflight_allowed_by_put_view_although_get_view_refuses(env: Env) -> None:
    url, token = env.url("/split-reverse")
    result = env.fetch(url, method="PUT", body="x")
    traffic = env.traffic(token)
    assert_readable(result, traffic)
    assert result.body == "split-reverse-put PUT body=x"
    assert_one_preflight_then_request(result, traffic)

    url, token = env.url("/split-reverse")
    assert_blocked_after_response(env, env.fetch(url), env.traffic(token))


# -- blueprint policy overridden by a view ----------------------------------------------------


def test_blueprint_policy_applies_to_its_views(env: Env) -> None:
    """The blueprint allows only another origin, overriding the app-wide policy."""
    url, token = env.url("/team/closed")
    assert_blocked_after_response(env, env.fetch(url), env.traffic(token))
    url, token = env.url("/team/closed")
    assert_refused_preflight(env, env.fetch(url, method="PUT", body="x"), env.traffic(token))


def test_view_overrides_blueprint_origins_and_inherits_the_rest(env: Env) -> None:
    url, token = env.url("/team/open")
    result = env.fetch(url)
    traffic = env.traffic(token)
    assert_readable(result, traffic)
    assert result.headers.get("x-team") == "team-header", (
        "expose_headers is inherited from the blueprint" + show(result, traffic)
    )
    assert "x-view" not in result.headers, show(result, traffic)

    url, token = env.url("/team/open")
    result = env.fetch(url, method="PUT", body="x")
    traffic = env.traffic(token)
    assert_readable(result, traffic)
    assert_one_preflight_then_request(result, traffic)


def test_view_overrides_blueprint_expose_headers(env: Env) -> None:
    url, token = env.url("/team/own-expose")
    result = env.fetch(url)
    traffic = env.traffic(token)
    assert_readable(result, traffic)
    assert result.headers.get("x-view") == "view-header", show(result, traffic)
    assert "x-team" not in result.headers, show(result, traffic)


# -- credentials (same-site server: see the module docstring) ---------------------------------


def _login(env: Env, user: str, path: str = "/session/login", base: str | None = None) -> None:
    url, token = env.url(path, base=base or env.same_site)
    result = env.fetch(url, method="POST", body=user, credentials="include")
    assert_readable(result, env.traffic(token))
    assert result.body == f"logged in as {user}"


def test_cookie_is_sent_and_response_readable_with_credentials(env: Env) -> None:
    user = "alice-" + env.url("/")[1]
    _login(env, user)
    url, token = env.url("/session/me", base=env.same_site)
    result = env.fetch(url, credentials="include")
    traffic = env.traffic(token)
    assert_readable(result, traffic)
    assert result.body == f"sid={user} psid=None auth=None"
    assert result.headers.get("x-session") == user, show(result, traffic)
    assert len(traffic.preflights) == 0 and len(traffic.actual) == 1, show(result, traffic)
    actual = traffic.actual[0]
    assert f"sid={user}" in (actual.header("Cookie") or "")
    assert actual.response_header("Access-Control-Allow-Credentials") == "true"
    assert actual.response_header("Access-Control-Allow-Origin") == env.page_origin


def test_preflight_carries_no_cookie_and_still_succeeds(env: Env) -> None:
    user = "bob-" + env.url("/")[1]
    _login(env, user)
    url, token = env.url("/session/me", base=env.same_site)
    result = env.fetch(url, method="PUT", body="x", credentials="include")
    traffic = env.traffic(token)
    assert_readable(result, traffic)
    assert result.body == f"sid={user} psid=None auth=None"
    assert_one_preflight_then_request(result, traffic)
    preflight, actual = traffic.requests
    assert preflight.header("Cookie") is None, "browsers never send cookies on a preflight"
    assert preflight.status == 204
    assert preflight.response_header("Access-Control-Allow-Credentials") == "true"
    assert f"sid={user}" in (actual.header("Cookie") or "")


def test_credentials_refused_when_policy_has_no_credentials(env: Env) -> None:
    """No Access-Control-Allow-Credentials: the browser hides the credentialed response."""
    _login(env, "carol")
    url, token = env.url("/session/no-credentials", base=env.same_site)
    result = env.fetch(url, credentials="include")
    traffic = env.traffic(token)
    assert_blocked_after_response(env, result, traffic)
    assert "sid=carol" in (traffic.actual[0].header("Cookie") or "")
    assert traffic.actual[0].response_header("Access-Control-Allow-Credentials") is None


def test_partitioned_cookie_cross_site(env: Env) -> None:
    user = "dave-" + env.url("/")[1]
    _login(env, user, path="/session/login-partitioned", base=env.cross_site)
    url, token = env.url("/session/me", base=env.cross_site)
    result = env.fetch(url, method="PUT", body="x", credentials="include")
    traffic = env.traffic(token)
    assert_readable(result, traffic)
    sent = user if env.expect.partitioned_cookie_cross_site else None
    assert result.body == f"sid=None psid={sent} auth=None"
    assert_one_preflight_then_request(result, traffic)
    assert traffic.preflights[0].header("Cookie") is None


# -- Authorization with the default allow_headers ---------------------------------------------


def test_authorization_header_without_credentials(env: Env) -> None:
    url, token = env.url("/auth")
    result = env.fetch(url, headers={"Authorization": "Bearer abc"})
    traffic = env.traffic(token)
    assert_readable(result, traffic)
    assert result.body == "auth=Bearer abc"
    assert_one_preflight_then_request(result, traffic)
    preflight = traffic.preflights[0]
    assert preflight.header("Access-Control-Request-Headers") == "authorization"
    granted = (preflight.response_header("Access-Control-Allow-Headers") or "").lower()
    assert "authorization" in [h.strip() for h in granted.split(",")], (
        "`*` does not cover Authorization (Fetch spec); the name must be listed"
        + show(result, traffic)
    )


def test_authorization_header_with_credentials(env: Env) -> None:
    user = "erin-" + env.url("/")[1]
    _login(env, user)
    url, token = env.url("/session/me", base=env.same_site)
    result = env.fetch(
        url, headers={"Authorization": "Bearer xyz", "X-Trace": "1"}, credentials="include"
    )
    traffic = env.traffic(token)
    assert_readable(result, traffic)
    assert result.body == f"sid={user} psid=None auth=Bearer xyz"
    assert_one_preflight_then_request(result, traffic)
    assert traffic.preflights[0].header("Access-Control-Request-Headers") == "authorization,x-trace"


# -- exposed response headers -----------------------------------------------------------------


def test_exposed_header_is_readable(env: Env) -> None:
    url, token = env.url("/expose")
    result = env.fetch(url)
    traffic = env.traffic(token)
    assert_readable(result, traffic)
    assert result.headers.get("x-exposed") == "shown", show(result, traffic)
    assert "x-hidden" not in result.headers, show(result, traffic)
    assert "content-type" in result.headers  # safelisted, always readable


def test_header_not_exposed_is_not_readable(env: Env) -> None:
    url, token = env.url("/expose/none")
    result = env.fetch(url)
    traffic = env.traffic(token)
    assert_readable(result, traffic)
    assert "x-exposed" not in result.headers, show(result, traffic)
    assert traffic.actual[0].response_header("Access-Control-Expose-Headers") is None


# -- the preflight cache ----------------------------------------------------------------------


def test_max_age_lets_the_browser_reuse_the_preflight(env: Env) -> None:
    url, token = env.url("/max-age/600")
    first = env.fetch(url, method="PUT", body="1")
    second = env.fetch(url, method="PUT", body="2")
    traffic = env.traffic(token)
    assert_readable(first, traffic)
    assert_readable(second, traffic)
    assert len(traffic.preflights) == 1, "the second PUT uses the cached preflight" + show(
        second, traffic
    )
    assert len(traffic.actual) == 2, show(second, traffic)
    assert traffic.preflights[0].response_header("Access-Control-Max-Age") == "600"


def test_max_age_zero_preflights_every_time(env: Env) -> None:
    url, token = env.url("/max-age/0")
    first = env.fetch(url, method="PUT", body="1")
    second = env.fetch(url, method="PUT", body="2")
    traffic = env.traffic(token)
    assert_readable(first, traffic)
    assert_readable(second, traffic)
    assert [r.is_preflight for r in traffic] == [True, False, True, False], (
        "max_age=0 must send `Access-Control-Max-Age: 0` (absent means 5 s in Chromium)"
        + show(second, traffic)
    )


# -- errors are readable ----------------------------------------------------------------------


def test_404_is_readable(env: Env) -> None:
    url, token = env.url("/no/such/route")
    result = env.fetch(url)
    traffic = env.traffic(token)
    assert_readable(result, traffic, status=404)
    assert "Not Found" in result.body


def test_404_after_preflight_is_readable(env: Env) -> None:
    """An unknown URL follows the app policy: its preflight is granted, the 404 readable."""
    url, token = env.url("/no/such/route")
    result = env.fetch(
        url, method="DELETE", headers={"Content-Type": "application/json"}, body="{}"
    )
    traffic = env.traffic(token)
    assert_readable(result, traffic, status=404)
    assert_one_preflight_then_request(result, traffic)


def test_unknown_url_under_a_blueprint_follows_its_policy(env: Env) -> None:
    """/team/... belongs to the team blueprint, whose origins leave the page out."""
    url, token = env.url("/team/no-such-route")
    result = env.fetch(url, method="DELETE")
    assert_refused_preflight(env, result, env.traffic(token))


def test_abort_403_is_readable(env: Env) -> None:
    url, token = env.url("/errors/abort")
    result = env.fetch(url)
    traffic = env.traffic(token)
    assert_readable(result, traffic, status=403)
    assert "Forbidden" in result.body


def test_abort_403_after_preflight_is_readable(env: Env) -> None:
    url, token = env.url("/errors/abort")
    result = env.fetch(url, method="PUT", body="x")
    traffic = env.traffic(token)
    assert_readable(result, traffic, status=403)
    assert_one_preflight_then_request(result, traffic)


def test_unhandled_exception_500_is_readable(env: Env) -> None:
    url, token = env.url("/errors/boom")
    result = env.fetch(url)
    traffic = env.traffic(token)
    assert_readable(result, traffic, status=500)
    assert "Internal Server Error" in result.body


def test_error_handler_response_is_readable(env: Env) -> None:
    url, token = env.url("/errors/conflict")
    result = env.fetch(url)
    traffic = env.traffic(token)
    assert_readable(result, traffic, status=409)
    assert json.loads(result.body) == {"error": "conflict", "handled_by": "errorhandler"}


# -- a before_request auth hook ---------------------------------------------------------------


def test_preflight_passes_auth_hook_and_401_is_readable(env: Env) -> None:
    url, token = env.url("/guarded/data")
    result = env.fetch(url, method="PUT", body="x")
    traffic = env.traffic(token)
    assert_readable(result, traffic, status=401)
    assert result.body == "missing or wrong token"
    assert_one_preflight_then_request(result, traffic)
    assert traffic.preflights[0].status == 204, "the hook must not see the preflight"


def test_auth_hook_lets_the_token_through(env: Env) -> None:
    url, token = env.url("/guarded/data")
    result = env.fetch(url, headers={"Authorization": GUARD_TOKEN})
    traffic = env.traffic(token)
    assert_readable(result, traffic)
    assert result.body == "guarded GET body="
    assert_one_preflight_then_request(result, traffic)


# -- "*" --------------------------------------------------------------------------------------


def test_star_policy_without_credentials(env: Env) -> None:
    url, token = env.url("/public")
    result = env.fetch(url)
    traffic = env.traffic(token)
    assert_readable(result, traffic)
    assert result.body == "public GET body="
    assert traffic.actual[0].response_header("Access-Control-Allow-Origin") in (
        "*",
        env.page_origin,
    )

    url, token = env.url("/public")
    result = env.fetch(url, method="POST", headers={"Content-Type": "application/json"}, body="{}")
    traffic = env.traffic(token)
    assert_readable(result, traffic)
    assert_one_preflight_then_request(result, traffic)


def test_star_policy_response_is_hidden_from_credentialed_request(env: Env) -> None:
    """Browser rule: a credentialed request needs the exact origin and ACAC, never `*`."""
    url, token = env.url("/public")
    result = env.fetch(url, credentials="include")
    assert_blocked_after_response(env, result, env.traffic(token))


def test_app_refuses_credentials_with_star_at_init_app() -> None:
    app = Flask("star_credentials")
    with pytest.raises(PreflightConfigError):
        Preflight(app, origins="*", credentials=True)
    assert issubclass(PreflightConfigError, ValueError)


def test_app_refuses_view_with_credentials_and_star() -> None:
    """Refused when the decorator runs or at the latest when init_app() does."""
    app = Flask("star_credentials_view")
    with pytest.raises(PreflightConfigError):

        @app.get("/x")
        @cors(origins="*", credentials=True)
        def x() -> str:
            return "x"

        Preflight(app)


def test_app_refuses_view_credentials_under_app_star() -> None:
    """The conflict only exists after merging: app origins="*", view credentials=True."""
    app = Flask("star_credentials_merged")

    @app.get("/x")
    @cors(credentials=True)
    def x() -> str:
        return "x"

    with pytest.raises(PreflightConfigError):
        Preflight(app, origins="*")


def test_app_refuses_view_registered_after_init_app() -> None:
    app = Flask("star_credentials_late")
    app.testing = True
    Preflight(app, origins="*")

    @app.get("/late")
    @cors(credentials=True)
    def late() -> str:
        return "late"

    with pytest.raises(PreflightConfigError):
        app.test_client().get("/late", headers={"Origin": OTHER_ORIGIN})


# -- what each browser does (docs/browsers.md) ------------------------------------------
# The /raw routes answer by hand, without Flask-Preflight (api_app.raw_control_app): they show
# the browser's own rule, so a breakage in the extension can be told apart from a browser's.


def test_patch_is_sent_lowercase_and_matched_case_sensitively(env: Env) -> None:
    """fetch() uppercases only DELETE/GET/HEAD/OPTIONS/POST/PUT: `patch` goes out as `patch`,
    and `Access-Control-Allow-Methods: PATCH` does not allow it in any engine."""
    url, token = env.url("/raw/methods?acam=PATCH")
    result = env.fetch(url, method="patch", body="x")
    traffic = env.traffic(token)
    assert_failed(env, result, traffic)
    assert [r.method for r in traffic] == ["OPTIONS"], show(result, traffic)
    assert traffic.preflights[0].header("Access-Control-Request-Method") == "patch"

    url, token = env.url("/raw/methods?acam=patch")
    result = env.fetch(url, method="patch", body="x")
    traffic = env.traffic(token)
    assert_readable(result, traffic)
    assert result.body == "raw patch auth=None"
    assert [r.method for r in traffic] == ["OPTIONS", "patch"], show(result, traffic)


def test_literal_star_and_authorization(env: Env) -> None:
    """`Access-Control-Allow-Headers: *` and a request carrying Authorization. The Fetch
    standard refuses it; what each engine does is in expectations.py."""
    url, token = env.url("/raw/auth?acah=*")
    result = env.fetch(url, headers={"Authorization": "Bearer abc"})
    traffic = env.traffic(token)
    assert traffic.preflights[0].header("Access-Control-Request-Headers") == "authorization"
    if env.expect.star_covers_authorization:
        assert_readable(result, traffic)
        assert result.body == "raw GET auth=Bearer abc"
    else:
        assert_failed(env, result, traffic)
        assert len(traffic.actual) == 0, show(result, traffic)
    # Listing the name works everywhere; that is what Flask-Preflight sends.
    url, token = env.url("/raw/auth?acah=authorization")
    result = env.fetch(url, headers={"Authorization": "Bearer abc"})
    assert_readable(result, env.traffic(token))
    assert result.body == "raw GET auth=Bearer abc"


def test_http_cache_for_fetch(env: Env) -> None:
    """The same cacheable GET (max-age=600, Vary: Origin, same origin asking) twice: an engine
    with an HTTP cache for fetch() answers the second from it."""
    url, token = env.url("/raw/cached?cache=1")
    for _ in range(2):
        assert_readable(env.fetch(url), env.traffic(token))
    traffic = env.traffic(token)
    expected = 1 if env.expect.http_cache_for_fetch else 2
    assert len(traffic.actual) == expected, traffic.summary()


def test_header_name_case_on_the_actual_request(env: Env) -> None:
    """The preflight lists names lowercased and sorted in every engine; the actual request
    keeps the page's case or not, depending on the engine. Servers must not care."""
    url, token = env.url("/json")
    result = env.fetch(
        url,
        method="POST",
        headers={"content-type": "application/json", "X-MiXeD-Case": "1"},
        body="{}",
    )
    traffic = env.traffic(token)
    assert_readable(result, traffic)
    assert_one_preflight_then_request(result, traffic)
    assert traffic.preflights[0].header("Access-Control-Request-Headers") == (
        "content-type,x-mixed-case"
    )
    sent = [n for n in traffic.actual[0].raw_names if n.lower() in ("content-type", "x-mixed-case")]
    assert sorted(sent, key=str.lower) == list(env.expect.actual_header_names), (
        f"header names on the wire: {traffic.actual[0].raw_names}"
    )


def test_no_private_network_request_between_loopback_origins(env: Env) -> None:
    """No engine sends Access-Control-Request-Private-Network here (Chromium replaced Private
    Network Access by a permission; Firefox and WebKit never shipped it), so the extension's
    `private_network` option is only reachable from a hand-written request
    (test_preflight_answers)."""
    url, token = env.url("/methods")
    result = env.fetch(url, method="PUT", body="x")
    traffic = env.traffic(token)
    assert_readable(result, traffic)
    for received in traffic:
        assert received.header("Access-Control-Request-Private-Network") is None, show(
            result, traffic
        )
