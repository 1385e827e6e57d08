"""Reference model of CORS, written independently of ``flask_preflight``.

Two halves:

* **The browser** (:func:`browser_fetch`): what a page's ``fetch()`` puts on the wire and whether
  the browser lets the page read the result, following the WHATWG Fetch Standard
  (https://fetch.spec.whatwg.org/; the rule numbers ``R…`` are labels kept from the notes it
  was first written from, each rule being stated where it is used).
  Where Chromium diverges from the spec (``Authorization`` covered by ``*``), the model follows
  the spec, which is the stricter of the two.
* **The intent** (:class:`PolicyModel`, :func:`intended`): given a policy as written in issue 2
  and a page's request, should the page be able to make that request.

The differential tests run the browser model against a real Flask app and check that the
browser's verdict equals the intent, for every generated case.
"""

from __future__ import annotations

import ipaddress
import re
import string
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Union

# --------------------------------------------------------------------------------------------
# HTTP grammar
# --------------------------------------------------------------------------------------------

TCHARS = frozenset("!#$%&'*+-.^_`|~" + string.digits + string.ascii_letters)
HTTP_WS = " \t"


def is_token(value: str) -> bool:
    """RFC 9110 ``token``: one or more tchars."""
    return bool(value) and all(c in TCHARS for c in value)


class ListParseFailure:
    """Marker for "extract header list values" returning failure (R3.5)."""


FAILURE = ListParseFailure()


def extract_list(values: Sequence[str]) -> list[str] | ListParseFailure | None:
    """Fetch "extract header list values" for a ``#token`` list header (R3.5, R3.7).

    ``values`` are the header's field lines in order. Lines combine, empty elements are ignored,
    and any element that is not a token fails the whole list.
    """
    if not values:
        return None
    items: list[str] = []
    for line in values:
        for part in line.split(","):
            element = part.strip(HTTP_WS)
            if not element:
                continue
            if not is_token(element):
                return FAILURE
            items.append(element)
    return items


def vary_tokens(values: Sequence[str]) -> list[str]:
    """The field names listed in ``Vary`` lines, lowercased, in order (duplicates kept)."""
    return [p.strip(HTTP_WS).lower() for v in values for p in v.split(",") if p.strip(HTTP_WS)]


# --------------------------------------------------------------------------------------------
# Origins (R5)
# --------------------------------------------------------------------------------------------

DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443, "ftp": 21}

_ORIGIN_SHAPE = re.compile(
    r"(?P<scheme>[a-z][a-z0-9+.-]*)://(?P<host>\[[0-9a-f:.]+\]|[a-z0-9_.-]+)(?::(?P<port>[0-9]+))?"
)
_LABEL = re.compile(r"[a-z0-9_-]{1,63}")


@dataclass(frozen=True)
class Origin:
    scheme: str
    host: str
    port: int | None

    def serialize(self) -> str:
        port = "" if self.port is None else f":{self.port}"
        return f"{self.scheme}://{self.host}{port}"

    @property
    def is_ip(self) -> bool:
        return self.host.startswith("[") or _is_ipv4(self.host)


def _is_ipv4(host: str) -> bool:
    try:
        return str(ipaddress.IPv4Address(host)) == host
    except ValueError:
        return False


def _valid_host(host: str) -> bool:
    if host.startswith("["):
        try:
            return f"[{ipaddress.IPv6Address(host[1:-1]).compressed}]" == host
        except ValueError:
            return False
    name = host[:-1] if host.endswith(".") else host  # a trailing dot is a distinct, real host
    if not name or len(name) > 253:
        return False
    labels = name.split(".")
    if labels[-1].isdigit() or labels[-1].startswith("0x"):
        # "ends in a number": the URL parser treats the host as IPv4 and needs it canonical.
        return _is_ipv4(name) and name == host
    return all(_LABEL.fullmatch(label) for label in labels)


def parse_serialized_origin(value: str) -> Origin | None:
    """Parse ``value`` if it is exactly what a browser sends in ``Origin`` for a tuple origin.

    Lowercase scheme and host, no path, no userinfo, no trailing slash, IPv6 bracketed and
    compressed, IDNs in punycode, no default port (R5.1-R5.4). Returns None for anything else,
    including ``null`` (opaque origins are handled separately).
    """
    if not value.isascii() or len(value) > 300:
        return None
    m = _ORIGIN_SHAPE.fullmatch(value)
    if m is None:
        return None
    scheme, host, port_text = m.group("scheme"), m.group("host"), m.group("port")
    if not _valid_host(host):
        return None
    port: int | None = None
    if port_text is not None:
        if (port_text != "0" and port_text.startswith("0")) or int(port_text) > 65535:
            return None
        port = int(port_text)
        if DEFAULT_PORTS.get(scheme) == port:
            return None
    return Origin(scheme, host, port)


