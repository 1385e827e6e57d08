"""Origins: parsing and normalising configured origins, and the matcher built from them.

A configured origin is normalised once, the way browsers serialise origins (lowercase
scheme and host, IDN in punycode, default port dropped). A request's ``Origin`` is then
compared exactly, byte for byte: browsers only ever send the serialised form, so anything
else is not an origin a browser would send and is refused.

Nothing here imports Flask.
"""

from __future__ import annotations

import functools
import importlib
import ipaddress
import logging
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Union

import idna
from publicsuffixlist import PublicSuffixList

from .headers import MAX_ORIGIN_LENGTH

# The regex parser (``re._parser``; ``sre_parse`` before Python 3.11), only read to build
# an example of a configured origin regex; untyped, hence ``Any``.
_sre_parser: Any = importlib.import_module(
    "re._parser" if sys.version_info >= (3, 11) else "sre_parse"
)

_REPEATS = tuple(
    getattr(_sre_parser, name)
    for name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")
    if hasattr(_sre_parser, name)
)
_ZERO_WIDTH = (_sre_parser.ASSERT, _sre_parser.ASSERT_NOT)
_ATOMIC_GROUP = getattr(_sre_parser, "ATOMIC_GROUP", None)

logger = logging.getLogger("flask_preflight")

ANY_ORIGIN = "*"
NULL_ORIGIN = "null"
ANY_PORT = -1  # a port pattern's port: "http://localhost:*"

OriginPredicate = Callable[[str], bool]
OriginSpec = Union[str, "re.Pattern[str]", OriginPredicate]

_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
_SCHEME = re.compile(r"[a-z][a-z0-9+.\-]*")
_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_\-]{0,61}[a-z0-9_])?")
# A serialised origin as a browser sends it (tuple origins; "null" is handled apart).
_SERIALIZED_ORIGIN = re.compile(
    r"(?P<scheme>[a-z][a-z0-9+.\-]*)://"
    r"(?P<host>[a-z0-9_\-.]+|\[[0-9a-f:.]+\])"
    r"(?::(?P<port>[1-9][0-9]{0,4}))?"
)
# The syntax of a serialised origin, for exporters (edge/) that restate it for another server.
SERIALIZED_ORIGIN_PATTERN = _SERIALIZED_ORIGIN.pattern
MAX_PORT = 65535
DEFAULT_PORTS: Mapping[str, int] = MappingProxyType(_DEFAULT_PORTS)


def default_port(scheme: str) -> int | None:
    """The port a serialised origin of ``scheme`` never states (browsers omit it)."""
    return _DEFAULT_PORTS.get(scheme)


# Origins no legitimate policy admits; a regex that matches one admits arbitrary origins.
CANARY_ORIGINS = ("https://attacker.invalid", "http://evil.example:8080")


class OriginError(ValueError):
    """A configured origin is malformed; the message says how to write it."""


@dataclass(frozen=True)
class ParsedOrigin:
    """A configured origin, normalised. ``host`` may start with ``*.``; ``port`` may be
    ``ANY_PORT`` or ``None`` (the scheme's default)."""

    scheme: str
    host: str
    port: int | None

    @property
    def is_subdomain_pattern(self) -> bool:
        return self.host.startswith("*.")

    def serialize(self) -> str:
        if self.port is None:
            port = ""
        elif self.port == ANY_PORT:
            port = ":*"
        else:
            port = f":{self.port}"
        return f"{self.scheme}://{self.host}{port}"


