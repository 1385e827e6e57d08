"""Malformed and oversized requests: no exception, no 500, no grant, bounded work.

Every header the extension reads (``Origin``, ``Access-Control-Request-Method``,
``Access-Control-Request-Headers``, ``Access-Control-Request-Private-Network``) is sent
malformed every way we could think of, through raw WSGI environs, so values can carry what no
HTTP server would pass on: CR/LF, NUL, non-latin-1 characters, lone surrogates, duplicate
headers joined by commas. The apps run with ``testing = True``: any exception fails the test.

Work is bounded by counting, not timing: a tracer counts the Python events (calls and lines)
executed inside ``flask_preflight`` for a request, and ``tracemalloc`` measures the peak memory
allocated while answering it. Both must stay flat however large a header grows past the caps,
and the event count must grow linearly below them.
"""

from __future__ import annotations

import os
import sys
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import FrameType
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import flask_preflight
from flask_preflight import Preflight, cors
from flask_preflight.headers import (
    MAX_ORIGIN_LENGTH,
    MAX_REQUEST_HEADER_NAMES,
    MAX_REQUEST_HEADERS_LENGTH,
    MAX_REQUEST_METHOD_LENGTH,
)

from .harness import call, call_environ, environ_for, granted, preflight
from .model import (
    FAILURE,
    ExactOrigin,
    ListParseFailure,
    PortPattern,
    SubdomainPattern,
    WireResponse,
    extract_list,
    is_token,
)

ORIGIN = "https://app.example.com"
ACRPN = "Access-Control-Request-Private-Network"
PACKAGE_DIR = os.path.dirname(flask_preflight.__file__)
ADMITTED = (
    ExactOrigin(ORIGIN),
    SubdomainPattern("https://*.example.net"),
    PortPattern("http://localhost:*"),
)


def make_app(**policy: Any) -> Flask:
    """One permissive endpoint: any header, any of the route's methods, credentials, PNA."""
    app = Flask("malformed")
    app.testing = True
    options: dict[str, Any] = {
        "origins": [e.config for e in ADMITTED],
        "credentials": True,
        "private_network": True,
    }
    options.update(policy)

    @app.route("/r", methods=["GET", "PUT", "PATCH", "DELETE"])
    @cors(**options)
    def r() -> str:
        return "r"

    Preflight(app)
    return app


@pytest.fixture(scope="module")
def app() -> Flask:
    return make_app()


def assert_safe(response: WireResponse) -> None:
    """Whatever the request, the answer never breaks HTTP framing."""
    assert response.status < 500, response
    for name, value in response.headers:
        assert not any(c in value for c in "\r\n\x00"), (name, value)
        assert value.isascii() or value.encode("latin-1"), (name, value)


def assert_refused(response: WireResponse) -> None:
    assert_safe(response)
    assert response.status == 403, response
    assert not granted(response), response


# --------------------------------------------------------------------------------------------
# Access-Control-Request-Method
# --------------------------------------------------------------------------------------------

BAD_METHODS = [
    "GET, DELETE",
    "PUT, PUT",
    "PUT,PUT",
    "PUT,",
    ",PUT",
    "",
    " ",
    "\t",
    "P UT",
    "PUT\r\n",
    "PUT\r\nX-Injected: 1",
    "PUT\n",
    "PUT\x00",
    "PUT\x1b[31m",
    "PUT\t",
    "PUT;",
    "put(",
    "[PUT]",
    '"PUT"',
    "PÜT",
    "P\u0101T",
    "PUT\u2028",
    "\udcffPUT",
    "P" * 10_000,
    "PUT" * 100_000,
    "*",
    "CONNECT",
    "TRACE",
    "POST",  # a fine token, but the route does not take it
    "FOO",
    "ET",  # substrings of allowed methods (flask-cors tests methods as substrings)
    "UT",
    "PATC",
    "GET,PUT,PATCH,DELETE",
]


