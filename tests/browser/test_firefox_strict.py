"""Firefox with `network.cors_preflight.authorization_covered_by_wildcard=false`.

With that switch Firefox follows the Fetch rule that `Access-Control-Allow-Headers: *` does
not cover `Authorization` (Chromium's equivalent, CorsNonWildcardRequestHeadersSupport, is on
in the main Chromium launch). So a server answering a literal `*` for a request carrying
`Authorization` is caught by a second engine. A separate Firefox process, for these only.
"""

from __future__ import annotations

from . import test_conformance as scenarios
from .conftest import Env


def test_literal_star_is_refused_for_authorization(strict_firefox_env: Env) -> None:
    assert not strict_firefox_env.expect.star_covers_authorization
    scenarios.test_literal_star_and_authorization(strict_firefox_env)


def test_authorization_header_without_credentials(strict_firefox_env: Env) -> None:
    scenarios.test_authorization_header_without_credentials(strict_firefox_env)


def test_authorization_header_with_credentials(strict_firefox_env: Env) -> None:
    scenarios.test_authorization_header_with_credentials(strict_firefox_env)


def test_auth_hook_lets_the_token_through(strict_firefox_env: Env) -> None:
    scenarios.test_auth_hook_lets_the_token_through(strict_firefox_env)