def _normalize_host(host: str, spec: str) -> str:
    if host.startswith("[") and host.endswith("]"):
        try:
            return f"[{ipaddress.IPv6Address(host[1:-1]).compressed}]"
        except ValueError:
            raise OriginError(f"{spec!r} has an invalid IPv6 address") from None
    ascii_host = host
    if not host.isascii():
        # UTS #46 non-transitional processing, as browsers do: "ß" stays a letter of its
        # own ("xn--fuball-cta"), where Python's IDNA 2003 codec would fold it to "ss"
        # and name another registrable domain.
        try:
            ascii_host = idna.encode(host, uts46=True, transitional=False).decode("ascii")
        except idna.IDNAError as error:
            raise OriginError(
                f"{spec!r} has a host that is not a valid internationalised domain name ({error})"
            ) from None
    ascii_host = ascii_host.lower()
    labels = ascii_host.split(".")
    if ascii_host.endswith(".") or not all(_LABEL.fullmatch(label) for label in labels):
        raise OriginError(
            f"{spec!r} has a host that is not a valid domain name "
            "(letters, digits, '-' and '_' in dot-separated labels)"
        )
    return ascii_host


def parse_origin(spec: str) -> ParsedOrigin:
    """Parse and normalise one configured origin (exact, subdomain or port pattern).

    Raises ``OriginError`` with the fixed form to use where one can be suggested.
    """
    _check_whole_value(spec)
    if spec.lower() == NULL_ORIGIN:
        raise OriginError(
            f"{spec!r} is not how browsers write the null origin: write 'null' (lowercase)"
        )
    if "://" not in spec:
        raise OriginError(
            f"{spec!r} has no scheme: write it as the browser sends it, "
            f"e.g. '{_likely_scheme(spec)}://{spec.strip('/')}'"
        )
    scheme, rest = spec.split("://", 1)
    scheme = scheme.lower()
    if not _SCHEME.fullmatch(scheme):
        raise OriginError(f"{spec!r} has an invalid scheme {scheme!r}")
    cut = min((i for i in (rest.find(c) for c in "/?#") if i != -1), default=len(rest))
    authority, tail = rest[:cut], rest[cut:]
    if "@" in authority:
        fixed = f"{scheme}://{authority.rsplit('@', 1)[1]}"
        raise OriginError(f"{spec!r} has userinfo, which an origin never carries: use {fixed!r}")
    if tail:
        what = {
            "/": "a trailing slash" if tail == "/" else "a path",
            "?": "a query",
            "#": "a fragment",
        }[tail[0]]
        raise OriginError(
            f"{spec!r} has {what}, which an origin never carries: use '{scheme}://{authority}'"
        )
    host, port_text = authority, ""
    if authority.startswith("["):
        end = authority.find("]")
        if end != -1:
            host, port_text = authority[: end + 1], authority[end + 1 :]
            if port_text and not port_text.startswith(":"):
                raise OriginError(f"{spec!r} has an invalid IPv6 address")
            port_text = port_text[1:]
    elif ":" in authority:
        host, port_text = authority.rsplit(":", 1)
    port: int | None
    if port_text == "*":
        port = ANY_PORT
    elif port_text == "" and ":" not in authority.rsplit("]", 1)[-1]:
        port = None
    elif port_text.isdigit() and port_text.isascii() and 0 < int(port_text) < 65536:
        port = int(port_text)
        if port == _DEFAULT_PORTS.get(scheme):
            port = None
    else:
        raise OriginError(f"{spec!r} has an invalid port {port_text!r} (1-65535, or '*')")
    if not host:
        raise OriginError(f"{spec!r} has no host")
    if host.startswith("*."):
        base = _normalize_host(host[2:], spec)
        if "*" in base or base.startswith("["):
            raise OriginError(_wildcard_help(spec))
        if base.count(".") == 0 and base != "localhost":
            raise OriginError(
                f"{spec!r} admits every domain under the top-level domain {base!r}: "
                f"name your own domain, e.g. '{scheme}://*.example.{base}'"
            )
        if _is_ip_address(base):
            raise OriginError(f"{spec!r} puts a subdomain wildcard on an IP address")
        host = "*." + base
    elif "*" in host:
        raise OriginError(_wildcard_help(spec))
    else:
        host = _normalize_host(host, spec)
    return ParsedOrigin(scheme, host, port)


