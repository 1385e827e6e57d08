"""Origins: normalisation of configured origins, and the matcher's decisions."""

from __future__ import annotations

import re

import pytest

from flask_preflight.origins import (
    OriginError,
    build_matcher,
    parse_origin,
)


@pytest.mark.parametrize(
    ("spec", "serialized"),
    [
        pytest.param("https://a.example.com", "https://a.example.com", id="already-canonical"),
        pytest.param("HTTPS://A.Example.COM", "https://a.example.com", id="case-folded"),
        pytest.param("https://a.example.com:443", "https://a.example.com", id="default-port"),
        pytest.param("http://localhost:80", "http://localhost", id="default-http-port"),
        pytest.param("http://localhost:5173", "http://localhost:5173", id="odd-port-kept"),
        pytest.param(
            "https://a.example.com:80", "https://a.example.com:80", id="http-port-on-https"
        ),
        pytest.param("http://Bücher.example", "http://xn--bcher-kva.example", id="idn-punycode"),
        pytest.param("http://[0:0::1]:8080", "http://[::1]:8080", id="ipv6-compressed"),
        pytest.param("http://127.0.0.1:80", "http://127.0.0.1", id="ipv4-default-port"),
        pytest.param("https://*.Example.com", "https://*.example.com", id="subdomain-pattern"),
        pytest.param("http://*.example.test:8080", "http://*.example.test:8080", id="pattern+port"),
        pytest.param("http://localhost:*", "http://localhost:*", id="port-pattern"),
        pytest.param("http://*.localhost", "http://*.localhost", id="localhost-subdomains"),
    ],
)
def test_configured_origins_normalize_as_browsers_serialize(spec: str, serialized: str) -> None:
    assert parse_origin(spec).serialize() == serialized


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        pytest.param("https://a.example.com/", "trailing slash", id="trailing-slash"),
        pytest.param("https://a.example.com/app", "a path", id="path"),
        pytest.param("https://a.example.com?x=1", "a query", id="query"),
        pytest.param("https://a.example.com#top", "a fragment", id="fragment"),
        pytest.param("https://user:pw@a.example.com", "userinfo", id="userinfo"),
        pytest.param("a.example.com", "no scheme", id="no-scheme"),
        pytest.param("https://a.*.example.com", "'*' where none is allowed", id="star-middle"),
        pytest.param("https://*example.com", "'*' where none is allowed", id="star-glued"),
        pytest.param("*.example.com", "no scheme", id="star-no-scheme"),
        pytest.param("https://*.com", "top-level domain", id="star-tld"),
        pytest.param("https://a.example.com:99999", "invalid port", id="port-range"),
        pytest.param("https://a.example.com:", "invalid port", id="empty-port"),
        pytest.param("https://a b.example.com", "not a valid domain", id="space-in-host"),
        pytest.param("https://*.1.2.3.4", "IP address", id="star-ip"),
        pytest.param("https://", "no host", id="no-host"),
    ],
)
def test_malformed_origins_are_rejected_with_the_fix(spec: str, message: str) -> None:
    with pytest.raises(OriginError, match=re.escape(message)):
        parse_origin(spec)


def test_errors_suggest_the_fixed_form() -> None:
    with pytest.raises(OriginError, match=re.escape("use 'https://a.example.com'")):
        parse_origin("https://a.example.com/")
    with pytest.raises(OriginError, match=re.escape("use 'https://a.example.com'")):
        parse_origin("https://me@a.example.com")
    with pytest.raises(OriginError, match=re.escape("e.g. 'https://a.example.com'")):
        parse_origin("a.example.com")


