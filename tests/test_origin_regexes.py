"""Origin regexes: what their parse tree proves (confinement with credentials, the host
suffix that indexes them), and the rules built on it (issue 16.1, 16 "also decide",
issue 18.3)."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest
from flask import Blueprint, Flask

from flask_preflight import Preflight, PreflightConfigError, cors
from flask_preflight.compat import CORS
from flask_preflight.origins import (
    build_matcher,
    regex_cleartext_origin,
    regex_confinement,
    regex_host_suffix,
)

IGNORE = re.IGNORECASE

# Regexes that admit only origins under one registrable domain (or loopback), over https
# (or http to loopback): accepted with credentials.
CONFINED = [
    (r"https://app\.example\.com", 0),
    (r"https://(www|api)\.example\.com", 0),
    (r"https://[a-z0-9-]+\.example\.com", 0),
    (r"https://([a-z0-9-]+\.)*example\.com", 0),
    (r"https://.*\.example\.com", 0),
    (r"https://app\.example\.com(:\d+)?", 0),
    (r"http://localhost:\d+", 0),
    (r"https://(staging|prod)\.shop\.example", 0),
    (r"https://[a-z0-9.-]+\.s7\.example\.com$", IGNORE),
    (r"^https://app\.example\.com$", 0),
    (r"https://APP\.EXAMPLE\.COM", IGNORE),
    (r"https://app\.example\.co\.uk", 0),
    (r"https://[a-z]+\.example\.co\.uk", 0),
    (r"http://127\.0\.0\.1:[0-9]{1,5}", 0),
    (r"https?://localhost(:\d+)?", 0),
    (r"http://[a-z]+\.localhost:8080", 0),
    (r"https://(?:app|admin)\.example\.com(?::(?:8443|9443))?", 0),
    (r"https://app-[0-9]+\.preview\.example\.com", 0),
    (r"https://example\.com", 0),
    (r"https://10\.0\.0\.1", 0),
    (r"http://\[::1\]:\d+", 0),
    (r"https://(?i:APP)\.example\.com", 0),
    (r"(?i)https://App\.Example\.com", 0),
    (r"https://me\.github\.io", 0),
    (r"https://app\.example\.com|http://localhost:3000", 0),
    (r"wss://app\.example\.com", 0),
    (r"https://[a-z]{1,200}\.example\.com", 0),
]

# Regexes that admit an origin outside one registrable domain: refused with credentials,
# with no opt-in, naming an origin the regex admits. The first seven rows are issue 16's.
LEAKING = [
    (r"https://[a-z0-9.-]+:[0-9]{1,5}", 0, "https://attacker.invalid:1"),
    (
        r"https://(?:app\.example\.com|www\.example\.com.*)",
        0,
        "https://www.example.com.attacker.invalid",
    ),
    (r"https://([a-z0-9-]+\.)*github\.io", 0, "https://attacker.github.io"),
    (r"https://App\.Example\.com.*", IGNORE, "https://app.example.com.attacker.invalid"),
    (r"https://app.example.com(:\d+)?", 0, "https://app.exampleacom"),
    (r"https://*.example.com", IGNORE, "https://exampleacom"),  # flask-cors's reading of it
    (r"https://app\.example\.com.*", 0, "https://app.example.com.attacker.invalid"),
    (r"https://app\.example\.com(\..*)?", 0, "https://app.example.com.attacker.invalid"),
    (r"https://app\.example\.com\S*", 0, "https://app.example.com.attacker.invalid"),
    (r"https://.*example\.com", 0, "https://attackerexample.com"),
    (r"https://[a-z.-]*example\.com", 0, "https://attackerexample.com"),
    (r"https://[a-z]+\.co\.uk", 0, "https://attackera.co.uk"),
    (r"https://[a-z]+\.s3\.amazonaws\.com", 0, None),
    # under a registrable domain, but also under public suffixes below it (the PSL's
    # private section: amazonaws.com's customers' names)
    (r"https://[a-z0-9.-]+\.amazonaws\.com", 0, None),
    (r"https://app\.example\.com|https://app\.example\.org", 0, "https://app.example.org"),
    (r"https://app\.example\.(com|org)", 0, None),
    (r"https://[a-z]+\.example\.com|https://[a-z]+\.evil\.test", 0, None),
    (r"https://app\.example\.com(:0)?|https://[a-z.]+\.test", 0, None),
    (r"https://[a-z]+", 0, None),
    (r"https://127\.0\.0\.1\.[a-z]+", 0, None),
    (r"https://[a-z]+localhost", 0, None),
    (r"[a-z]+://app\.example\.com", 0, None),
    (r"https://app\.example\.com(?:\.[a-z]+)?", 0, None),
    (r"https://(?:app|www)\.EXAMPLE\.com.+", IGNORE, None),
    (
        r"https://app\.example\.com|https://\u212aevil\.attacker\.invalid",
        IGNORE,
        "https://kevil.attacker.invalid",
    ),
]


def compiled(pattern: str, flags: int) -> re.Pattern[str]:
    return re.compile(pattern, flags)


@pytest.mark.parametrize(("pattern", "flags"), CONFINED, ids=[p for p, _ in CONFINED])
def test_confined_regexes_are_proven(pattern: str, flags: int) -> None:
    proof = regex_confinement(compiled(pattern, flags))
    assert proof.confined, proof
    app = Flask(__name__)
    Preflight(app, origins=[compiled(pattern, flags)], credentials=True)  # does not raise


@pytest.mark.parametrize(("pattern", "flags", "admitted"), LEAKING, ids=[p for p, _, _ in LEAKING])
def test_leaking_regexes_are_refused_naming_an_origin_they_admit(
    pattern: str, flags: int, admitted: str | None
) -> None:
    regex = compiled(pattern, flags)
    proof = regex_confinement(regex)
    assert not proof.confined and proof.leak is not None
    assert regex.fullmatch(proof.leak)  # a real origin, checked with the regex itself
    if admitted is not None:
        assert proof.leak == admitted
    app = Flask(__name__)
    with pytest.raises(PreflightConfigError) as raised:
        # no tolerance keeps a regex that provably admits another domain's origins
        Preflight(
            app,
            origins=[regex],
            credentials=True,
            dangerously_tolerate=["unverified_regex", "insecure_origins"],
        )
    assert repr(proof.leak) in str(raised.value)
    assert "'https://*." in str(raised.value)  # the fixes: a pattern, a list, a callable
    assert "a list of origins, or a callable" in str(raised.value)


def test_the_table_has_twenty_of_each() -> None:
    assert len(CONFINED) >= 20 and len(LEAKING) >= 20


# --- issue 16's table, each row as the user writes it ------------------------------------


@pytest.mark.parametrize(
    ("regex", "granted_on_main"),
    [
        (re.compile(r"https://[a-z0-9.-]+:[0-9]{1,5}"), "https://evil.test:8443"),
        (
            re.compile(r"https://(?:app\.example\.com|www\.example\.com.*)"),
            "https://www.example.com.attacker.invalid",
        ),
        (re.compile(r"https://([a-z0-9-]+\.)*github\.io"), "https://attacker.github.io"),
        (
            re.compile(r"https://App\.Example\.com.*", re.I),
            "https://app.example.com.attacker.invalid",
        ),
        (re.compile(r"https://app.example.com(:\d+)?"), "https://appxexample.com"),
    ],
    ids=["port-after-any-host", "branch", "public-suffix", "ignorecase", "unescaped-dots"],
)
def test_issue_16_rows_are_refused_at_start_up(
    regex: re.Pattern[str], granted_on_main: str
) -> None:
    assert regex.fullmatch(granted_on_main)
    app = Flask(__name__)
    with pytest.raises(PreflightConfigError, match="not under one registrable domain"):
        Preflight(app, origins=[regex], credentials=True)


def test_issue_16_cleartext_row_falls_under_insecure_origins() -> None:
    regex = re.compile(r"https?://app\.example\.com:\d+")
    app = Flask(__name__)
    with pytest.raises(PreflightConfigError, match=r"dangerously_tolerate=\['insecure_origins'\]"):
        Preflight(app, origins=[regex], credentials=True)
    assert regex_confinement(regex).confined
    assert regex_cleartext_origin(regex) == "http://app.example.com:1"
    app = Flask(__name__)
    Preflight(app, origins=[regex], credentials=True, dangerously_tolerate=["insecure_origins"])

    @app.get("/")
    def view() -> str:
        return ""

    response = app.test_client().get("/", headers={"Origin": "http://app.example.com:8080"})
    assert response.headers["Access-Control-Allow-Origin"] == "http://app.example.com:8080"


def test_issue_16_compat_subdomain_string_is_the_native_pattern() -> None:
    app = Flask(__name__)

    @app.get("/")
    def view() -> str:
        return ""

    CORS(app, origins=["https://*.example.com"], supports_credentials=True)
    client = app.test_client()
    refused = client.get("/", headers={"Origin": "https://xexample.com"})
    assert "Access-Control-Allow-Origin" not in refused.headers
    granted = client.get("/", headers={"Origin": "https://a.example.com"})
    assert granted.headers["Access-Control-Allow-Origin"] == "https://a.example.com"
    assert granted.headers["Access-Control-Allow-Credentials"] == "true"


def test_compat_subdomain_string_under_a_public_suffix_is_refused() -> None:
    app = Flask(__name__)
    with pytest.raises(PreflightConfigError, match=r"public suffix 'github\.io'"):
        CORS(app, origins=["https://*.github.io"], supports_credentials=True)


# --- what cannot be proven: refused unless tolerated by name ------------------------------

UNPROVABLE = re.compile(r"https://[a-z.]+(?<=\.example\.com)")  # confined, but by a lookbehind


def test_unprovable_regex_is_refused_unless_tolerated() -> None:
    app = Flask(__name__)
    with pytest.raises(PreflightConfigError) as raised:
        Preflight(app, origins=[UNPROVABLE], credentials=True)
    proof = regex_confinement(UNPROVABLE)
    assert not proof.confined and proof.leak is None and proof.why
    message = str(raised.value)
    assert "cannot be proven to admit only origins under one registrable domain" in message
    assert "dangerously_tolerate=['unverified_regex']" in message
    app = Flask(__name__)
    Preflight(app, origins=[UNPROVABLE], credentials=True, dangerously_tolerate="unverified_regex")

    @app.get("/")
    def view() -> str:
        return ""

    response = app.test_client().get("/", headers={"Origin": "https://a.example.com"})
    assert response.headers["Access-Control-Allow-Credentials"] == "true"


def test_unprovable_regex_without_credentials_needs_no_proof() -> None:
    app = Flask(__name__)
    Preflight(app, origins=[UNPROVABLE, re.compile(r"https://.*")])  # does not raise


@pytest.mark.parametrize(
    "pattern",
    [
        r"https://(?=app)[a-z.]+",  # a lookahead the analysis drops
        r"https://[a-z.]+(?<=\.example\.com)",
    ],
)
def test_unprovable_is_not_read_as_safe(pattern: str) -> None:
    proof = regex_confinement(re.compile(pattern))
    assert not proof.confined


# --- tolerances cover origins at their own level or a level they override -----------------


def _app_with_view(view_policy: dict[str, Any], app_policy: dict[str, Any]) -> Flask:
    app = Flask(__name__)

    @app.get("/v")
    @cors(**view_policy)
    def v() -> str:
        return ""

    Preflight(app, **app_policy)
    return app


def test_app_tolerance_does_not_cover_a_views_origins() -> None:
    with pytest.raises(PreflightConfigError) as raised:
        _app_with_view(
            {"origins": ["null"], "credentials": True},
            {"dangerously_tolerate": ["null_with_credentials"]},
        )
    assert "covers only origins declared at its level or one it overrides" in str(raised.value)


def test_view_tolerance_covers_the_origins_it_inherits() -> None:
    app = Flask(__name__)
    bp = Blueprint("bp", __name__)

    @bp.get("/v")
    @cors(credentials=True, dangerously_tolerate=["null_with_credentials"])
    def v() -> str:
        return ""

    cors(origins=["null"])(bp)
    app.register_blueprint(bp)
    Preflight(app)
    response = app.test_client().get("/v", headers={"Origin": "null"})
    assert response.headers["Access-Control-Allow-Origin"] == "null"


def test_tolerance_at_the_origins_level_covers_them() -> None:
    _app_with_view(
        {"origins": ["null"], "credentials": True, "dangerously_tolerate": "null_with_credentials"},
        {},
    )


def test_blueprint_tolerance_does_not_cover_its_views_origins() -> None:
    app = Flask(__name__)
    bp = Blueprint("bp", __name__)

    @bp.get("/v")
    @cors(origins=[re.compile(r"https?://app\.example\.com")])
    def v() -> str:
        return ""

    cors(credentials=True, dangerously_tolerate=["insecure_origins"])(bp)
    app.register_blueprint(bp)
    with pytest.raises(PreflightConfigError, match="insecure_origins"):
        Preflight(app)


# --- the index: a regex is tried only for the origins whose host carries its suffix -------

FLASK_CORS_LIST = [
    re.compile(rf"https://[a-z0-9.-]+\.s{i}\.example\.com$", IGNORE) for i in range(100)
]


def test_regexes_are_indexed_by_the_host_suffix_they_prove() -> None:
    assert regex_host_suffix(FLASK_CORS_LIST[7]) == "s7.example.com"
    assert regex_host_suffix(re.compile(r"https://(www|api)\.example\.com")) == "example.com"
    assert regex_host_suffix(re.compile(r"https://app\.example\.com(:\d+)?")) == "app.example.com"
    assert regex_host_suffix(re.compile(r"https://.*")) is None
    matcher = build_matcher(tuple(FLASK_CORS_LIST))
    assert len(matcher.regex_index) == 100 and not matcher.regex_rest
    assert all(len(regexes) == 1 for regexes in matcher.regex_index.values())
    assert matcher.allows("https://x1.y.s42.example.com")
    assert not matcher.allows("https://x1.y.s100.example.com")


def test_index_keys_on_one_suffix_length_unless_that_crowds_a_key() -> None:
    one_length = build_matcher(tuple(FLASK_CORS_LIST))
    assert one_length.regex_suffix_lengths == (14,)  # "s0.example.com"; "10.example.com"
    crowded = (re.compile(r"https://app\.io"), *FLASK_CORS_LIST[:10])
    matcher = build_matcher(crowded)  # on 6 characters, every key would be "le.com"
    assert matcher.regex_suffix_lengths == (6, 14)
    for origin in ("https://app.io", "https://a.s3.example.com", "https://a.s3.example.io"):
        assert matcher.allows(origin) is any(r.fullmatch(origin) for r in crowded)


def test_regexes_without_a_suffix_are_one_alternation() -> None:
    wide = [re.compile(rf"https://[a-z]+{i}\.[a-z]+") for i in range(10)]
    matcher = build_matcher(tuple(wide))
    assert not matcher.regex_index and len(matcher.regex_rest) == 1
    assert matcher.allows("https://ab3.cd") and not matcher.allows("https://ab.cd")


DIFFERENTIAL = [
    *FLASK_CORS_LIST[:5],
    re.compile(r"https://(www|api)\.example\.com"),
    re.compile(r"https://App\.Example\.com", re.I),
    re.compile(r"https://app\.example\.com(:\d+)?"),
    re.compile(r"http://localhost:\d+"),
    re.compile(r"https://([a-z]+)\.\1\.test"),  # a group reference: never joined
    re.compile(r"(?P<sub>[a-z]+)://x\.test"),  # a named group: never joined
    re.compile(r"https://  a\.b  # spaced", re.X),  # verbose: never joined
    re.compile(r"(?i)https://MIXED\.test"),  # a global inline flag: never joined
    re.compile(r"https://[a-z]+(?<!evil)\.other\.test"),
    re.compile(r"HTTPS://[A-Z]+\.upper\.test"),  # never matches a serialised origin
    re.compile(r"https://.*"),
    re.compile(r"https://\[::1\]:\d+|https://10\.0\.0\.\d+"),
]
HOSTS = [
    "www.example.com",
    "api.example.com",
    "app.example.com",
    "localhost",
    "ab.ab.test",
    "ab.cd.test",
    "x.test",
    "a.b",
    "good.other.test",
    "evil.other.test",
    "a.upper.test",
    "[::1]",
    "10.0.0.7",
    "q.s3.example.com",
    "q.r.s0.example.com",
    "s1.example.com",
    "mixed.test",
]


def test_the_index_admits_exactly_what_the_regexes_do() -> None:
    rng = random.Random(18)
    for _ in range(30):
        regexes = tuple(rng.sample(DIFFERENTIAL, rng.randint(1, len(DIFFERENTIAL))))
        matcher = build_matcher(regexes)
        for host in HOSTS:
            for scheme in ("https", "http", "sub"):
                for port in ("", ":8443"):
                    origin = f"{scheme}://{host}{port}"
                    expected = any(regex.fullmatch(origin) for regex in regexes)
                    assert matcher.allows(origin) is expected, (origin, regexes)