def _is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _wildcard_help(spec: str) -> str:
    return (
        f"{spec!r} has a '*' where none is allowed: '*' may only be the whole value (any "
        "origin), a leading subdomain label ('https://*.example.com') or the port "
        "('http://localhost:*')"
    )


def _split_request_origin(origin: str) -> tuple[str, str, int | None] | None:
    """Split a serialised request origin into (scheme, host, port), or ``None`` when it is
    not in the exact form a browser sends."""
    match = _SERIALIZED_ORIGIN.fullmatch(origin)
    if match is None:
        return None
    scheme, host, port_text = match.group("scheme", "host", "port")
    port = int(port_text) if port_text else None
    if port is not None and (port > MAX_PORT or port == default_port(scheme)):
        return None
    return scheme, host, port


@dataclass(frozen=True)
class OriginMatcher:
    """Decides whether a request's ``Origin`` is allowed. Built once per policy.

    The cost of a decision does not grow with the number of exact origins or patterns:
    exact origins are a set lookup, patterns are looked up by the origin's host and its
    parent domains, which are at most a few dozen.
    """

    any_origin: bool
    exact: frozenset[str]
    any_port_hosts: frozenset[tuple[str, str]]
    subdomain_bases: frozenset[tuple[str, str, int | None]]
    regexes: tuple[re.Pattern[str], ...]
    predicates: tuple[OriginPredicate, ...]

    @property
    def allows_nothing(self) -> bool:
        return not (
            self.any_origin
            or self.exact
            or self.any_port_hosts
            or self.subdomain_bases
            or self.regexes
            or self.predicates
        )

    @property
    def is_dynamic(self) -> bool:
        """Whether the answer depends on the request's origin (so ``Vary: Origin``)."""
        return not self.any_origin and not self.allows_nothing

    def allows(self, origin: str) -> bool:
        if self.any_origin or origin in self.exact:
            return True
        if len(origin) > MAX_ORIGIN_LENGTH:
            return False
        parts = _split_request_origin(origin)
        if parts is None:
            return False  # "null", or not a serialised origin: only an exact entry admits it
        scheme, host, port = parts
        if (scheme, host) in self.any_port_hosts:
            return True
        if self.subdomain_bases and not host.startswith("["):
            dot = host.find(".")
            while dot != -1:
                base = host[dot + 1 :]
                if (scheme, base, port) in self.subdomain_bases or (
                    scheme,
                    base,
                    ANY_PORT,
                ) in self.subdomain_bases:
                    return True
                dot = host.find(".", dot + 1)
        for regex in self.regexes:
            if regex.fullmatch(origin):
                return True
        for predicate in self.predicates:
            try:
                verdict = predicate(origin)
            except Exception:
                logger.exception("origin predicate %r raised for origin %r", predicate, origin)
                continue
            if verdict is True:
                return True
            if verdict is not False:
                logger.warning(
                    "origin predicate %r returned %r, not True or False, for origin %r: refused",
                    predicate,
                    type(verdict).__name__,
                    origin,
                )
        return False


def admits_arbitrary_origins(spec: OriginSpec) -> bool:
    """Whether one configured origin admits origins no real policy would (``*``, a regex
    that matches a canary origin). Callables cannot be inspected and are trusted."""
    if isinstance(spec, str):
        return spec == ANY_ORIGIN
    if isinstance(spec, re.Pattern):
        return any(spec.fullmatch(canary) for canary in CANARY_ORIGINS)
    return False


