"""Where the three engines legitimately differ: the one place the scenarios look it up.

Each field says what the scenarios expect, and the comment beside each value what was observed
(Chromium 156, Firefox 153 ESR, WebKitGTK 2.50 on Debian 12, loopback origins). A scenario
never skips an engine: where an engine behaves differently it asserts that engine's behaviour.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Expectations:
    #: ``String(error)`` of the TypeError a page gets from a fetch() the browser blocks.
    fetch_error: str
    #: Whether a cross-origin fetch() response with ``Cache-Control: max-age`` is reused from
    #: the HTTP cache (so the Vary scenario can watch a cache serve, or not serve, it).
    http_cache_for_fetch: bool
    #: Whether ``Access-Control-Allow-Headers: *`` lets a request with ``Authorization``
    #: through (the Fetch standard says no).
    star_covers_authorization: bool
    #: The header names of the actual request, for fetch() headers
    #: ``{"content-type": ..., "X-MiXeD-Case": ...}``: as the page wrote them, or changed.
    actual_header_names: tuple[str, str]
    #: Whether a third-party cookie set with ``SameSite=None; Secure; Partitioned`` by the
    #: cross-site API (http://localhost) comes back on the page's later credentialed fetch().
    partitioned_cookie_cross_site: bool


EXPECT: dict[str, Expectations] = {
    "chromium": Expectations(
        # "TypeError: Failed to fetch"
        fetch_error="TypeError: Failed to fetch",
        # A second fetch() of a max-age=600 response from the same cache partition is served
        # by the cache (1 server hit without Vary: Origin; test_vary_origin_*).
        http_cache_for_fetch=True,
        # Stock Chromium lets `*` cover Authorization; the suite launches it with
        # --enable-features=CorsNonWildcardRequestHeadersSupport (engines.CHROMIUM_ARGS), and
        # then it refuses: test_literal_star_and_authorization.
        star_covers_authorization=False,
        # The page's case is kept on the wire.
        actual_header_names=("content-type", "X-MiXeD-Case"),
        # Third-party cookies are blocked in a fresh context; a Partitioned (CHIPS) one is sent.
        partitioned_cookie_cross_site=True,
    ),
    "firefox": Expectations(
        # "TypeError: NetworkError when attempting to fetch resource."
        fetch_error="TypeError: NetworkError when attempting to fetch resource.",
        http_cache_for_fetch=True,
        # Firefox ESR's default (network.cors_preflight.authorization_covered_by_wildcard =
        # true): allowed. "firefox-strict" below turns the switch off.
        star_covers_authorization=True,
        actual_header_names=("content-type", "X-MiXeD-Case"),
        # Total Cookie Protection keeps the cookie in the page's partition and sends it.
        partitioned_cookie_cross_site=True,
    ),
    "webkit": Expectations(
        # "TypeError: Load failed"
        fetch_error="TypeError: Load failed",
        # WebKitGTK under WebKitWebDriver keeps no HTTP cache for fetch(): even a same-origin
        # max-age=600 GET reaches the server twice. The Vary scenario checks the header there.
        http_cache_for_fetch=False,
        # No switch exists: `*` covers Authorization.
        star_covers_authorization=True,
        # WebKit canonicalises the names it knows: `Content-Type`.
        actual_header_names=("Content-Type", "X-MiXeD-Case"),
        # Not sent back (`psid=None`), although the login response was readable and the
        # credentialed PUT's preflight passed: WebKit blocks third-party cookies, Partitioned
        # or not, so cross-site sessions need another carrier (an Authorization header).
        partitioned_cookie_cross_site=False,
    ),
}

#: Firefox launched with network.cors_preflight.authorization_covered_by_wildcard=false
#: (conftest.strict_firefox_env): the Fetch rule, `*` does not cover Authorization.
EXPECT["firefox-strict"] = Expectations(
    fetch_error=EXPECT["firefox"].fetch_error,
    http_cache_for_fetch=True,
    star_covers_authorization=False,
    actual_header_names=EXPECT["firefox"].actual_header_names,
    partitioned_cookie_cross_site=True,
)