def is_origin_shaped(value: str) -> bool:
    """Looser than :func:`is_serialized_origin`: the right shape and characters, but the host
    need not be canonical (``http://127.1``, ``http://[0:0::1]`` and ``http://a.1.2.3.4`` pass
    here; no browser sends them, since its URL parser rewrites or rejects such hosts)."""
    m = _ORIGIN_SHAPE.fullmatch(value) if value.isascii() and len(value) <= 300 else None
    if m is None:
        return False
    port = m.group("port")
    return port is None or (
        (port == "0" or not port.startswith("0"))
        and int(port) <= 65535
        and DEFAULT_PORTS.get(m.group("scheme")) != int(port)
    )


def is_serialized_origin(value: str) -> bool:
    return value == "null" or parse_serialized_origin(value) is not None


def _split_config_origin(text: str) -> tuple[str, str, str | None]:
    """Split a configured origin (or pattern) into scheme, host and port text (unvalidated)."""
    scheme, sep, rest = text.partition("://")
    if not sep:
        raise ValueError(f"not an origin: {text!r}")
    if rest.startswith("["):
        close = rest.index("]")
        host, after = rest[: close + 1], rest[close + 1 :]
        port = after[1:] if after.startswith(":") else None
    elif ":" in rest:
        host, port = rest.split(":", 1)
    else:
        host, port = rest, None
    return scheme, host, port


def _to_ascii_host(host: str) -> str:
    if host.startswith("["):
        return f"[{ipaddress.IPv6Address(host[1:-1]).compressed}]"
    if host.isascii():
        return host.lower()
    return ".".join(
        label.lower() if label.isascii() else label.encode("idna").decode("ascii")
        for label in host.split(".")
    )


def normalize_config_origin(text: str) -> str:
    """How issue 2 normalizes a configured exact origin: lowercase scheme and host, default port
    dropped, IDN to punycode. Browsers serialize the same origin this way (R5.5 examples)."""
    scheme, host, port = _split_config_origin(text)
    scheme = scheme.lower()
    port_num = None if port is None else int(port)
    if port_num == DEFAULT_PORTS.get(scheme):
        port_num = None
    return Origin(scheme, _to_ascii_host(host), port_num).serialize()


# --------------------------------------------------------------------------------------------
# Requests a page makes (R1, R2)
# --------------------------------------------------------------------------------------------

SAFELISTED_METHODS = frozenset({"GET", "HEAD", "POST"})
NORMALIZED_METHODS = frozenset({"DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"})
FORBIDDEN_METHODS = frozenset({"CONNECT", "TRACE", "TRACK"})
NON_WILDCARD_HEADER_NAMES = frozenset({"authorization"})
SAFELISTED_RESPONSE_HEADERS = frozenset(
    {"cache-control", "content-language", "content-length", "content-type", "expires"}
    | {"last-modified", "pragma"}
)
_UNSAFE_BYTES = frozenset(chr(c) for c in range(0x20) if c != 0x09) | frozenset(
    '"():<>?@[\\]{}\x7f'
)
_LANGUAGE_CHARS = frozenset(string.ascii_letters + string.digits + " *,-.;=")
_SAFE_CONTENT_TYPES = frozenset(
    {"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"}
)
_RANGE = re.compile(r"bytes=([0-9]+)-([0-9]*)")


def normalize_method(method: str) -> str:
    """R1.1: fetch() uppercases only DELETE GET HEAD OPTIONS POST PUT."""
    upper = method.upper()
    return upper if upper in NORMALIZED_METHODS else method


def is_safelisted_request_header(name: str, value: str) -> bool:
    """R1.2 (spec list only; Chromium's extra names, R1.6, are not modelled)."""
    lname = name.lower()
    if len(value.encode("utf-8")) > 128:
        return False
    if lname == "accept":
        return not any(c in _UNSAFE_BYTES for c in value)
    if lname in ("accept-language", "content-language"):
        return all(c in _LANGUAGE_CHARS for c in value)
    if lname == "content-type":
        if any(c in _UNSAFE_BYTES for c in value):
            return False
        essence = value.strip(HTTP_WS + "\r\n").split(";", 1)[0]
        if essence != essence.strip(HTTP_WS) or essence.count("/") != 1:
            return False
        kind, subtype = essence.split("/")
        if not (is_token(kind) and is_token(subtype)):
            return False
        return essence.lower() in _SAFE_CONTENT_TYPES
    if lname == "range":
        m = _RANGE.fullmatch(value)
        if m is None:
            return False
        return not m.group(2) or int(m.group(1)) <= int(m.group(2))
    return False


