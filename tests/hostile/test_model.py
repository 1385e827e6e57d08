"""The reference model itself, checked against browser observations (Chromium, Firefox).

If the model is wrong, every differential test is worthless, so each rule it encodes is pinned
here to an observed browser behaviour (scenario numbers, or the model's rule number).
"""

from __future__ import annotations

import re

import pytest

from .model import (
    FAILURE,
    AnyOrigin,
    CallableOrigin,
    ExactOrigin,
    NullOrigin,
    PageFetch,
    PolicyModel,
    PortPattern,
    RegexOrigin,
    SubdomainPattern,
    WireRequest,
    WireResponse,
    browser_fetch,
    extract_list,
    intended,
    is_serialized_origin,
    normalize_config_origin,
    unsafe_request_header_names,
)

A = "http://127.0.0.1:8001"


class Server:
    """A canned server: the same preflight and actual responses for every request."""

    def __init__(
        self,
        preflight: list[tuple[str, str]] | None = None,
        actual: list[tuple[str, str]] | None = None,
        preflight_status: int = 204,
        actual_status: int = 200,
    ) -> None:
        self.preflight = WireResponse(preflight_status, tuple(preflight or ()))
        self.actual = WireResponse(actual_status, tuple(actual or ()))
        self.seen: list[WireRequest] = []

    def __call__(self, request: WireRequest) -> WireResponse:
        self.seen.append(request)
        return self.preflight if request.method == "OPTIONS" else self.actual

    @property
    def options_count(self) -> int:
        return sum(r.method == "OPTIONS" for r in self.seen)

    @property
    def hits(self) -> int:
        return sum(r.method != "OPTIONS" for r in self.seen)


def echo(origin: str = A) -> list[tuple[str, str]]:
    return [("Access-Control-Allow-Origin", origin)]


def test_simple_get_with_echo_is_allowed_without_preflight() -> None:  # scenario 1
    server = Server(actual=echo())
    verdict = browser_fetch(PageFetch(A, "/"), server)
    assert verdict.allowed and server.options_count == 0
    assert dict(server.seen[0].headers)["Origin"] == A


def test_simple_request_without_acao_reaches_server_but_fails() -> None:  # scenarios 2, 3
    server = Server()
    page = PageFetch(A, "/", "POST", (("Content-Type", "text/plain;charset=UTF-8"),))
    verdict = browser_fetch(page, server)
    assert not verdict.allowed and server.hits == 1 and server.options_count == 0


def test_acrh_is_lowercased_sorted_and_only_unsafe_names() -> None:  # scenario 8
    headers = (
        ("X-B", "1"),
        ("x-a", "1"),
        ("Accept", "application/json"),
        ("Content-Type", "application/json"),
        ("Content-Language", "en"),
    )
    server = Server(preflight=echo())
    browser_fetch(PageFetch(A, "/", "PUT", headers), server)
    sent = dict(server.seen[0].headers)
    assert sent["Access-Control-Request-Headers"] == "content-type,x-a,x-b"
    assert sent["Access-Control-Request-Method"] == "PUT"


@pytest.mark.parametrize(
    ("content_type", "preflighted"),
    [
        ("text/plain; charset=utf-8", False),
        ("text/plain;garbage", False),
        ("multipart/form-data; boundary=x", False),
        ("application/x-www-form-urlencoded;charset=UTF-8", False),
        ("application/json", True),
        ("text/plain,text/plain", True),
        ("text /plain", True),
        ("text/plain\x0b", True),
    ],
)
def test_content_type_safelist(content_type: str, preflighted: bool) -> None:  # scenarios 5, 6
    page = PageFetch(A, "/", "POST", (("Content-Type", content_type),))
    assert page.preflighted is preflighted


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ((("Accept", "a" * 128),), []),
        ((("Accept", "a" * 129),), ["accept"]),
        ((("Range", "bytes=0-10"),), []),
        ((("Range", "bytes=0-10,20-30"),), ["range"]),
        ((("Range", "bytes=-10"),), ["range"]),
        ((("Range", "BYTES=0-10"),), ["range"]),
        ((("Content-Language", "en@x"),), ["content-language"]),
        ((("Authorization", "Bearer x"),), ["authorization"]),
    ],
)
def test_unsafe_names(headers: tuple[tuple[str, str], ...], expected: list[str]) -> None:
    assert unsafe_request_header_names(headers) == expected  # scenarios 7, 46; R1.2


@pytest.mark.parametrize(
    ("method", "acam", "allowed"),
    [
        ("PUT", "PUT", True),
        ("PUT", "GET, POST", False),
        ("PUT", "put", False),
        ("PUT", None, False),
        ("put", "PUT", True),
        ("patch", "PATCH", False),
        ("patch", "patch", True),
        ("PATCH", "PATCH", True),
        ("Foo", "FOO", False),
        ("DELETE", "*", True),
        ("PUT", "GET , PUT ,DELETE", True),
        ("PUT", "Bad method name", False),
    ],
)
def test_method_matching(method: str, acam: str | None, allowed: bool) -> None:  # 9-13, 23
    preflight = echo() + ([("Access-Control-Allow-Methods", acam)] if acam else [])
    server = Server(preflight=preflight, actual=echo())
    verdict = browser_fetch(PageFetch(A, "/", method), server)
    assert verdict.allowed is allowed, verdict.reason
    if not allowed:
        assert server.hits == 0


