"""Preflights for the edge differential, drawn from an app's own routes and policies:
every route x its configured origins and near misses (the hostile corpus of
tests/hostile/), methods (lowercase ones included), request-header lists, private-network
requests, websocket upgrades, odd paths, and a few requests that are not preflights."""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from dataclasses import dataclass

from flask import Flask

from flask_preflight.automaton import Unsupported, shortest_string
from flask_preflight.automaton import superset_dfa as automaton
from flask_preflight.extension import get_state
from flask_preflight.origins import ANY_PORT
from flask_preflight.policy import CompiledPolicy

from ..hostile.model import is_serialized_origin
from ..hostile.test_origin_corpus import hostile_variants
from .harness import Probe

FAR_ORIGINS = ("https://evil.example", "http://attacker.invalid:8080", "null")
NORMALISED = frozenset({"DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"})
ODD_METHODS = ("FOO", "get", "delete", "Patch", "OPTIONS", "HEAD", "GET, POST", "G@T", "A" * 33)
HEADER_NAMES = (
    "x-token",
    "content-type",
    "authorization",
    "x-request-id",
    "x-csrf-token",
    "x-other",
)
ODD_HEADER_LISTS = (
    "X-Token",
    "x-token, content-type",
    "x-token,,content-type",
    ",",
    "x-token,bad header",
    ",".join(f"x-h{i}" for i in range(70)),
    "x-" + "a" * 4100,
    "content-type ",
)


# The characters examples are built from: those of serialised origins, and of path segments.
_EXAMPLE_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789.-_+:/[]~"  # letters first
_NON_EMPTY = re.compile(".+", re.S)


def regex_example(regex: re.Pattern[str]) -> str | None:
    """A short non-empty string ``regex`` fully matches, or ``None`` when none is found."""
    try:
        languages = [automaton(pattern, _EXAMPLE_ALPHABET) for pattern in (regex, _NON_EMPTY)]
        example = shortest_string(languages)
    except Unsupported:
        return None
    return example if example is not None and regex.fullmatch(example) else None


@dataclass(frozen=True)
class Target:
    path: str
    methods: tuple[str, ...]
    policy: CompiledPolicy


def _example_path(rule_text: str, converters: Mapping[str, object]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1).rsplit(":", 1)[-1]
        regex = re.compile(getattr(converters[name], "regex"))  # noqa: B009
        example = regex_example(regex)
        assert example is not None, regex
        return example

    return re.sub(r"<([^>]+)>", value, rule_text)


def targets(app: Flask) -> list[Target]:
    state = get_state(app)
    state.freeze()
    out = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        path = _example_path(rule.rule, rule._converters)
        methods = tuple(sorted(rule.methods or ()))
        out.append(Target(path, methods, state.policy_for(rule.endpoint)))
    return out


def allowed_origins(policy: CompiledPolicy) -> list[str]:
    matcher = policy.matcher
    origins = sorted(matcher.exact)
    for scheme, host in sorted(matcher.any_port_hosts):
        origins += [f"{scheme}://{host}", f"{scheme}://{host}:3000"]
    for scheme, base, port in sorted(matcher.subdomain_bases, key=repr):
        suffix = "" if port in (None, ANY_PORT) else f":{port}"
        origins += [f"{scheme}://a.{base}{suffix}", f"{scheme}://x.y.{base}{suffix}"]
    for regex in matcher.regexes:
        example = regex_example(regex)
        if example is not None:
            origins.append(example)
    if matcher.predicates:
        origins.append("https://ok.callable.test")
    if matcher.any_origin:
        origins.append("https://anyone.example")
    return origins or ["https://app.example.com"]


def _variants(origin: str) -> list[str]:
    try:
        return [v for v in hostile_variants(origin) if not any(c in v for c in "\r\n\x00")]
    except (AssertionError, KeyError, ValueError):
        return [origin.upper(), origin + "/", origin + ".evil.net"]


def _encode(value: str) -> str | bytes:
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8")
    return value