def combine_headers(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """A Headers object: names lowercased, duplicates combined with ", "."""
    combined: dict[str, str] = {}
    for name, value in headers:
        key = name.lower()
        combined[key] = f"{combined[key]}, {value}" if key in combined else value
    return combined


def unsafe_request_header_names(headers: Iterable[tuple[str, str]]) -> list[str]:
    """R1.2-R1.3 and R2.3: the names that go into ACRH, lowercased, unique, byte-sorted."""
    unsafe: set[str] = set()
    safelisted: list[str] = []
    size = 0
    for name, value in combine_headers(headers).items():
        if is_safelisted_request_header(name, value):
            safelisted.append(name)
            size += len(value.encode("utf-8"))
        else:
            unsafe.add(name)
    if size > 1024:
        unsafe.update(safelisted)
    return sorted(unsafe)


@dataclass(frozen=True)
class PageFetch:
    """``fetch(url, {method, headers, credentials})`` called by a page at ``origin``."""

    origin: str  # the page's serialized origin, or "null" for an opaque one
    path: str
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    credentials: bool = False  # credentials: "include"

    @property
    def wire_method(self) -> str:
        return normalize_method(self.method)

    @property
    def unsafe_names(self) -> list[str]:
        return unsafe_request_header_names(self.headers)

    @property
    def preflighted(self) -> bool:
        return self.wire_method not in SAFELISTED_METHODS or bool(self.unsafe_names)


@dataclass(frozen=True)
class WireRequest:
    method: str
    path: str
    headers: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class WireResponse:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes = b""

    def get_all(self, name: str) -> list[str]:
        lname = name.lower()
        return [v for k, v in self.headers if k.lower() == lname]

    def get(self, name: str) -> str | None:
        """Fetch "get": all field lines combined with ", ", or None."""
        values = self.get_all(name)
        return ", ".join(values) if values else None

    def access_control_names(self) -> list[str]:
        return [k for k, _ in self.headers if k.lower().startswith("access-control-")]


Send = Callable[[WireRequest], WireResponse]


@dataclass
class Verdict:
    """What the browser decided, and why."""

    allowed: bool
    reason: str
    preflight: tuple[WireRequest, WireResponse] | None = None
    actual: tuple[WireRequest, WireResponse] | None = None
    exposed: frozenset[str] = field(default_factory=frozenset)


# --------------------------------------------------------------------------------------------
# The browser's checks (R3, R4)
# --------------------------------------------------------------------------------------------


def cors_check(response: WireResponse, origin: str, credentials: bool) -> str | None:
    """Fetch "CORS check" (R3.2-R3.4, R4.1-R4.2). Returns None on success, else the reason."""
    lines = response.get_all("Access-Control-Allow-Origin")
    if not lines:
        return "no Access-Control-Allow-Origin"
    value = ", ".join(v.strip(HTTP_WS) for v in lines)
    if not credentials and value == "*":
        return None
    if value != origin:
        return f"Access-Control-Allow-Origin {value!r} != {origin!r}"
    if not credentials:
        return None
    acac = response.get("Access-Control-Allow-Credentials")
    if acac is None or acac.strip(HTTP_WS) != "true":
        return f"credentials without Access-Control-Allow-Credentials: true ({acac!r})"
    return None


def preflight_check(
    response: WireResponse, origin: str, method: str, unsafe: Sequence[str], credentials: bool
) -> str | None:
    """Fetch "CORS-preflight fetch" step 7 (R3.1-R3.7). Returns None on success, else why."""
    failure = cors_check(response, origin, credentials)
    if failure is not None:
        return f"preflight: {failure}"
    if not 200 <= response.status <= 299:
        return f"preflight status {response.status}"
    methods = extract_list(response.get_all("Access-Control-Allow-Methods"))
    names = extract_list(response.get_all("Access-Control-Allow-Headers"))
    if isinstance(methods, ListParseFailure) or isinstance(names, ListParseFailure):
        return "preflight: unparsable Access-Control-Allow-Methods/-Headers"
    methods = methods or []
    names = names or []
    if not (
        method in methods or method in SAFELISTED_METHODS or ("*" in methods and not credentials)
    ):
        return f"preflight: method {method!r} not in {methods!r}"
    lowered = {n.lower() for n in names}
    for name in unsafe:
        if name in NON_WILDCARD_HEADER_NAMES and name not in lowered:
            return f"preflight: {name!r} must be listed explicitly"
        if name not in lowered and (credentials or "*" not in names):
            return f"preflight: header {name!r} not in {names!r}"
    return None


def exposed_names(response: WireResponse, credentials: bool) -> frozenset[str]:
    """R4.4: names the page can read (beyond the always-safelisted ones)."""
    names = extract_list(response.get_all("Access-Control-Expose-Headers"))
    if names is None or isinstance(names, ListParseFailure):
        return frozenset()
    if "*" in names and not credentials:
        listed = {k.lower() for k, _ in response.headers}
    else:
        listed = {n.lower() for n in names}
    return frozenset(listed - {"set-cookie", "set-cookie2"})


def browser_fetch(page: PageFetch, send: Send) -> Verdict:
    """Run ``page``'s request the way a browser does (cors mode, cross-origin)."""
    method = page.wire_method
    if method.upper() in FORBIDDEN_METHODS:
        raise ValueError(f"fetch() throws a TypeError for {page.method!r}")
    unsafe = page.unsafe_names
    preflight: tuple[WireRequest, WireResponse] | None = None
    if page.preflighted:
        headers = [
            ("Origin", page.origin),
            ("Accept", "*/*"),
            ("Access-Control-Request-Method", method),
        ]
        if unsafe:
            headers.append(("Access-Control-Request-Headers", ",".join(unsafe)))
        request = WireRequest("OPTIONS", page.path, tuple(headers))
        response = send(request)
        preflight = (request, response)
        failure = preflight_check(response, page.origin, method, unsafe, page.credentials)
        if failure is not None:
            return Verdict(False, failure, preflight=preflight)
    request = WireRequest(method, page.path, (*page.headers, ("Origin", page.origin)))
    response = send(request)
    actual = (request, response)
    failure = cors_check(response, page.origin, page.credentials)
    if failure is not None:
        return Verdict(False, f"actual: {failure}", preflight=preflight, actual=actual)
    return Verdict(
        True,
        "allowed",
        preflight=preflight,
        actual=actual,
        exposed=exposed_names(response, page.credentials),
    )


# --------------------------------------------------------------------------------------------
# The intent: issue 2's policy semantics
# --------------------------------------------------------------------------------------------

#: Request-header names a list-valued ``allow_headers`` always allows (issue 2 contract).
ALWAYS_ALLOWED_HEADERS = frozenset(
    {"accept", "accept-language", "content-language", "content-type"}
)


class OriginEntry:
    """One element of ``origins``: ``config`` is what the extension is given."""

    config: object

    def admits(self, origin: str) -> bool:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.config!r})"