@pytest.mark.parametrize("method", BAD_METHODS, ids=range(len(BAD_METHODS)))
def test_malformed_request_method_is_refused(app: Flask, method: str) -> None:
    assert_refused(preflight(app, "/r", ORIGIN, method))


@pytest.mark.parametrize("method", [" PUT", "PUT "])
def test_padded_request_method_is_refused_or_echoed_clean(app: Flask, method: str) -> None:
    """HTTP servers strip OWS; a raw environ may not. Either refuse or echo the bare token."""
    response = preflight(app, "/r", ORIGIN, method)
    assert_safe(response)
    if granted(response):
        assert response.get_all("Access-Control-Allow-Methods") == ["PUT"], response
    else:
        assert response.status == 403


# --------------------------------------------------------------------------------------------
# Access-Control-Request-Headers
# --------------------------------------------------------------------------------------------


def names(count: int, width: int = 3) -> str:
    return ",".join(f"x-{i:0{width}d}" for i in range(count))


BAD_REQUEST_HEADERS = [
    "," * 10_000,
    "," * 1_000_000,
    "x-a," * 5_000,
    names(MAX_REQUEST_HEADER_NAMES + 1),
    names(5_000),
    names(100_000, 6),
    "x-a, " * 3_000,
    " " * 10_000 + "x-a",
    "\t" * 10_000,
    "a" * (MAX_REQUEST_HEADERS_LENGTH + 1),
    "a" * 40_000,
    "x-a" + " " * MAX_REQUEST_HEADERS_LENGTH + ",x-b",
    "x a",
    "x-a\x00",
    "x-a;",
    "x-a:1",
    "x-a\r\nx-b",
    "x-a\r\nX-Injected: 1",
    "x-a\n",
    "x-a\x1b[0m",
    "x(a)",
    "x@a",
    "x/a",
    "x{a}",
    '"x-a"',
    "é",
    "x-\u0101",
    "x-a,\u2028",
    "\udcffx-a",
    "x-a,x b",
    "x-a,x-b,x c",
]


@pytest.mark.parametrize("value", BAD_REQUEST_HEADERS, ids=range(len(BAD_REQUEST_HEADERS)))
def test_malformed_request_headers_are_refused(app: Flask, value: str) -> None:
    assert_refused(preflight(app, "/r", ORIGIN, "PUT", value))


@pytest.mark.parametrize(
    "value", ["x-a,,x-b", "X-A", "x-b,x-a", "x-a, x-b", " x-a", "x-a ", ",x-a", "x-a,", ",", ",,"]
)
def test_odd_but_harmless_request_headers(app: Flask, value: str) -> None:
    """Not what a browser sends (it lowercases, sorts, joins with bare commas), but no attack
    either: refuse, or grant exactly the requested names as a clean token list."""
    response = preflight(app, "/r", ORIGIN, "PUT", value)
    assert_safe(response)
    if response.status == 403:
        assert not granted(response)
        return
    assert response.status == 204, response
    requested = {n.strip(" \t").lower() for n in value.split(",") if n.strip(" \t")}
    acah = extract_list(response.get_all("Access-Control-Allow-Headers"))
    assert not isinstance(acah, ListParseFailure), response
    assert {n.lower() for n in acah or []} == requested, response


def test_header_name_cap_is_exact(app: Flask) -> None:
    """The cap on the number of names is a real boundary: at it, granted; past it, refused."""
    at_cap = names(MAX_REQUEST_HEADER_NAMES)
    response = preflight(app, "/r", ORIGIN, "PUT", at_cap)
    assert response.status == 204, response
    assert response.get("Access-Control-Allow-Headers") == at_cap
    assert_refused(preflight(app, "/r", ORIGIN, "PUT", names(MAX_REQUEST_HEADER_NAMES + 1)))