def build_matcher(specs: tuple[OriginSpec, ...]) -> OriginMatcher:
    """Build the matcher for configured origins that were already validated."""
    exact: set[str] = set()
    any_port_hosts: set[tuple[str, str]] = set()
    subdomain_bases: set[tuple[str, str, int | None]] = set()
    regexes: list[re.Pattern[str]] = []
    predicates: list[OriginPredicate] = []
    any_origin = False
    for spec in specs:
        if isinstance(spec, re.Pattern):
            regexes.append(spec)
        elif isinstance(spec, str):
            if spec == ANY_ORIGIN:
                any_origin = True
            elif spec == NULL_ORIGIN:
                exact.add(NULL_ORIGIN)
            else:
                parsed = parse_origin(spec)
                if parsed.is_subdomain_pattern:
                    subdomain_bases.add((parsed.scheme, parsed.host[2:], parsed.port))
                elif parsed.port == ANY_PORT:
                    any_port_hosts.add((parsed.scheme, parsed.host))
                else:
                    exact.add(parsed.serialize())
        else:
            predicates.append(spec)
    return OriginMatcher(
        any_origin=any_origin,
        exact=frozenset(exact),
        any_port_hosts=frozenset(any_port_hosts),
        subdomain_bases=frozenset(subdomain_bases),
        regexes=tuple(regexes),
        predicates=tuple(predicates),
    )


# --- dangerous origins (checked at start-up, with credentials) ---------------------------

# What browsers treat as a potentially trustworthy origin over plain http: loopback.
_LOOPBACK_NAMES = ("localhost", "[::1]")
# Host labels appended or prepended to a regex's own example origin: an origin no policy
# means to admit, on another registrable domain.
PROBE_SUFFIX = ".attacker.invalid"
PROBE_PREFIX = "attacker"


def is_loopback_host(host: str) -> bool:
    """``localhost`` (and its subdomains), ``[::1]`` and ``127.0.0.0/8``: hosts only the
    user's own machine serves, so plain ``http`` exposes nothing to the network."""
    if host in _LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.IPv4Address(host).is_loopback
    except ValueError:
        return False


def is_cleartext_origin(scheme: str, host: str) -> bool:
    """Whether an origin's responses cross the network unencrypted (``http`` or ``ws`` to
    anything but loopback), so that a network attacker can act as that origin."""
    return scheme in ("http", "ws") and not is_loopback_host(host)


@functools.lru_cache(maxsize=1)
def _public_suffix_list() -> PublicSuffixList:
    # The list ships inside the package: loaded once, on the first credentialed pattern.
    return PublicSuffixList()


def is_public_suffix(domain: str) -> bool:
    """Whether anyone may register names directly under ``domain`` (``co.uk``,
    ``github.io``), by the Public Suffix List, ICANN and private sections alike."""
    return bool(_public_suffix_list().is_public(domain))


def registrable_domain(host: str) -> str:
    """The registrable domain ("eTLD+1") of a host name; the host itself when it has none
    (an IP address, a public suffix)."""
    if host.startswith("[") or _is_ip_address(host):
        return host
    return _public_suffix_list().privatesuffix(host) or host


def regex_example(regex: re.Pattern[str], *, at_least_once: bool = False) -> str | None:
    """One short string that ``regex`` fully matches (each repetition at its minimum, or
    at least once with ``at_least_once``; the first branch of each alternation), or
    ``None`` when none could be built."""
    try:
        tree = _sre_parser.parse(regex.pattern, regex.flags)
    except Exception:
        return None
    out: list[str] = []
    if not _emit(tree, out, 1 if at_least_once else 0):
        return None
    example = "".join(out)
    return example if regex.fullmatch(example) else None


def _regex_origin(regex: re.Pattern[str]) -> tuple[str, str, str, int | None] | None:
    """An origin ``regex`` admits, as ``(origin, scheme, host, port)``: its shortest
    example, or the one repeating each part once when the shortest has an empty label."""
    for at_least_once in (False, True):
        example = regex_example(regex, at_least_once=at_least_once)
        parts = None if example is None else _split_request_origin(example)
        if example is not None and parts is not None and "" not in parts[1].split("."):
            return (example, *parts)
    return None


