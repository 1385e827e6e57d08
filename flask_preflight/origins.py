"""Origins: parsing and normalising configured origins, and the matcher built from them.

A configured origin is normalised once, the way browsers serialise origins (lowercase
scheme and host, IDN in punycode, default port dropped). A request's ``Origin`` is then
compared exactly, byte for byte: browsers only ever send the serialised form, so anything
else is not an origin a browser would send and is refused.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
import re
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Union

import idna
from publicsuffixlist import PSLFILE, PublicSuffixList

from .automaton import (
    Automaton,
    Unsupported,
    read,
    shortest_string,
    states_after,
    superset_dfa,
)
from .headers import MAX_ORIGIN_LENGTH
from .regexes import has_group_reference

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
    parent domains, which are at most a few dozen, and so are regexes, by the host suffix
    every origin they admit carries (``regex_host_suffix``); the regexes without one are
    tried as one alternation.
    """

    any_origin: bool
    exact: frozenset[str]
    any_port_hosts: frozenset[tuple[str, str]]
    subdomain_bases: frozenset[tuple[str, str, int | None]]
    regexes: tuple[re.Pattern[str], ...]
    predicates: tuple[OriginPredicate, ...]
    # ``regexes``, indexed: host suffix -> the regexes under it (combined where possible),
    # and the rest (combined where possible).
    regex_index: Mapping[str, tuple[re.Pattern[str], ...]] = field(default_factory=dict)
    regex_rest: tuple[re.Pattern[str], ...] = ()
    regex_suffix_lengths: tuple[int, ...] = ()  # the lengths of regex_index's keys
    # Whether exact origins are all there is: a refused origin is then refused without
    # being parsed (set by __post_init__).
    exact_only: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        others = (self.any_port_hosts, self.subdomain_bases, self.regexes, self.predicates)
        object.__setattr__(self, "exact_only", not self.any_origin and not any(others))

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
        if self.exact_only or len(origin) > MAX_ORIGIN_LENGTH:
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
        # A slice of each key length, not only at label boundaries: a regex tried on a
        # host that does not carry its suffix as whole labels cannot match it anyway.
        for length in self.regex_suffix_lengths:
            for regex in self.regex_index.get(host[-length:], ()):
                if regex.fullmatch(origin):
                    return True
        for regex in self.regex_rest:
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


# Fewer regexes than this are one alternation: the index lookup costs more than it saves.
_INDEXED_FROM = 4


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
    by_suffix: dict[str, list[re.Pattern[str]]] = {}
    rest: list[re.Pattern[str]] = []
    for regex in dict.fromkeys(regexes):
        suffix = regex_host_suffix(regex) if len(regexes) >= _INDEXED_FROM else None
        if suffix is None:
            rest.append(regex)
        else:
            by_suffix.setdefault(suffix, []).append(regex)
    index, lengths = _index_by_suffix(by_suffix)
    return OriginMatcher(
        any_origin=any_origin,
        exact=frozenset(exact),
        any_port_hosts=frozenset(any_port_hosts),
        subdomain_bases=frozenset(subdomain_bases),
        regexes=tuple(regexes),
        predicates=tuple(predicates),
        regex_index=index,
        regex_rest=combine_regexes(rest),
        regex_suffix_lengths=lengths,
    )


# An index keyed on one suffix length (the shortest suffix's) as long as no key then holds
# more regexes than this; else on every suffix length.
_MAX_SHARED_KEY = 4


def _index_by_suffix(
    by_suffix: dict[str, list[re.Pattern[str]]],
) -> tuple[dict[str, tuple[re.Pattern[str], ...]], tuple[int, ...]]:
    """The regexes keyed on (the end of) the host suffix each one proves, and the key
    lengths. A host that ends with a suffix ends with every shorter end of it, so keying a
    regex on a shorter end only makes it tried on more hosts, never on fewer; one key
    length is one lookup per request."""
    if not by_suffix:
        return {}, ()
    shortest = min(map(len, by_suffix))
    shared: dict[str, list[re.Pattern[str]]] = {}
    for suffix, group in by_suffix.items():
        shared.setdefault(suffix[-shortest:], []).extend(group)
    if max(map(len, shared.values())) <= _MAX_SHARED_KEY:
        return {key: combine_regexes(group) for key, group in shared.items()}, (shortest,)
    index = {suffix: combine_regexes(group) for suffix, group in by_suffix.items()}
    return index, tuple(sorted({len(suffix) for suffix in by_suffix}))