def test_header_length_cap_is_exact(app: Flask) -> None:
    width = MAX_REQUEST_HEADERS_LENGTH // 8
    parts = ["x" * (width - 1)] * 7
    parts.append("y" * (MAX_REQUEST_HEADERS_LENGTH - len(",".join(parts)) - 1))
    at_cap = ",".join(parts)
    assert len(at_cap) == MAX_REQUEST_HEADERS_LENGTH
    assert preflight(app, "/r", ORIGIN, "PUT", at_cap).status == 204
    assert_refused(preflight(app, "/r", ORIGIN, "PUT", at_cap + "y"))


def test_method_length_cap(app: Flask) -> None:
    long_route = make_app()
    assert_refused(preflight(long_route, "/r", ORIGIN, "X" * (MAX_REQUEST_METHOD_LENGTH + 1)))


# --------------------------------------------------------------------------------------------
# Origin
# --------------------------------------------------------------------------------------------

BAD_ORIGINS = [
    "",
    " ",
    f"{ORIGIN}, {ORIGIN}",
    f"{ORIGIN},{ORIGIN}",
    f"{ORIGIN}\r\nX-Injected: 1",
    f"{ORIGIN}\x00",
    "https://app.ex\u0430mple.com",
    "https://\udcff.example.net",
    "https://a.example.net\u2028",
    "https://" + "a" * MAX_ORIGIN_LENGTH + ".example.net",
    "https://" + "a." * (MAX_ORIGIN_LENGTH // 2) + "example.net",
    "http://localhost:" + "1" * MAX_ORIGIN_LENGTH,
    ORIGIN + " " * 8192,
    "null",
]


@pytest.mark.parametrize("origin", BAD_ORIGINS, ids=range(len(BAD_ORIGINS)))
def test_malformed_origin_gets_nothing(app: Flask, origin: str) -> None:
    assert_refused(preflight(app, "/r", origin, "PUT"))
    actual = call(app, "GET", "/r", [("Origin", origin)])
    assert_safe(actual)
    assert actual.status == 200 and actual.body == b"r"  # the view still runs
    assert actual.access_control_names() == [], actual


def test_options_without_origin_is_not_a_preflight(app: Flask) -> None:
    response = preflight(app, "/r", None, "PUT")
    assert_safe(response)
    assert not granted(response)


def test_duplicate_origin_headers_joined_by_the_server(app: Flask) -> None:
    """Two ``Origin`` lines, joined the way Werkzeug and Gunicorn join them."""
    for join in (",", ", "):
        environ = environ_for("GET", "/r", [("Origin", ORIGIN), ("Origin", ORIGIN)], join=join)
        response = call_environ(app, environ)
        assert_safe(response)
        assert response.access_control_names() == [], response


# --------------------------------------------------------------------------------------------
# Access-Control-Request-Private-Network
# --------------------------------------------------------------------------------------------

BAD_PNA = [
    "TRUE",
    "True",
    "true, true",
    "true,true",
    "1",
    "yes",
    "",
    " true",
    "true ",
    "true\r\n",
    "true\x00",
    "tru\u0113",
    "\udcfftrue",
    "t" * 8192,
    "true" * 10_000,
]


@pytest.mark.parametrize("value", BAD_PNA, ids=range(len(BAD_PNA)))
def test_malformed_private_network_request_is_not_granted(app: Flask, value: str) -> None:
    response = preflight(app, "/r", ORIGIN, "PUT", extra=[(ACRPN, value)])
    assert_safe(response)
    assert response.get("Access-Control-Allow-Private-Network") is None, response


def test_private_network_only_on_preflights_and_when_enabled(app: Flask) -> None:
    asked = [(ACRPN, "true")]
    assert preflight(app, "/r", ORIGIN, "PUT", extra=asked).get_all(
        "Access-Control-Allow-Private-Network"
    ) == ["true"]
    actual = call(app, "GET", "/r", [("Origin", ORIGIN), *asked])
    assert actual.get("Access-Control-Allow-Private-Network") is None, actual
    off = make_app(private_network=False)
    response = preflight(off, "/r", ORIGIN, "PUT", extra=asked)
    assert response.get("Access-Control-Allow-Private-Network") is None, response
    other = preflight(app, "/r", "https://evil.test", "PUT", extra=asked)
    assert_refused(other)


# --------------------------------------------------------------------------------------------
# Everything at once, generated
# --------------------------------------------------------------------------------------------


def has_no_surrogate(text: str) -> bool:
    return not any("\ud800" <= char <= "\udfff" for char in text)


# Any code point, surrogates and controls included, and ASCII-heavy so tokens come up often.
raw_text = st.one_of(
    st.text(st.characters(codec=None, categories=None), max_size=40),
    st.text(st.sampled_from("aAzZ09-_,; \t\r\n\x00\x1b.:/*"), max_size=40),
    st.sampled_from(["PUT", "patch", "x-a,x-b", ORIGIN, "true", "null", "https://a.example.net"]),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    method=st.sampled_from(["OPTIONS", "GET", "PUT", "patch", "OPTIONS"]),
    # Paths go through Werkzeug's EnvironBuilder, which cannot encode lone surrogates (no
    # server passes one: WSGI paths are latin-1 decoded bytes); headers are copied verbatim.
    path=st.one_of(st.just("/r"), raw_text.filter(has_no_surrogate).map(lambda t: "/" + t)),
    origin=st.one_of(st.none(), raw_text),
    acrm=st.one_of(st.none(), raw_text),
    acrh=st.one_of(st.none(), raw_text),
    acrpn=st.one_of(st.none(), raw_text),
)
def test_arbitrary_header_bytes(
    method: str,
    path: str,
    origin: str | None,
    acrm: str | None,
    acrh: str | None,
    acrpn: str | None,
) -> None:
    app = _fuzz_app()
    headers = [
        (name, value)
        for name, value in (
            ("Origin", origin),
            ("Access-Control-Request-Method", acrm),
            ("Access-Control-Request-Headers", acrh),
            (ACRPN, acrpn),
        )
        if value is not None
    ]
    response = call_environ(app, environ_for(method, path, headers))
    assert_safe(response)
    acao = response.get_all("Access-Control-Allow-Origin")
    if acao:
        assert acao == [origin], response
        assert origin is not None and any(e.admits(origin) for e in ADMITTED), response
    acam = response.get_all("Access-Control-Allow-Methods")
    if acam:
        assert acam == [acrm] and is_token(acam[0]), response
    acah = response.get("Access-Control-Allow-Headers")
    if acah is not None:
        assert extract_list([acah]) is not FAILURE, response
        requested = {n.strip(" \t").lower() for n in (acrh or "").split(",")} - {""}
        assert {n.lower() for n in acah.split(",")} <= requested, response
    if response.get("Access-Control-Allow-Private-Network") is not None:
        assert acrpn == "true" and method == "OPTIONS", response


_FUZZ_APP: list[Flask] = []


def _fuzz_app() -> Flask:
    if not _FUZZ_APP:
        _FUZZ_APP.append(make_app())
    return _FUZZ_APP[0]


# --------------------------------------------------------------------------------------------
# Bounded work, counted
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Work:
    events: int  # Python call/line/return events inside flask_preflight
    peak: int  # peak bytes allocated while answering (tracemalloc)
    status: int


def measure(app: Flask, environ_factory: Callable[[], dict[str, Any]]) -> Work:
    """Answer one request twice: once traced line by line, once under tracemalloc."""
    counter = [0]

    def local(frame: FrameType, event: str, arg: object) -> Any:
        counter[0] += 1
        return local

    def trace(frame: FrameType, event: str, arg: object) -> Any:
        if frame.f_code.co_filename.startswith(PACKAGE_DIR):
            counter[0] += 1
            return local
        return None

    previous = sys.gettrace()
    sys.settrace(trace)
    try:
        response = call_environ(app, environ_factory())
    finally:
        sys.settrace(previous)
    environ = environ_factory()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        call_environ(app, environ)
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    return Work(counter[0], peak, response.status)


def preflight_environ(
    acrh: str | None = None, origin: str = ORIGIN, acrm: str = "PUT", acrpn: str | None = None
) -> Callable[[], dict[str, Any]]:
    headers = [("Origin", origin), ("Access-Control-Request-Method", acrm)]
    if acrh is not None:
        headers.append(("Access-Control-Request-Headers", acrh))
    if acrpn is not None:
        headers.append((ACRPN, acrpn))
    return lambda: environ_for("OPTIONS", "/r", headers)


def _sizes() -> Iterator[int]:
    yield from (1, 10, 100, 1000)


OVERSIZED: dict[str, Callable[[int], Callable[[], dict[str, Any]]]] = {
    "acrh-names": lambda k: preflight_environ(acrh=names((MAX_REQUEST_HEADER_NAMES + 1) * k, 6)),
    "acrh-commas": lambda k: preflight_environ(acrh="," * (MAX_REQUEST_HEADERS_LENGTH + 1) * k),
    "acrh-token": lambda k: preflight_environ(acrh="a" * (MAX_REQUEST_HEADERS_LENGTH + 1) * k),
    "acrh-spaces": lambda k: preflight_environ(acrh="x-a," + " " * MAX_REQUEST_HEADERS_LENGTH * k),
    "acrh-dupes": lambda k: preflight_environ(acrh="x-a," * (MAX_REQUEST_HEADER_NAMES + 1) * k),
    "origin": lambda k: preflight_environ(origin="https://" + "a" * MAX_ORIGIN_LENGTH * k),
    "origin-subdomain": lambda k: preflight_environ(
        origin="https://" + "a." * MAX_ORIGIN_LENGTH * k + "example.net"
    ),
    "origin-list": lambda k: preflight_environ(origin=f"{ORIGIN}," * 64 * k),
    "acrm": lambda k: preflight_environ(acrm="P" * (MAX_REQUEST_METHOD_LENGTH + 1) * k),
    "acrpn": lambda k: preflight_environ(acrpn="true" * 1000 * k),
    "actual-origin": lambda k: (
        lambda: environ_for(
            "GET", "/r", [("Origin", "https://" + "a." * MAX_ORIGIN_LENGTH * k + "example.net")]
        )
    ),
}


@pytest.mark.parametrize("kind", list(OVERSIZED))
def test_work_stops_at_the_caps(app: Flask, kind: str) -> None:
    """From just past a cap to 1000 times past it, the work does not grow at all."""
    make = OVERSIZED[kind]
    measure(app, make(1))  # warm caches (route resolution, compiled policies)
    results = {k: measure(app, make(k)) for k in _sizes()}
    events = [w.events for w in results.values()]
    assert max(events) - min(events) <= 5, {k: w.events for k, w in results.items()}
    biggest = len(str(make(1000)()))
    peaks = {k: w.peak for k, w in results.items()}
    assert max(peaks.values()) < 64 * 1024, (peaks, biggest)
    if kind not in ("actual-origin", "acrpn"):  # those two are no preflight refusals
        assert {w.status for w in results.values()} == {403}, results


def test_work_below_the_caps_is_linear(app: Flask) -> None:
    """Each additional requested name costs the same small, fixed number of events."""
    measure(app, preflight_environ(acrh=names(2)))
    counts = {n: measure(app, preflight_environ(acrh=names(n))).events for n in (8, 16, 32, 64)}
    assert all(measure(app, preflight_environ(acrh=names(n))).status == 204 for n in counts)
    slopes = [(counts[b] - counts[a]) / (b - a) for a, b in ((8, 16), (16, 32), (32, 64))]
    assert max(slopes) <= 1.25 * min(slopes) + 0.5, (counts, slopes)
    assert max(slopes) <= 40, (counts, slopes)  # a handful of lines per name, not a loop each