class AnyOrigin(OriginEntry):
    config = "*"

    def admits(self, origin: str) -> bool:
        return True  # answered with a literal "*", which the browser accepts for any origin


class NullOrigin(OriginEntry):
    config = "null"

    def admits(self, origin: str) -> bool:
        return origin == "null"


class ExactOrigin(OriginEntry):
    def __init__(self, config: str) -> None:
        self.config = config
        self.normalized = normalize_config_origin(config)

    def admits(self, origin: str) -> bool:
        return origin == self.normalized


class SubdomainPattern(OriginEntry):
    """``scheme://*.domain[:port]``: any depth of subdomain, never the apex."""

    def __init__(self, config: str) -> None:
        self.config = config
        scheme, host, port = _split_config_origin(config)
        if not host.startswith("*."):
            raise ValueError(config)
        self.scheme = scheme.lower()
        self.domain = _to_ascii_host(host[2:])
        port_num = None if port is None else int(port)
        self.port = None if port_num == DEFAULT_PORTS.get(self.scheme) else port_num

    def admits(self, origin: str) -> bool:
        parsed = parse_serialized_origin(origin)
        if parsed is None or parsed.is_ip or parsed.scheme != self.scheme:
            return False
        if parsed.port != self.port:
            return False
        host = parsed.host
        return host.endswith("." + self.domain) and len(host) > len(self.domain) + 1


class PortPattern(OriginEntry):
    """``scheme://host:*``: that scheme and host on any port, including none."""

    def __init__(self, config: str) -> None:
        self.config = config
        scheme, host, port = _split_config_origin(config)
        if port != "*":
            raise ValueError(config)
        self.scheme = scheme.lower()
        self.host = _to_ascii_host(host)

    def admits(self, origin: str) -> bool:
        parsed = parse_serialized_origin(origin)
        return parsed is not None and (parsed.scheme, parsed.host) == (self.scheme, self.host)


class RegexOrigin(OriginEntry):
    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.config = pattern
        self.pattern = pattern

    def admits(self, origin: str) -> bool:
        return (
            parse_serialized_origin(origin) is not None
            and self.pattern.fullmatch(origin) is not None
        )