def _emit(items: object, out: list[str], at_least: int) -> bool:
    """Append one string matched by a parsed pattern; ``False`` when unsupported."""
    constants = _sre_parser
    for op, arg in items:  # type: ignore[attr-defined]
        if op is constants.LITERAL:
            out.append(chr(arg))
        elif op is constants.NOT_LITERAL:
            out.append("a" if arg != ord("a") else "b")
        elif op is constants.ANY:
            out.append("a")
        elif op is constants.IN:
            char = _class_example(arg)
            if char is None:
                return False
            out.append(char)
        elif op in _REPEATS:
            low, high, sub = arg
            for _ in range(min(max(low, at_least), high)):
                if not _emit(sub, out, at_least):
                    return False
        elif op is constants.SUBPATTERN:
            if not _emit(arg[-1], out, at_least):
                return False
        elif op is constants.BRANCH:
            if not _emit(arg[1][0], out, at_least):
                return False
        elif op is constants.AT or op in _ZERO_WIDTH:
            continue
        elif op is _ATOMIC_GROUP:
            if not _emit(arg, out, at_least):
                return False
        else:
            return False
    return True


def _class_example(items: list[tuple[object, object]]) -> str | None:
    constants = _sre_parser
    for op, arg in items:
        if op is constants.NEGATE:
            return None
        if op is constants.LITERAL:
            return chr(arg)  # type: ignore[arg-type]
        if op is constants.RANGE:
            return chr(arg[0])  # type: ignore[index]
        if op is constants.CATEGORY:
            return {constants.CATEGORY_DIGIT: "0", constants.CATEGORY_WORD: "a"}.get(arg)
    return None


def regex_leak(regex: re.Pattern[str]) -> tuple[str, str] | None:
    """``(example, probe)`` when ``regex`` admits, beside an origin of its own (example),
    an origin on another registrable domain made by adding host labels around the
    example's host (``https://app.example.com.attacker.invalid``, or
    ``https://attackerexample.com`` for ``https://.*example\\.com``)."""
    found = _regex_origin(regex)
    if found is None or found[2].startswith("["):
        return None
    example, scheme, host, port = found
    suffix = "" if port is None else f":{port}"
    own = registrable_domain(host)
    for probe_host in (host + PROBE_SUFFIX, PROBE_PREFIX + host, f"{PROBE_PREFIX}-{host}"):
        probe = f"{scheme}://{probe_host}{suffix}"
        if regex.fullmatch(probe) and registrable_domain(probe_host) != own:
            return example, probe
    return None


def insecure_regex_example(regex: re.Pattern[str]) -> str | None:
    """A cleartext origin (see ``is_cleartext_origin``) that ``regex`` admits: its own
    example, or that example over ``http``."""
    found = _regex_origin(regex)
    if found is None:
        return None
    example, scheme, host, port = found
    suffix = "" if port is None else f":{port}"
    for candidate, candidate_scheme in ((example, scheme), (f"http://{host}{suffix}", "http")):
        if regex.fullmatch(candidate) and is_cleartext_origin(candidate_scheme, host):
            return candidate
    return None


# --- hints for values that are not one origin ------------------------------------------------

_SEPARATORS = re.compile(r"[\s,;]+")


def _check_whole_value(spec: str) -> None:
    """Catch what is wrong with the value as a whole before parsing it as one origin:
    several origins in one string, or whitespace around it."""
    parts = [part for part in _SEPARATORS.split(spec) if part]
    separated = len(parts) > 1 and (
        "," in spec or ";" in spec or all("://" in part for part in parts)
    )
    if separated:
        raise OriginError(
            f"{spec!r} looks like several origins in one string: pass a list, {parts!r}"
        )
    if spec != spec.strip():
        raise OriginError(
            f"{spec!r} has whitespace around it, which an origin never carries: "
            f"use {spec.strip()!r}"
        )


def _likely_scheme(spec: str) -> str:
    """The scheme a page at this scheme-less origin most likely uses: ``http`` for local
    development hosts, ``https`` elsewhere."""
    lowered = spec.lower()
    if lowered.startswith("["):
        host = lowered[: lowered.find("]") + 1]
    else:
        host = re.split(r"[:/]", lowered, maxsplit=1)[0]
    local = host in ("localhost", "[::1]") or host.endswith(".localhost")
    return "http" if local or host.startswith("127.") else "https"