# --- dangerous origins (checked at start-up, with credentials) ---------------------------

# What browsers treat as a potentially trustworthy origin over plain http: loopback.
_LOOPBACK_NAMES = ("localhost", "[::1]")


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


# --- origin regexes: what their parse tree proves ----------------------------------------
#
# A regex's language (automaton.py) is compared with the languages below, written as
# regexes over the characters of a serialised origin. ``_ORIGINS`` holds every string that
# ``_split_request_origin`` accepts (and more: any port length), so what holds for it holds
# for every origin a regex is ever asked about.

# "." first, so that the shortest examples read as host names ("https://a.example.com").
_ORIGIN_ALPHABET = ".abcdefghijklmnopqrstuvwxyz0123456789-_+:/[]"
_HOST_CHARACTER = r"[a-z0-9_.\-]"
_ANY_SCHEME = r"[a-z][a-z0-9+.\-]*"
_ANY_PORT = r"(?::[0-9]+)?"
_ORIGINS = rf"{_ANY_SCHEME}://(?:{_HOST_CHARACTER}+|\[[0-9a-f:.]+\])(?::[1-9][0-9]*)?"
_NAMED_ORIGINS = (
    rf"{_ANY_SCHEME}://(?:[a-z0-9_\-]+(?:\.[a-z0-9_\-]+)*|\[[0-9a-f:.]+\])(?::[1-9][0-9]*)?"
)
# The loopback hosts of ``is_loopback_host`` as a browser serialises them.
_LOOPBACK_HOSTS = (
    rf"(?:{_HOST_CHARACTER}*\.)?localhost|\[::1\]|127\.[0-9]{{1,3}}\.[0-9]{{1,3}}\.[0-9]{{1,3}}"
)
_LOOPBACK_ORIGINS = rf"{_ANY_SCHEME}://(?:{_LOOPBACK_HOSTS}){_ANY_PORT}"
_CLEARTEXT_ORIGINS = rf"(?:http|ws)://(?:{_HOST_CHARACTER}+|\[[0-9a-f:.]+\]){_ANY_PORT}"
_WEB_SCHEMES = r"(?:https?|wss?)"


@functools.cache
def _language(source: str) -> Automaton:
    return superset_dfa(re.compile(source), _ORIGIN_ALPHABET)


def _origins_under(host: str, *, strictly: bool = False) -> str:
    """The origins whose host is ``host`` or a name under it (only under it, ``strictly``)."""
    if host.startswith("["):
        return rf"{_ANY_SCHEME}://{re.escape(host)}{_ANY_PORT}"
    labels = f"{_HOST_CHARACTER}*\\." if strictly else f"(?:{_HOST_CHARACTER}*\\.)?"
    return rf"{_ANY_SCHEME}://{labels}{re.escape(host)}{_ANY_PORT}"


def _parts(origin: str) -> tuple[str, str, str]:
    """(scheme, host, ":port" or "") of a string of ``_ORIGINS``."""
    scheme, rest = origin.split("://", 1)
    if rest.startswith("["):
        end = rest.index("]") + 1
        return scheme, rest[:end], rest[end:]
    host, colon, port = rest.partition(":")
    return scheme, host, colon + port


@functools.lru_cache(maxsize=4096)
def regex_host_suffix(regex: re.Pattern[str]) -> str | None:
    """The longest host suffix (whole labels) that the host of every origin ``regex``
    admits is or ends with, as its parse tree proves it; ``None`` when none is proven."""
    try:
        language = superset_dfa(regex, _ORIGIN_ALPHABET)
        example = shortest_string([language, _language(_NAMED_ORIGINS)])
        if example is None:
            return None
        host = _parts(example)[1]
        count = 0 if host.startswith("[") else host.count(".")
        for suffix in (host.split(".", cut)[-1] for cut in range(count + 1)):
            outside = shortest_string(
                [language, _language(_ORIGINS)], [_language(_origins_under(suffix))]
            )
            if outside is None:
                return suffix
    except Unsupported:
        return None
    return None


_JOINABLE_FLAGS = re.IGNORECASE | re.MULTILINE | re.DOTALL | re.ASCII | re.UNICODE
_FLAG_LETTERS = ((re.IGNORECASE, "i"), (re.MULTILINE, "m"), (re.DOTALL, "s"), (re.ASCII, "a"))