def test_star_methods_fail_with_credentials() -> None:  # scenario 14
    creds = [("Access-Control-Allow-Credentials", "true")]
    server = Server(
        preflight=[*echo(), *creds, ("Access-Control-Allow-Methods", "*")], actual=echo() + creds
    )
    assert not browser_fetch(PageFetch(A, "/", "DELETE", credentials=True), server).allowed


@pytest.mark.parametrize(
    ("header", "acah", "credentials", "allowed"),
    [
        ("x-Custom-Header", "X-CUSTOM-HEADER", False, True),
        ("X-A", "*", False, True),
        ("X-A", "*", True, False),
        ("Authorization", "*", False, False),  # spec (Chromium diverges, R3.7)
        ("Authorization", "authorization", False, True),
        ("Authorization", "*, Authorization", False, True),
        ("X-A", "x-a,", False, True),
        ("X-A", "x-a, header name with space", False, False),
        ("X-A", "x-b", False, False),
    ],
)
def test_header_matching(header: str, acah: str, credentials: bool, allowed: bool) -> None:
    creds = [("Access-Control-Allow-Credentials", "true")] if credentials else []
    server = Server(
        preflight=[*echo(), *creds, ("Access-Control-Allow-Headers", acah)], actual=echo() + creds
    )
    page = PageFetch(A, "/", "GET", ((header, "v"),), credentials=credentials)
    assert browser_fetch(page, server).allowed is allowed  # scenarios 15-18, 23, 24


def test_two_acah_lines_combine() -> None:  # scenario 24
    server = Server(
        preflight=[
            *echo(),
            ("Access-Control-Allow-Headers", "x-a"),
            ("Access-Control-Allow-Headers", "x-b"),
        ],
        actual=echo(),
    )
    assert browser_fetch(PageFetch(A, "/", "GET", (("X-A", "1"), ("X-B", "1"))), server).allowed


@pytest.mark.parametrize("status", [200, 204, 299])
def test_ok_preflight_statuses(status: int) -> None:  # scenario 19
    server = Server(preflight=echo(), actual=echo(), preflight_status=status)
    assert browser_fetch(PageFetch(A, "/", "GET", (("X-A", "1"),)), server).allowed is False
    server = Server(
        preflight=[*echo(), ("Access-Control-Allow-Headers", "x-a")],
        actual=echo(),
        preflight_status=status,
    )
    assert browser_fetch(PageFetch(A, "/", "GET", (("X-A", "1"),)), server).allowed


@pytest.mark.parametrize("status", [302, 403, 404, 500])
def test_failing_preflight_statuses(status: int) -> None:  # scenarios 20, 21
    server = Server(
        preflight=[*echo(), ("Access-Control-Allow-Methods", "PUT")],
        actual=echo(),
        preflight_status=status,
    )
    assert not browser_fetch(PageFetch(A, "/", "PUT"), server).allowed
    assert server.hits == 0


@pytest.mark.parametrize(
    ("acao", "acac", "credentials", "allowed"),
    [
        (None, None, False, False),
        ("*", None, False, True),
        ("*", "true", True, False),
        (A, None, True, False),
        (A, "True", True, False),
        (A, "true", True, True),
        (A + "/", None, False, False),
        (A.upper(), None, False, False),
        (f"{A}, http://x", None, False, False),
        ("null", None, False, False),
        (f"  {A}  ", None, False, True),
        ("http://127.0.0.1:80", None, False, False),
    ],
)
def test_actual_cors_check(
    acao: str | None, acac: str | None, credentials: bool, allowed: bool
) -> None:  # scenarios 22, 26-28
    headers = ([("Access-Control-Allow-Origin", acao)] if acao else []) + (
        [("Access-Control-Allow-Credentials", acac)] if acac else []
    )
    verdict = browser_fetch(PageFetch(A, "/", credentials=credentials), Server(actual=headers))
    assert verdict.allowed is allowed


def test_two_identical_acao_lines_fail() -> None:  # scenario 28
    server = Server(actual=echo() + echo())
    assert not browser_fetch(PageFetch(A, "/"), server).allowed


@pytest.mark.parametrize(("acao", "allowed"), [("null", True), ("*", True), (A, False)])
def test_null_origin(acao: str, allowed: bool) -> None:  # scenario 38
    server = Server(actual=[("Access-Control-Allow-Origin", acao)])
    assert browser_fetch(PageFetch("null", "/"), server).allowed is allowed