def _path_variants(path: str) -> list[str]:
    out = [
        path + "/",
        path.rstrip("/") or "/",
        "/" + path,
        path.upper(),
        path + "?q=1&x=/../y",
        path.replace("/", "/./", 1),
        "/nope/../" + path.lstrip("/"),
        path[:1] + "%" + format(ord(path[1]), "02X") + path[2:] if len(path) > 1 else "/%41",
        "/no-such-route",
        "/" + path.strip("/").split("/")[0] + "/no-such-route",
        "/" + path.strip("/").split("/")[0],
        "/static/x.json",
        "*",
    ]
    return out


def probes(app: Flask, count: int, seed: int = 21) -> list[Probe]:
    """``count`` requests drawn from ``app``'s routes and policies."""
    rng = random.Random(seed)
    routes = targets(app)
    origins_of = {id(t.policy): allowed_origins(t.policy) for t in routes}
    out: list[Probe] = []
    while len(out) < count:
        target = rng.choice(routes)
        allowed = origins_of[id(target.policy)]
        shaped_path = rng.random() < 0.85
        path = target.path if shaped_path else rng.choice(_path_variants(target.path))
        roll = rng.random()
        if roll < 0.6:
            origin = rng.choice(allowed)
        elif roll < 0.9:
            origin = rng.choice(_variants(rng.choice(allowed)))
        else:
            origin = rng.choice(FAR_ORIGINS)
        roll = rng.random()
        route_methods = [m for m in target.methods if m not in ("HEAD", "OPTIONS")] or ["GET"]
        if roll < 0.7:
            method = rng.choice(route_methods)
            if method not in NORMALISED and rng.random() < 0.5:
                method = method.lower()  # as a page writes it: `patch` stays `patch`
        elif roll < 0.85:
            method = rng.choice(("PATCH", "patch", "PUT", "DELETE", "POST", "GET"))
        else:
            method = rng.choice(ODD_METHODS)
        roll = rng.random()
        if roll < 0.45:
            request_headers = None
        elif roll < 0.85:
            names = sorted(set(rng.sample(HEADER_NAMES, rng.randint(1, 3))))
            request_headers = ",".join(names)
        else:
            request_headers = rng.choice(ODD_HEADER_LISTS)
        roll = rng.random()
        network = None if roll < 0.85 else rng.choice(("true", "true", "TRUE", "false"))
        headers: list[tuple[str, str | bytes]] = [
            ("Origin", _encode(origin)),
            ("Access-Control-Request-Method", method),
        ]
        if request_headers is not None:
            headers.append(("Access-Control-Request-Headers", request_headers))
        if network is not None:
            headers.append(("Access-Control-Request-Private-Network", network))
        request_method = "OPTIONS"
        roll = rng.random()
        if roll < 0.02:
            headers = headers[:1]  # not a preflight: no requested method
        elif roll < 0.04:
            request_method = "GET"
        # A websocket upgrade on a preflight (a request that is not one is a websocket
        # request, which a proxy needs its own configuration for: not this exporter's).
        upgrade = len(headers) > 1 and request_method == "OPTIONS" and rng.random() < 0.03
        if upgrade:
            headers += [
                ("Upgrade", rng.choice(("websocket", "WebSocket", "h2c"))),
                ("Connection", rng.choice(("Upgrade", "keep-alive, upgrade", "close"))),
            ]
        shaped = (
            shaped_path
            and is_serialized_origin(origin)
            and (method.upper() not in NORMALISED or method == method.upper())
            and re.fullmatch(r"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,32}", method) is not None
            and (request_headers is None or _browser_list(request_headers))
            and network in (None, "true")
            and not upgrade
            and request_method == "OPTIONS"
            and len(headers) > 1
        )
        out.append(
            Probe(
                request_method,
                path,
                tuple(headers),
                shaped,
                callable_origin=bool(target.policy.matcher.predicates),
            )
        )
    return out


def _browser_list(value: str) -> bool:
    """A request-header list as browsers write it: lowercase names, sorted, ','-joined."""
    names = value.split(",")
    return names == sorted(names) and all(
        re.fullmatch(r"[!#$%&'*+.^_`|~0-9a-z-]+", name) for name in names
    )