def _joinable(regex: re.Pattern[str]) -> bool:
    """Whether ``regex`` matches the same inside a scoped-flag group of an alternation: no
    verbose or inline global flags (which would not stay in their group), no group names
    (which must be unique) and no group references (whose numbers would shift)."""
    if regex.flags & ~_JOINABLE_FLAGS or regex.groupindex or has_group_reference(regex):
        return False
    try:
        with warnings.catch_warnings():  # a global flag not at the start, before 3.11
            warnings.simplefilter("ignore")
            return re.compile(regex.pattern).flags == re.UNICODE
    except re.error:
        return False


def combine_regexes(regexes: list[re.Pattern[str]]) -> tuple[re.Pattern[str], ...]:
    """Regexes that fully match what ``regexes`` do, as few as possible: one alternation
    of those that can be joined unchanged (``_joinable``), and the others as they are."""
    joinable = [regex for regex in regexes if _joinable(regex)]
    alone = [regex for regex in regexes if not _joinable(regex)]
    if len(joinable) < 2:
        return tuple(regexes)
    branches = []
    for regex in joinable:
        letters = "".join(letter for flag, letter in _FLAG_LETTERS if regex.flags & flag)
        branches.append(f"(?{letters}:{regex.pattern})")
    try:
        combined = re.compile("|".join(branches))
    except (re.error, RecursionError, OverflowError):
        return tuple(regexes)
    return (combined, *alone)


@dataclass(frozen=True)
class RegexConfinement:
    """What the parse tree of an origin regex proves (``regex_confinement``): that every
    origin it admits is under ``domain`` (a registrable domain, or one host when that is a
    public suffix or an IP address) or loopback, with scheme ``https``, ``wss`` or, for
    loopback only, ``http``/``ws`` (``confined``); or an origin outside ``domain`` that
    it admits, checked with the regex itself (``leak``, beside ``own``, an origin under
    ``domain`` it admits); or neither, and ``why`` not."""

    confined: bool
    domain: str | None = None
    leak: str | None = None
    own: str | None = None
    why: str | None = None


@functools.lru_cache(maxsize=1024)
def regex_confinement(regex: re.Pattern[str]) -> RegexConfinement:
    """Prove that an origin regex admits origins of one registrable domain only (see
    ``RegexConfinement``), from its parse tree, every branch and repetition included."""
    try:
        return _confinement(regex, superset_dfa(regex, _ORIGIN_ALPHABET))
    except Unsupported as error:
        return RegexConfinement(False, why=str(error))


def _confinement(regex: re.Pattern[str], language: Automaton) -> RegexConfinement:
    origins = _language(_ORIGINS)
    loopback = _language(_LOOPBACK_ORIGINS)
    example = shortest_string([language, _language(_NAMED_ORIGINS)], [loopback])
    example = example or shortest_string([language, origins], [loopback])
    domain: str | None = None
    hosts = _LOOPBACK_HOSTS
    whole_domain = False
    if example is not None:
        host = _parts(example)[1]
        private = None
        if not host.startswith("[") and not _is_ip_address(host):
            private = _public_suffix_list().privatesuffix(host)
        # Under a registrable domain: every name under it; else (a public suffix, a bare
        # name, an IP address) that one host.
        whole_domain = private is not None
        domain = private or host
        under = f"(?:{_HOST_CHARACTER}*\\.)?" if whole_domain else ""
        hosts = f"{under}{re.escape(domain)}|{hosts}"
    confined = rf"{_WEB_SCHEMES}://(?:{hosts}){_ANY_PORT}"
    outside = shortest_string([language, origins], [_language(confined)])
    if outside is None and whole_domain and domain is not None:
        suffix_rule = _public_suffix_inside(language, domain)
        if suffix_rule is not None:
            suffix, strictly = suffix_rule
            under_suffix = _language(_origins_under(suffix, strictly=strictly))
            outside = shortest_string([language, origins, under_suffix])
    own = example if example is not None and regex.fullmatch(example) else None
    if outside is not None:
        if regex.fullmatch(outside):
            return RegexConfinement(
                False, domain=domain, leak=_readable(regex, outside, own, confined), own=own
            )
        return RegexConfinement(False, domain=domain, why=_WIDENED)
    cleartext = shortest_string([language, origins, _language(_CLEARTEXT_ORIGINS)], [loopback])
    if cleartext is not None and not regex.fullmatch(cleartext):
        return RegexConfinement(False, domain=domain, why=_WIDENED)
    return RegexConfinement(True, domain=domain, own=own)