class CallableOrigin(OriginEntry):
    def __init__(self, func: Callable[[str], bool], name: str) -> None:
        self.config = func
        self.func = func
        self.name = name

    def admits(self, origin: str) -> bool:
        return parse_serialized_origin(origin) is not None and bool(self.func(origin))

    def __repr__(self) -> str:
        return f"CallableOrigin({self.name})"


MaxAge = Union[int, timedelta, None]
_UNSET: object = object()


@dataclass
class PolicyModel:
    """A policy as a user writes it, plus what it means.

    Fields left at ``_UNSET`` are not passed to the extension (so its defaults apply).
    ``origins_as_str`` passes a single entry as a plain string instead of a list.
    """

    origins: tuple[OriginEntry, ...] = ()
    methods: object = _UNSET  # "*" or tuple of names
    allow_headers: object = _UNSET  # "*" or tuple of names
    expose_headers: object = _UNSET  # tuple of names
    credentials: object = _UNSET  # bool
    max_age: object = _UNSET  # MaxAge
    private_network: object = _UNSET  # bool
    origins_as_str: bool = False

    def kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``cors()`` / ``Preflight()``."""
        out: dict[str, Any] = {}
        if self.origins_as_str and len(self.origins) == 1:
            out["origins"] = self.origins[0].config
        else:
            out["origins"] = [e.config for e in self.origins]
        for name in (
            "methods",
            "allow_headers",
            "expose_headers",
            "credentials",
            "max_age",
            "private_network",
        ):
            value = getattr(self, name)
            if value is not _UNSET:
                out[name] = list(value) if isinstance(value, tuple) else value
        if self.with_credentials:
            # Credentialed plain-http, null and public-suffix origins are refused at start-up
            # unless tolerated (test_config.py checks that); tolerating them here keeps
            # their matching under differential test.
            out["dangerously_tolerate"] = [
                "insecure_origins",
                "null_with_credentials",
                "public_suffix_subdomains",
            ]
        return out

    # -- effective values ---------------------------------------------------------------
    @property
    def is_wildcard(self) -> bool:
        return any(isinstance(e, AnyOrigin) for e in self.origins)

    @property
    def with_credentials(self) -> bool:
        return self.credentials is True

    @property
    def with_private_network(self) -> bool:
        return self.private_network is True

    @property
    def max_age_header(self) -> str | None:
        value = 600 if self.max_age is _UNSET else self.max_age
        if value is None:
            return None
        if isinstance(value, timedelta):
            return str(int(value.total_seconds()))
        assert isinstance(value, int)
        return str(value)

    @property
    def exposed(self) -> frozenset[str]:
        if not isinstance(self.expose_headers, tuple):
            return frozenset()
        return frozenset(n.lower() for n in self.expose_headers)

    def origin_allowed(self, origin: str) -> bool:
        return any(e.admits(origin) for e in self.origins)

    def method_allowed(self, method: str, route_methods: Iterable[str]) -> bool:
        """ACRM against the policy, case-insensitively, never wider than the route."""
        upper = method.upper()
        route = {m.upper() for m in route_methods}
        if upper not in route:
            return False
        if self.methods is _UNSET or self.methods == "*":
            return True
        assert isinstance(self.methods, tuple)
        return upper in {m.upper() for m in self.methods}

    def headers_allowed(self, names: Iterable[str]) -> bool:
        if self.allow_headers is _UNSET or self.allow_headers == "*":
            return True
        assert isinstance(self.allow_headers, tuple)
        allowed = {n.lower() for n in self.allow_headers} | ALWAYS_ALLOWED_HEADERS
        return all(n.lower() in allowed for n in names)


def intended(
    policy: PolicyModel | None, route_methods: Iterable[str], page: PageFetch
) -> bool | None:
    """Should ``page``'s request succeed? None where issue 2 leaves the outcome open.

    ``policy`` is None for an endpoint without CORS; ``route_methods`` are the methods the URL's
    rules accept. A method outside ``methods`` is refused even for a simple request (no
    preflight): ``methods`` lists what a cross-origin page may use, so the actual response to a
    simple ``GET`` outside it carries no grant either.
    """
    route = {m.upper() for m in route_methods}
    method = page.wire_method
    if method.upper() not in route and not page.preflighted:
        return None  # a 405 for a simple request: which policy answers it is not specified
    if policy is None or not policy.origin_allowed(page.origin):
        return False
    if page.credentials and not policy.with_credentials:
        return False
    if not policy.method_allowed(method, route):
        return False  # `methods` limits actual requests too, simple ones included
    return not page.preflighted or policy.headers_allowed(page.unsafe_names)