@pytest.mark.parametrize(
    ("specs", "origin", "allowed"),
    [
        # exact: byte for byte
        (("https://a.example.com",), "https://a.example.com", True),
        (("https://a.example.com",), "https://A.example.com", False),
        (("https://a.example.com",), "https://a.example.com:443", False),
        (("https://a.example.com",), "http://a.example.com", False),
        (("https://a.example.com",), "https://a.example.com.evil.net", False),
        (("https://a.example.com",), "https://a.example.com/", False),
        (("https://a.example.com:443",), "https://a.example.com", True),
        # subdomain pattern: any depth, never the apex, never a glued suffix
        (("https://*.example.com",), "https://a.example.com", True),
        (("https://*.example.com",), "https://x.y.example.com", True),
        (("https://*.example.com",), "https://example.com", False),
        (("https://*.example.com",), "https://evilexample.com", False),
        (("https://*.example.com",), "https://a.example.com.evil.net", False),
        (("https://*.example.com",), "http://a.example.com", False),
        (("https://*.example.com",), "https://a.example.com:8443", False),
        (("https://*.example.com",), "https://a.example.com@evil.net", False),
        (("http://*.example.test:8080",), "http://a.example.test:8080", True),
        (("http://*.example.test:8080",), "http://a.example.test", False),
        (("http://*.example.test:*",), "http://a.example.test:1234", True),
        # port pattern: any port of that host, including the default
        (("http://localhost:*",), "http://localhost:5173", True),
        (("http://localhost:*",), "http://localhost", True),
        (("http://localhost:*",), "http://localhost.evil.net:5173", False),
        (("http://localhost:*",), "https://localhost:5173", False),
        (("http://localhost:*",), "http://localhost:80", False),
        # null: only when listed literally
        (("null",), "null", True),
        (("https://*.example.com", "http://localhost:*"), "null", False),
        ((re.compile(r".*"),), "null", False),
        # regex: always full match
        ((re.compile(r"https://trusted\.com"),), "https://trusted.com", True),
        ((re.compile(r"https://trusted\.com"),), "https://trusted.com.attacker.io", False),
        ((re.compile(r"https://.*\.example\.com"),), "https://a.example.com.evil.net", False),
        # "*": anything
        (("*",), "https://anything.example", True),
        (("*",), "null", True),
        # nothing configured: nothing allowed
        ((), "https://a.example.com", False),
    ],
)
def test_matcher(specs: tuple[object, ...], origin: str, allowed: bool) -> None:
    assert build_matcher(specs).allows(origin) is allowed  # type: ignore[arg-type]


def test_callable_origins_see_only_well_formed_origins() -> None:
    seen: list[str] = []

    def allow(origin: str) -> bool:
        seen.append(origin)
        return origin.endswith(".tenant.example")

    matcher = build_matcher((allow,))
    assert matcher.allows("https://acme.tenant.example")
    assert not matcher.allows("https://acme.tenant.example\r\nX: y")
    assert not matcher.allows("null")
    assert not matcher.allows("https://x.tenant.example/path")
    assert seen == ["https://acme.tenant.example"]


def test_a_failing_or_sloppy_callable_refuses() -> None:
    def broken(origin: str) -> bool:
        raise LookupError("database down")

    def sloppy(origin: str) -> bool:
        return "yes"  # type: ignore[return-value]

    assert not build_matcher((broken,)).allows("https://a.example.com")
    assert not build_matcher((sloppy,)).allows("https://a.example.com")


def test_cost_does_not_depend_on_the_number_of_patterns() -> None:
    # The pattern index is keyed by (scheme, base domain, port): a lookup walks the
    # origin's parent domains, never the list of patterns.
    many = tuple(f"https://*.tenant{i}.example" for i in range(1000))
    matcher = build_matcher(many)
    assert len(matcher.subdomain_bases) == 1000
    assert matcher.allows("https://a.tenant999.example")
    assert not matcher.allows("https://a.tenant1000.example")


def test_null_in_another_case_points_to_the_literal() -> None:
    with pytest.raises(OriginError, match=re.escape("write 'null' (lowercase)")):
        parse_origin("NULL")


@pytest.mark.parametrize(
    ("configured", "normalized"),
    [
        # UTS #46 non-transitional, as browsers: "ß" and "ς" are letters of their own.
        ("https://fußball.example", "https://xn--fuball-cta.example"),
        ("https://FUßBALL.example", "https://xn--fuball-cta.example"),
        ("https://*.straße.example", "https://*.xn--strae-oqa.example"),
        ("https://ςa.example", "https://xn--a-xmb.example"),
        ("https://bücher.example:8443", "https://xn--bcher-kva.example:8443"),
    ],
)
def test_idn_origins_are_normalised_as_browsers_send_them(configured: str, normalized: str) -> None:
    assert parse_origin(configured).serialize() == normalized


def test_idn_folding_never_admits_another_registrable_domain() -> None:
    matcher = build_matcher(
        (
            parse_origin("https://fußball.example").serialize(),
            parse_origin("https://*.straße.example").serialize(),
        )
    )
    assert matcher.allows("https://xn--fuball-cta.example")
    assert matcher.allows("https://a.xn--strae-oqa.example")
    assert not matcher.allows("https://fussball.example")
    assert not matcher.allows("https://evil.strasse.example")


def test_invalid_idn_hosts_are_refused() -> None:
    with pytest.raises(OriginError, match="not a valid internationalised domain name"):
        parse_origin("https://a\u200db.example")