_WIDENED = (
    "the analysis reads lookarounds, backreferences and long repetitions as matching more "
    "than they do, and could not rule out an origin outside one registrable domain"
)


def _readable(regex: re.Pattern[str], outside: str, own: str | None, confined: str) -> str:
    """An origin outside ``confined`` that ``regex`` admits, reading like an attacker's
    when one can be built around ``own``'s host or ``outside``'s (itself such an origin)."""
    scheme, host, port = _parts(outside)
    candidates = ["attacker.invalid"]
    for base in dict.fromkeys(h.strip(".") for h in (own and _parts(own)[1], host) if h):
        candidates += [f"{base}.attacker.invalid", f"attacker.{base}", f"attacker{base}"]
    for candidate_host in candidates:
        candidate = f"{scheme}://{candidate_host}{port}"
        if regex.fullmatch(candidate) and not re.fullmatch(confined, candidate):
            return candidate
    return outside


@functools.cache
def _public_suffix_rules() -> tuple[tuple[str, bool], ...]:
    """The rules of the Public Suffix List as ``(suffix in ASCII, wildcard)``, exceptions
    left out (which only makes fewer names belong to a domain's owner)."""
    rules = []
    with open(PSLFILE, encoding="utf-8") as lines:
        for line in lines:
            rule = line.split()[0].lower() if line.strip() else ""
            if not rule or rule.startswith(("//", "!")):
                continue
            wildcard = rule.startswith("*.")
            suffix = rule[2:] if wildcard else rule
            if not suffix.isascii():
                try:
                    suffix = idna.encode(suffix, uts46=True).decode("ascii")
                except idna.IDNAError:
                    continue
            rules.append((suffix, wildcard))
    return tuple(rules)


@functools.lru_cache(maxsize=256)
def _public_suffixes_under(domain: str) -> tuple[tuple[str, bool], ...]:
    """The public suffixes under ``domain`` by the Public Suffix List, as ``(suffix,
    strictly)``: a name under such a suffix (and, unless a wildcard rule made it one, the
    suffix itself) belongs to whoever registered it, not to ``domain``'s owner."""
    return tuple(
        (suffix, wildcard)
        for suffix, wildcard in _public_suffix_rules()
        if suffix.endswith("." + domain) or (wildcard and suffix == domain)
    )


def _public_suffix_inside(language: Automaton, domain: str) -> tuple[str, bool] | None:
    """A public suffix under ``domain`` (``_public_suffixes_under``) with a name at or
    under it that ``language`` admits as an origin's host. Each suffix is read from the
    states the language is in at the start of a host label, not searched for one by one."""
    rules = _public_suffixes_under(domain)
    if not rules:
        return None
    label_start = states_after(language, _language(rf"{_ANY_SCHEME}://{_HOST_CHARACTER}*\."))
    host_start = states_after(language, _language(rf"{_ANY_SCHEME}://"))
    tails = _language(r"(?::[1-9][0-9]*)?")
    for suffix, strictly in rules:
        for state in label_start if strictly else label_start | host_start:
            after = read(language, state, suffix)
            if after is not None and _accepts_some(language, after, tails):
                return suffix, strictly
    return None


def _accepts_some(language: Automaton, state: int, tails: Automaton) -> bool:
    """Whether ``language`` accepts, from ``state``, some string ``tails`` accepts."""
    seen = {(state, 0)}
    stack = [(state, 0)]
    while stack:
        current, tail = stack.pop()
        if language.accepting[current] and tails.accepting[tail]:
            return True
        for char, following in language.transitions[current].items():
            tail_following = tails.transitions[tail].get(char)
            if tail_following is not None and (following, tail_following) not in seen:
                seen.add((following, tail_following))
                stack.append((following, tail_following))
    return False


def regex_cleartext_origin(regex: re.Pattern[str]) -> str | None:
    """A plain ``http``/``ws`` origin other than loopback (see ``is_cleartext_origin``)
    that ``regex`` admits, checked with the regex itself; ``None`` when none was found."""
    try:
        found = shortest_string(
            [
                superset_dfa(regex, _ORIGIN_ALPHABET),
                _language(_ORIGINS),
                _language(_CLEARTEXT_ORIGINS),
            ],
            [_language(_LOOPBACK_ORIGINS)],
        )
    except Unsupported:
        return None
    return found if found is not None and regex.fullmatch(found) else None


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
