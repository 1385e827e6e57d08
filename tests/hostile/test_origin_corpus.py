"""Hostile-origin corpus: nothing is granted unless it is exactly allowed.

Every origin in the corpus is sent, byte for byte, as the ``Origin`` of an actual request and
of a preflight against policies built from exact origins, subdomain patterns, port patterns,
regexes, ``null`` and a callable, with and without credentials. The corpus is generated from
each policy's allowed origins by every trick of peers' security bugs and issue 5: suffix and
prefix tricks, userinfo, scheme swaps, case and trailing-dot variants, default and odd ports,
IPv6 forms, punycode and Unicode look-alikes, backslashes, whitespace, NUL/CR/LF/TAB, ``null``,
comma-joined lists and 8 KB origins.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask

from flask_preflight import Preflight, cors

from .harness import call, preflight
from .model import (
    ExactOrigin,
    NullOrigin,
    PortPattern,
    RegexOrigin,
    SubdomainPattern,
    is_origin_shaped,
    is_serialized_origin,
    parse_serialized_origin,
)

LOOKALIKES = {"a": "\u0430", "e": "\u0435", "o": "\u03bf", "p": "\u0440", "l": "\u04cf"}


def _swap_first(host: str) -> list[str]:
    """Hosts with one letter replaced by a Unicode look-alike, raw and in punycode."""
    out = []
    for latin, fake in LOOKALIKES.items():
        if latin in host:
            spoof = host.replace(latin, fake, 1)
            out.append(spoof)
            with contextlib.suppress(UnicodeError):  # a look-alike inside an xn-- label
                out.append(
                    ".".join(
                        label if label.isascii() else label.encode("idna").decode()
                        for label in spoof.split(".")
                    )
                )
    return out


def hostile_variants(allowed: str) -> list[str]:
    """Near misses of one allowed origin."""
    if allowed == "null":
        return [
            "NULL",
            "Null",
            " null",
            "null ",
            "null\x00",
            "null\r\n",
            "null, null",
            "null,https://evil.net",
            "nul",
            "null/",
            "file://",
            "about:blank",
        ]
    parsed = parse_serialized_origin(allowed)
    assert parsed is not None
    s, h, port = parsed.scheme, parsed.host, parsed.port
    p = "" if port is None else f":{port}"
    other = "http" if s == "https" else "https"
    default = {"http": 80, "https": 443}[s]
    out = [
        # paths, queries, fragments, userinfo
        f"{allowed}/",
        f"{allowed}/path",
        f"{allowed}?q=1",
        f"{allowed}#f",
        f"{allowed}@evil.net",
        f"{s}://user@{h}{p}",
        f"{s}://{h}{p}@evil.net",
        f"{s}://evil.net@{h}{p}",
        f"{s}://evil.net#{h}{p}",
        f"{s}://evil.net?{h}{p}",
        f"{s}://evil.net/{h}{p}",
        # suffix and prefix tricks
        f"{s}://{h}.evil.net{p}",
        f"{s}://{h}evil.net{p}",
        f"{s}://evil{h}{p}",
        f"{s}://evil-{h}{p}",
        f"{s}://evil.{h}{p}" if parsed.is_ip else f"{s}://{h}x{p}",
        f"{s}://{h.split('.', 1)[-1]}{p}",  # the parent domain (the apex, for a subdomain)
        f"{allowed}.evil.net",
        f"{allowed}evil",
        f"https://evil.net/{allowed}",
        # scheme swaps
        f"{other}://{h}{p}",
        f"ws://{h}{p}",
        f"wss://{h}{p}",
        f"ftp://{h}{p}",
        f"file://{h}{p}",
        f"chrome-extension://{h}{p}",
        f"{s}:/{h}{p}",
        f"{s}:{h}{p}",
        f"{s}:///{h}{p}",
        f"//{h}{p}",
        f"{h}{p}",
        f"{s}://",
        # case and trailing dots
        allowed.upper(),
        f"{s.upper()}://{h}{p}",
        f"{s}://{h.upper()}{p}",
        f"{s}://{h[0].upper()}{h[1:]}{p}",
        f"{allowed}.",
        # ports
        f"{s}://{h}:{default}" if port is None else f"{s}://{h}:0{port}",
        f"{s}://{h}:{(port or default) + 1}",
        f"{s}://{h}:",
        f"{s}://{h}:65536",
        f"{s}://{h}:-1",
        f"{s}://{h}:+{port or default}",
        f"{s}://{h}:0x{port or default:x}",
        f"{allowed}:{port or default}",
        f"{s}://{h}:{port or default}:{port or default}",
        # backslashes and whitespace
        f"{allowed}\\",
        f"{s}:\\\\{h}{p}",
        f"{s}://evil.net\\@{h}{p}",
        f"{s}://evil.net\\.{h}{p}",
        f" {allowed}",
        f"{allowed} ",
        f"\t{allowed}",
        f"{allowed}\t",
        f"{s}://{h} {p}",
        f"{s}:// {h}{p}",
        f"{allowed}\u00a0",
        f"{allowed}\u200b",
        f"\ufeff{allowed}",
        # control characters
        f"{allowed}\x00",
        f"\x00{allowed}",
        f"{allowed}\r",
        f"{allowed}\n",
        f"{allowed}\r\n",
        f"{allowed}\r\nX-Injected: 1",
        f"{allowed}\x1b[31m",
        f"{allowed}\x7f",
        f"{s}://{h}\x00.evil.net{p}",
        # lists
        f"{allowed}, {allowed}",
        f"{allowed},{allowed}",
        f"{allowed} {allowed}",
        f"{allowed}, https://evil.net",
        f"https://evil.net, {allowed}",
        f"https://evil.net,{allowed}",
        f"{allowed}, null",
        f"null, {allowed}",
        # absurd lengths
        allowed + "a" * 8192,
        allowed + " " * 8192,
        allowed + "/" * 8192,
        f"{s}://{'a' * 8000}.{h}{p}",
        f"{s}://{'a.' * 4000}{h}{p}",
        f"{s}://{'a' * 60}.{h}{p}",
        "null" + " " * 8192,
    ]
    if not parsed.is_ip:
        out += [f"{s}://{spoof}{p}" for spoof in _swap_first(h)]
        out += [f"{s}://\uff41.{h}{p}", f"{s}://{h}\u3002{p}", f"{s}://{h}%2e{p}"]
    if h == "[::1]":
        out += [
            f"{s}://[0:0:0:0:0:0:0:1]{p}",
            f"{s}://[::0001]{p}",
            f"{s}://[::1%25eth0]{p}",
            f"{s}://[::ffff:127.0.0.1]{p}",
            f"{s}://[::ffff:7f00:1]{p}",
            f"{s}://::1{p}",
            f"{s}://[::1]]{p}",
            f"{s}://[[::1]]{p}",
            f"{s}://127.0.0.1{p}",
            f"{s}://localhost{p}",
        ]
    if h == "127.0.0.1":
        out += [
            f"{s}://127.1{p}",
            f"{s}://0x7f.0.0.1{p}",
            f"{s}://2130706433{p}",
            f"{s}://0177.0.0.1{p}",
            f"{s}://127.0.0.01{p}",
            f"{s}://127.0.0.1.{p}",
            f"{s}://[::ffff:127.0.0.1]{p}",
            f"{s}://localhost{p}",
        ]
    return out


@dataclass(frozen=True)
class Case:
    name: str
    origins: list[Any]
    allowed: frozenset[str]  # exactly what must be granted
    seeds: tuple[str, ...]  # origins whose near misses make the corpus
    credentials: bool = True


def _all(origin: str) -> bool:
    return True


CASES = [
    Case(
        "exact",
        [
            "https://example.com",
            "http://localhost:5173",
            "http://[::1]:8080",
            "http://127.0.0.1:8000",
            "https://bücher.example",
        ],
        frozenset(
            {
                "https://example.com",
                "http://localhost:5173",
                "http://[::1]:8080",
                "http://127.0.0.1:8000",
                "https://xn--bcher-kva.example",
            }
        ),
        (
            "https://example.com",
            "http://localhost:5173",
            "http://[::1]:8080",
            "http://127.0.0.1:8000",
            "https://xn--bcher-kva.example",
        ),
    ),
    Case(
        "exact-written-oddly",
        ["HTTPS://Example.COM:443", "http://LOCALHOST:80"],
        frozenset({"https://example.com", "http://localhost"}),
        ("https://example.com", "http://localhost"),
    ),
    Case(
        "subdomain",
        ["https://*.example.com", "http://*.example.test:8080"],
        frozenset(
            {
                "https://a.example.com",
                "https://www.example.com",
                "https://a.b.example.com",
                "https://x-1.example.com",
                "http://a.example.test:8080",
            }
        ),
        ("https://a.example.com", "https://example.com", "http://a.example.test:8080"),
    ),
    Case(
        "port",
        ["http://localhost:*", "https://127.0.0.1:*"],
        frozenset(
            {
                "http://localhost",
                "http://localhost:1",
                "http://localhost:5173",
                "http://localhost:65535",
                "https://127.0.0.1",
                "https://127.0.0.1:8443",
            }
        ),
        ("http://localhost:5173", "http://localhost", "https://127.0.0.1:8443"),
    ),
    Case(
        "regex",
        [re.compile(r"https://(www|api)\.example\.com"), re.compile(r"http://localhost:\d+")],
        frozenset(
            {
                "https://www.example.com",
                "https://api.example.com",
                "http://localhost:5173",
                "http://localhost:1",
            }
        ),
        ("https://www.example.com", "http://localhost:5173"),
    ),
    Case("null", ["null"], frozenset({"null"}), ("null", "https://example.com")),
    Case(
        "null-without-credentials", ["null"], frozenset({"null"}), ("null", "https://a.test"), False
    ),
    Case(
        "subdomain-without-credentials",
        ["https://*.example.com"],
        frozenset({"https://a.example.com", "https://www.example.com", "https://a.b.example.com"}),
        ("https://a.example.com",),
        False,
    ),
]


def build(case: Case, origins: list[Any] | None = None) -> Flask:
    app = Flask(f"corpus_{case.name}")
    app.testing = True

    @app.route("/r", methods=["GET", "PUT"])
    @cors(
        origins=origins if origins is not None else case.origins,
        credentials=case.credentials,
        # The corpus probes matching itself, plain-http and null origins included; refusing
        # those with credentials at start-up is test_config.py's.
        dangerously_tolerate=["insecure_origins", "null_with_credentials"],
    )
    def r() -> str:
        return "r"

    Preflight(app)
    return app


def corpus(seeds: tuple[str, ...], allowed: frozenset[str]) -> list[str]:
    out = list(allowed) + list(seeds) + [v for seed in seeds for v in hostile_variants(seed)]
    out += ["null", "https://evil.net", "", " ", ",", "*", "https://*.example.com"]
    out += ["http://localhost:*", "https://www.example.com\n"]
    return list(dict.fromkeys(out))


def grants(app: Flask, origin: str) -> tuple[bool, bool, list[str]]:
    """(actual request granted, preflight granted, problems with how it was granted)."""
    actual = call(app, "GET", "/r", [("Origin", origin)])
    pre = preflight(app, "/r", origin, "PUT")
    problems = []
    for label, response in (("actual", actual), ("preflight", pre)):
        if response.status >= 500:
            problems.append(f"{label}: status {response.status}")
        acao = response.get_all("Access-Control-Allow-Origin")
        if acao and acao != [origin]:
            problems.append(f"{label}: granted as {acao!r}")
    actual_granted = bool(actual.get_all("Access-Control-Allow-Origin"))
    pre_granted = pre.status == 204 or bool(pre.get_all("Access-Control-Allow-Origin"))
    if not pre_granted and pre.status != 403:
        problems.append(f"preflight: refused with {pre.status}, not 403")
    return actual_granted, pre_granted, problems


def _fmt(origin: str) -> str:
    text = repr(origin)
    return text if len(text) < 120 else f"{text[:100]}...({len(origin)} chars)"


def model_admits(case: Case, origin: str) -> bool:
    """The reference model's reading of the case's ``origins``."""
    entries: list[Callable[[str], bool]] = []
    for config in case.origins:
        if isinstance(config, re.Pattern):
            entries.append(RegexOrigin(config).admits)
        elif config == "null":
            entries.append(NullOrigin().admits)
        elif isinstance(config, str) and "*." in config:
            entries.append(SubdomainPattern(config).admits)
        elif isinstance(config, str) and config.endswith(":*"):
            entries.append(PortPattern(config).admits)
        else:
            assert isinstance(config, str)
            entries.append(ExactOrigin(config).admits)
    return any(admits(origin) for admits in entries)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_only_exactly_allowed_origins_are_granted(case: Case) -> None:
    """Granted exactly when the reference model admits the origin (the positive controls are
    pinned separately, in ``test_the_model_agrees_with_the_corpus``)."""
    app = build(case)
    origins = corpus(case.seeds, case.allowed)
    assert len(origins) > 80
    wrong = []
    for origin in origins:
        expected = model_admits(case, origin)
        actual_granted, pre_granted, problems = grants(app, origin)
        if actual_granted is not expected or pre_granted is not expected or problems:
            wrong.append(f"{_fmt(origin)}: expected {expected}, got {actual_granted=}")
            wrong[-1] += f" {pre_granted=} {problems}"
    assert not wrong, "\n".join(wrong)


def test_callables_only_see_well_formed_origins_and_never_null() -> None:
    """An allow-everything callable must still never admit a malformed origin or ``null``."""
    asked: list[str] = []

    def allow_all(origin: str) -> bool:
        asked.append(origin)
        return True

    case = Case("callable", [allow_all], frozenset(), ("https://example.com", "null"))
    app = build(case)
    seeds = ("https://example.com", "http://[::1]:8080", "http://127.0.0.1:8000", "null")
    wrong = []
    for origin in corpus(seeds, frozenset()):
        expected = origin != "null" and is_serialized_origin(origin)
        if not expected and origin != "null" and is_origin_shaped(origin):
            continue  # e.g. http://0x7f.0.0.1: no browser can send it; either answer is safe
        actual_granted, pre_granted, problems = grants(app, origin)
        if actual_granted is not expected or pre_granted is not expected or problems:
            wrong.append(f"{_fmt(origin)}: expected {expected}, got {actual_granted=}")
            wrong[-1] += f" {pre_granted=} {problems}"
    assert not wrong, "\n".join(wrong)
    assert "null" not in asked
    bad = [o for o in asked if not is_origin_shaped(o)]
    assert not bad, f"the callable was asked about malformed origins: {bad[:5]}"


def test_the_model_agrees_with_the_corpus() -> None:
    """The positive controls are in the corpus, and the model admits each of them; for exact
    origins and ``null`` the model admits nothing else."""
    for case in CASES:
        origins = corpus(case.seeds, case.allowed)
        admitted = {o for o in origins if model_admits(case, o)}
        assert case.allowed <= admitted, case.name
        if case.name.startswith(("exact", "null")):
            assert admitted == case.allowed, (case.name, admitted - case.allowed)