@pytest.mark.parametrize(
    ("aceh", "credentials", "readable"),
    [
        (None, False, False),
        ("X-Custom", False, True),
        ("x-custom", False, True),
        ("*", False, True),
        ("*", True, False),
    ],
)
def test_exposed_headers(aceh: str | None, credentials: bool, readable: bool) -> None:
    creds = [("Access-Control-Allow-Credentials", "true")] if credentials else []
    headers = [*echo(), *creds, ("X-Custom", "hello"), ("Set-Cookie", "a=b")]
    if aceh:
        headers.append(("Access-Control-Expose-Headers", aceh))
    page = PageFetch(A, "/", credentials=credentials)
    verdict = browser_fetch(page, Server(actual=headers))
    assert ("x-custom" in verdict.exposed) is readable  # scenario 30
    assert "set-cookie" not in verdict.exposed


def test_extract_list() -> None:
    assert extract_list([]) is None
    assert extract_list(["a, ,b", "c"]) == ["a", "b", "c"]
    assert extract_list(["a b"]) is FAILURE


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("https://example.com", True),
        ("http://localhost:5173", True),
        ("http://[::1]:18001", True),
        ("http://127.0.0.1", True),
        ("http://xn--bcher-kva.example:18001", True),
        ("https://example.com.", True),  # a distinct host, but a real one
        ("null", True),
        ("https://example.com:443", False),
        ("http://127.0.0.1:80", False),
        ("https://example.com/", False),
        ("HTTPS://example.com", False),
        ("https://Example.com", False),
        ("https://user@example.com", False),
        ("https://example.com:08080", False),
        ("https://example.com:65536", False),
        ("http://[0:0:0:0:0:0:0:1]", False),
        ("http://[::FFFF:1.2.3.4]", False),
        ("http://1.2.3", False),
        ("http://evil127.0.0.1", False),
        ("https://bücher.example", False),
        ("https://exa mple.com", False),
        ("https://example.com, https://a.example", False),
        ("NULL", False),
        ("", False),
    ],
)
def test_serialized_origin_shape(value: str, valid: bool) -> None:  # R5
    assert is_serialized_origin(value) is valid


@pytest.mark.parametrize(
    ("config", "normalized"),
    [
        ("HTTPS://A.Example.COM", "https://a.example.com"),
        ("https://a.example.com:443", "https://a.example.com"),
        ("http://LOCALHOST:18001", "http://localhost:18001"),
        ("http://127.0.0.1:80", "http://127.0.0.1"),
        ("http://Bücher.example:18001", "http://xn--bcher-kva.example:18001"),
        ("http://[0:0::1]:18001", "http://[::1]:18001"),
    ],
)
def test_config_normalization(config: str, normalized: str) -> None:  # R5.5 examples
    assert normalize_config_origin(config) == normalized


def test_origin_entries() -> None:
    sub = SubdomainPattern("https://*.example.com")
    assert sub.admits("https://a.example.com") and sub.admits("https://a.b.example.com")
    assert not sub.admits("https://example.com")
    assert not sub.admits("https://evilexample.com")
    assert not sub.admits("https://a.example.com.evil.net")
    assert not sub.admits("http://a.example.com")
    assert not sub.admits("https://a.example.com:8443")
    sub_port = SubdomainPattern("http://*.example.test:8080")
    assert sub_port.admits("http://a.example.test:8080")
    assert not sub_port.admits("http://a.example.test")
    port = PortPattern("http://localhost:*")
    assert port.admits("http://localhost") and port.admits("http://localhost:1")
    assert not port.admits("http://localhost.evil.net:1") and not port.admits("https://localhost")
    regex = RegexOrigin(re.compile(r"https://(www|api)\.example\.com"))
    assert regex.admits("https://www.example.com")
    assert not regex.admits("https://www.example.com.evil.net")
    assert not regex.admits("https://www.example.com\n")
    anything = CallableOrigin(lambda o: True, "all")
    assert anything.admits("https://x.test") and not anything.admits("null")
    assert not anything.admits("https://x.test/")
    assert NullOrigin().admits("null") and not ExactOrigin("https://a.test").admits("null")
    assert AnyOrigin().admits("null")


def test_intent() -> None:
    policy = PolicyModel(
        origins=(ExactOrigin("https://a.test"),),
        methods=("GET", "PUT"),
        allow_headers=("X-A",),
    )
    route = {"GET", "HEAD", "PUT", "PATCH", "DELETE"}
    assert intended(policy, route, PageFetch("https://a.test", "/", "put")) is True
    assert intended(policy, route, PageFetch("https://a.test", "/", "PATCH")) is False
    assert intended(policy, route, PageFetch("https://a.test", "/", "DELETE")) is False
    assert intended(policy, route, PageFetch("https://a.test", "/", "POST")) is None
    assert intended(policy, route | {"POST"}, PageFetch("https://a.test", "/", "POST")) is False
    assert intended(policy, route, PageFetch("https://b.test", "/")) is False
    page = PageFetch("https://a.test", "/", "GET", (("x-a", "1"), ("Content-Type", "text/x")))
    assert intended(policy, route, page) is True
    assert intended(policy, route, PageFetch("https://a.test", "/", credentials=True)) is False
    assert intended(None, route, PageFetch("https://a.test", "/")) is False
