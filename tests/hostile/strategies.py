"""Hypothesis strategies: policies as users write them, and pages that call the API.

Page origins are drawn from a pool built around the policy: the allowed origins themselves and
their near misses (other scheme, other port, the apex, deeper subdomains, ``evil`` prefixes and
suffixes), plus far-away ones. Every pooled origin is a well-formed serialized origin, exactly
what a browser could send; malformed origins are the corpus tests' job.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from hypothesis import strategies as st

from .harness import ITEM_METHODS, Endpoint
from .model import (
    AnyOrigin,
    CallableOrigin,
    ExactOrigin,
    NullOrigin,
    Origin,
    OriginEntry,
    PageFetch,
    PolicyModel,
    PortPattern,
    RegexOrigin,
    SubdomainPattern,
    is_serialized_origin,
    parse_serialized_origin,
    unsafe_request_header_names,
)

DOMAINS = ("example.com", "example.test", "app.example.org")
IDN = ("bücher.example", "xn--bcher-kva.example")
PORTS: tuple[int | None, ...] = (None, 8080, 5173)
DEFAULT_PORT = {"http": 80, "https": 443}

#: Narrow regexes (none admits every origin, so credentials may go with them) and probes.
REGEXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        r"https://(www|api)\.example\.com",
        (
            "https://www.example.com",
            "https://api.example.com",
            "https://www.example.com.evil.net",
            "https://wwwxexample.com",
            "http://www.example.com",
            "https://api.example.com:8443",
        ),
    ),
    (
        r"http://localhost:(5173|3000)",
        (
            "http://localhost:5173",
            "http://localhost:3000",
            "http://localhost:51730",
            "http://localhost",
        ),
    ),
    (
        r"https://[a-z0-9-]+\.example\.test",
        ("https://a.example.test", "https://a.b.example.test", "https://example.test"),
    ),
    (
        r"https?://example\.org",
        ("http://example.org", "https://example.org", "https://example.org:8080"),
    ),
)


def _any(origin: str) -> bool:
    return True


def _under_example_org(origin: str) -> bool:
    return origin.endswith(".example.org")


def _https_only(origin: str) -> bool:
    return origin.startswith("https://")


CALLABLES: tuple[tuple[str, Callable[[str], bool], tuple[str, ...]], ...] = (
    ("any", _any, ("https://anything.invalid", "http://localhost:9")),
    ("under_example_org", _under_example_org, ("https://a.example.org", "https://example.org")),
    ("https_only", _https_only, ("https://x.invalid", "http://x.invalid")),
)

FAR_ORIGINS = (
    "https://far.invalid",
    "http://localhost:3000",
    "null",
    "https://example.com",
    "http://127.0.0.1:8080",
    "http://[::1]:5173",
    "https://xn--bcher-kva.example",
    "https://api.internal.test:8443",
)

METHODS = ("GET", "get", "POST", "PUT", "put", "PATCH", "patch", "DELETE", "delete", "Foo")
REQUEST_HEADERS: tuple[tuple[str, str], ...] = (
    ("X-A", "1"),
    ("x-b", "2"),
    ("X-Custom-Header", "v"),
    ("Authorization", "Bearer t"),
    ("Content-Type", "application/json"),
    ("Content-Type", "text/plain"),
    ("Accept", "application/json"),
    ("Range", "bytes=-5"),
    ("Content-Language", "en@x"),
)
ALLOW_HEADER_NAMES = ("X-A", "x-b", "Authorization", "x-custom-header", "Range")
EXPOSE_HEADER_NAMES = ("X-Total", "ETag")


# --------------------------------------------------------------------------------------------
# Policies
# --------------------------------------------------------------------------------------------


@st.composite
def _written_host(draw: st.DrawFn, host: str) -> str:
    """A host as a user may write it in configuration (any case, Unicode for the IDN)."""
    if host == IDN[1]:
        host = draw(st.sampled_from(IDN))
    return host.upper() if draw(st.booleans()) and not host.startswith("[") else host


@st.composite
def _written_port(draw: st.DrawFn, scheme: str, port: int | None) -> str:
    if port is None:
        return f":{DEFAULT_PORT[scheme]}" if draw(st.booleans()) else ""
    return f":{port}"


@st.composite
def exact_origins(draw: st.DrawFn) -> OriginEntry:
    scheme = draw(st.sampled_from(("http", "https")))
    host = draw(
        st.sampled_from((*DOMAINS, "a.example.com", "localhost", "127.0.0.1", "[::1]", IDN[1]))
    )
    port = draw(st.sampled_from(PORTS))
    written_scheme = scheme.upper() if draw(st.booleans()) else scheme
    text = f"{written_scheme}://{draw(_written_host(host))}{draw(_written_port(scheme, port))}"
    return ExactOrigin(text)


@st.composite
def subdomain_patterns(draw: st.DrawFn) -> OriginEntry:
    scheme = draw(st.sampled_from(("http", "https")))
    domain = draw(st.sampled_from((*DOMAINS, IDN[1])))
    port = draw(st.sampled_from(PORTS))
    host = draw(_written_host(domain))
    return SubdomainPattern(f"{scheme}://*.{host}{draw(_written_port(scheme, port))}")


@st.composite
def port_patterns(draw: st.DrawFn) -> OriginEntry:
    scheme = draw(st.sampled_from(("http", "https")))
    host = draw(st.sampled_from(("localhost", "127.0.0.1", "example.test", "[::1]")))
    return PortPattern(f"{scheme}://{host}:*")


def _regex_entry(source: str) -> OriginEntry:
    return RegexOrigin(re.compile(source))


origin_entries = st.one_of(
    exact_origins(),
    subdomain_patterns(),
    port_patterns(),
    st.sampled_from([r for r, _ in REGEXES]).map(_regex_entry),
    st.sampled_from(CALLABLES).map(lambda c: CallableOrigin(c[1], c[0])),
    st.just(NullOrigin()),
)


@st.composite
def policies(draw: st.DrawFn) -> PolicyModel:
    wildcard = draw(st.integers(0, 5)) == 0
    origins: tuple[OriginEntry, ...]
    if wildcard:
        origins = (AnyOrigin(),)
    else:
        origins = tuple(draw(st.lists(origin_entries, min_size=0, max_size=4)))
    optional = st.booleans()
    policy = PolicyModel(origins=origins, origins_as_str=len(origins) == 1 and draw(optional))
    if draw(optional):
        policy.methods = draw(
            st.one_of(
                st.just("*"),
                st.lists(st.sampled_from(ITEM_METHODS), min_size=1, unique=True).map(tuple),
            )
        )
    if draw(optional):
        names = st.lists(st.sampled_from(ALLOW_HEADER_NAMES), unique=True).map(tuple)
        policy.allow_headers = draw(st.one_of(st.just("*"), names, names))
    if draw(optional):
        policy.expose_headers = tuple(
            draw(st.lists(st.sampled_from(EXPOSE_HEADER_NAMES), unique=True))
        )
    if not wildcard and draw(optional):
        policy.credentials = draw(st.booleans())
    if draw(optional):
        policy.max_age = draw(
            st.one_of(
                st.none(),
                st.integers(0, 86400),
                st.integers(0, 86400).map(lambda s: timedelta(seconds=s)),
            )
        )
    if draw(optional):
        policy.private_network = draw(st.booleans())
    return policy


# --------------------------------------------------------------------------------------------
# Page origins near and far from the allowed ones
# --------------------------------------------------------------------------------------------


def _variants(origin: Origin) -> list[str]:
    other_scheme = "http" if origin.scheme == "https" else "https"
    out = [Origin(other_scheme, origin.host, origin.port).serialize()]
    out += [Origin(origin.scheme, origin.host, p).serialize() for p in (None, 1, 5173, 8443)]
    if not origin.is_ip:
        for host in (
            f"a.{origin.host}",
            f"a.b.{origin.host}",
            f"evil{origin.host}",
            f"{origin.host}.evil.net",
            f"{origin.host}.",
            origin.host.split(".", 1)[-1],  # the parent domain
        ):
            out.append(Origin(origin.scheme, host, origin.port).serialize())
    return out


def near_origins(policy: PolicyModel) -> list[str]:
    """Candidate page origins for ``policy`` (deduplicated, in a stable order)."""
    pool: list[str] = list(FAR_ORIGINS)
    for entry in policy.origins:
        if isinstance(entry, ExactOrigin):
            parsed = parse_serialized_origin(entry.normalized)
            assert parsed is not None, entry
            pool += [entry.normalized, *_variants(parsed)]
        elif isinstance(entry, SubdomainPattern):
            inside = Origin(entry.scheme, f"a.{entry.domain}", entry.port)
            apex = Origin(entry.scheme, entry.domain, entry.port)
            pool += [inside.serialize(), *_variants(inside), *_variants(apex)]
            pool += [apex.serialize()]
        elif isinstance(entry, PortPattern):
            inside = Origin(entry.scheme, entry.host, 5173)
            pool += [inside.serialize(), *_variants(inside), "http://localhost:65535"]
        elif isinstance(entry, RegexOrigin):
            pool += dict(REGEXES)[entry.pattern.pattern]
        elif isinstance(entry, CallableOrigin):
            pool += next(samples for name, _, samples in CALLABLES if name == entry.name)
    unique = list(dict.fromkeys(pool))
    bad = [o for o in unique if not is_serialized_origin(o)]
    assert not bad, f"the pool must hold only well-formed origins: {bad}"
    return unique


def _policy_methods(policy: PolicyModel) -> tuple[str, ...]:
    listed = policy.methods if isinstance(policy.methods, tuple) else ITEM_METHODS
    return tuple(m for m in METHODS if m.upper() in listed)


def pages(policy: PolicyModel, endpoints: list[Endpoint]) -> st.SearchStrategy[PageFetch]:
    """Pages calling ``endpoints``; half of them from an origin the policy admits (if any)."""
    pool = near_origins(policy)
    admitted = [o for o in pool if policy.origin_allowed(o)]
    near_misses = [o for o in pool if o not in admitted and o not in FAR_ORIGINS]
    origin = st.sampled_from(pool)
    if near_misses:  # weigh the near misses: they are where matching bugs show
        origin = st.one_of(origin, st.sampled_from(near_misses))
    if admitted:
        origin = st.one_of(st.sampled_from(admitted), origin)
    allowed_headers = [
        h for h in REQUEST_HEADERS if policy.headers_allowed(unsafe_request_header_names([h]))
    ]
    header = st.sampled_from(REQUEST_HEADERS)
    if allowed_headers:
        header = st.one_of(st.sampled_from(allowed_headers), header)
    return st.builds(
        PageFetch,
        origin=origin,
        path=st.one_of(
            st.sampled_from([e.path for e in endpoints if e.policy is not None]),
            st.sampled_from([e.path for e in endpoints]),
        ),
        method=st.one_of(st.sampled_from(_policy_methods(policy)), st.sampled_from(METHODS)),
        headers=st.lists(header, max_size=3).map(tuple),
        credentials=st.one_of(st.just(policy.with_credentials), st.booleans()),
    )
