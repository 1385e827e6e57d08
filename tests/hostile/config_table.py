"""The configuration table: every misconfiguration the core rejects, with the exact error text,
and every allowed form it accepts.

The same table, rendered as markdown, is ``tests/hostile/ERRORS.md`` ("Errors you may see", for
docs/errors.md). ``test_config.py`` checks the file is in sync; regenerate it with
``.venv/bin/python -m tests.hostile.config_table`` from the repository root.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Blueprint, Flask

from flask_preflight import Preflight, cors

ERRORS_MD = os.path.join(os.path.dirname(__file__), "ERRORS.md")

VIEW_THEN_INIT = """\
@app.route("/v")
@cors(origins="*")
def v():
    return ""

Preflight(app, credentials=True)
"""
INIT_THEN_VIEW = """\
Preflight(app, credentials=True)

@app.route("/v")
@cors(origins="*")
def v():
    return ""

app.test_client().get("/v")
"""
CONFIG_THEN_VIEW = """\
app.config["PREFLIGHT_CREDENTIALS"] = True

@app.route("/v")
@cors(origins="*")
def v():
    return ""

Preflight(app)
"""
BLUEPRINT_REGEX = """\
bp = Blueprint("bp", __name__)

@bp.route("/v")
def v():
    return ""

cors(origins=[re.compile(".*")])(bp)
app.register_blueprint(bp)
Preflight(app, credentials=True)
"""
DANGER = """\
@app.route("/v")
@cors({})
def v():
    return ""

Preflight(app)
"""
TOLERATE = "if you accept the risk, add dangerously_tolerate="


def danger(kwargs: str, origin: str, message: str, risk: str | None, fix: str) -> Rejected:
    """A credentialed origin that others than its owner can speak for (checked on the merged
    policy, so at ``Preflight(app)``, naming the endpoint)."""
    tail = f"; {TOLERATE}[{risk!r}]" if risk else ""
    return Rejected(
        f"cors({kwargs})",
        says=(f"endpoint 'v': origins={origin}: {message}{tail}",),
        fields=(("origins", origin),),
        fix=fix,
        run=DANGER.format(kwargs),
    )


CONFIG_KEY = """\
app.config["PREFLIGHT_ORIGIN"] = "https://app.example.com"
Preflight(app)
"""
CONFIG_KEY2 = """\
app.config["PREFLIGHT_CREDENTAILS"] = True
Preflight(app)
"""
CONFIG_KEY4 = """\
app.config["PREFLIGHT_SUPPORTS_CREDENTIALS"] = True
Preflight(app)
"""
CONFIG_KEY3 = """\
app.config["PREFLIGHT_MAX_AGE"] = -1
Preflight(app)
"""
CONFIG_ENV_ORIGINS = """\
app.config["PREFLIGHT_ORIGINS"] = "https://a.example.com https://b.example.com"
Preflight(app)
"""
CONFIG_ENV_CREDENTIALS = """\
app.config["PREFLIGHT_CREDENTIALS"] = "true"
Preflight(app)
"""


def namespace() -> dict[str, Any]:
    """What a row's code runs with: a fresh app and the usual imports."""
    return {
        "re": re,
        "timedelta": timedelta,
        "Flask": Flask,
        "Blueprint": Blueprint,
        "Preflight": Preflight,
        "cors": cors,
        "app": Flask("config_table"),
        "__name__": "config_table",
    }


@dataclass(frozen=True)
class Rejected:
    """``wrote`` (run as code unless ``run`` is given) must raise PreflightConfigError whose
    ``str()`` lists exactly ``says`` and whose ``.problems`` name exactly ``fields``
    (field, repr of value)."""

    wrote: str
    says: tuple[str, ...]
    fields: tuple[tuple[str, str], ...]
    fix: str
    run: str | None = None

    @property
    def code(self) -> str:
        return self.run if self.run is not None else self.wrote


@dataclass(frozen=True)
class Accepted:
    """``cors(<kwargs>)`` must be accepted (also as ``Preflight`` keywords and as config keys);
    afterwards ``grants`` is granted and ``refuses`` is not."""

    kwargs: str
    grants: str | None
    refuses: str | None = "https://evil.example.net"


REJECTED: tuple[Rejected, ...] = (
    Rejected(
        'cors(origins="*", credentials=True)',
        says=(
            (
                "@cors(...): origins='*': admits any origin (set by @cors(...)) while "
                "credentials=True (set by @cors(...)): any site could read your users' data; "
                "list the origins that may call with credentials"
            ),
        ),
        fields=(("origins", "'*'"),),
        fix="List the origins that may call with credentials, or drop `credentials`.",
    ),
    Rejected(
        'cors(origins=["https://app.example.com", "*"], credentials=True)',
        says=(
            (
                "@cors(...): origins='*': admits any origin (set by @cors(...)) while "
                "credentials=True (set by @cors(...)): any site could read your users' data; "
                "list the origins that may call with credentials"
            ),
        ),
        fields=(("origins", "'*'"),),
        fix='Remove `"*"`; list every origin that may send cookies.',
    ),
    Rejected(
        'cors(origins=[re.compile(r".*")], credentials=True)',
        says=(
            (
                "@cors(...): origins=re.compile('.*'): admits any origin (set by @cors(...)) "
                "while credentials=True (set by @cors(...)): any site could read your users' "
                "data; list the origins that may call with credentials"
            ),
        ),
        fields=(("origins", "re.compile('.*')"),),
        fix=(
            "Write a regex that admits only your origins, e.g. "
            '`re.compile(r"https://(www|api)\\.example\\.com")`.'
        ),
    ),
    Rejected(
        'cors(origins=[re.compile(r"https://.*")], credentials=True)',
        says=(
            (
                "@cors(...): origins=re.compile('https://.*'): admits any origin (set by "
                "@cors(...)) while credentials=True (set by @cors(...)): any site could read "
                "your users' data; list the origins that may call with credentials"
            ),
        ),
        fields=(("origins", "re.compile('https://.*')"),),
        fix=(
            "Anchor the host to your domain: "
            '`re.compile(r"https://[a-z0-9-]+\\.example\\.com")`, or use '
            '`"https://*.example.com"`.'
        ),
    ),
    Rejected(
        'Preflight(app, credentials=True) with a view under @cors(origins="*")',
        says=(
            (
                "endpoint 'v': origins='*': admits any origin (set by view 'v') while "
                "credentials=True (set by Preflight(...)): any site could read your users' "
                "data; list the origins that may call with credentials"
            ),
        ),
        fields=(("origins", "'*'"),),
        fix="Give that view its own `credentials=False`, or list its origins.",
        run=VIEW_THEN_INIT,
    ),
    Rejected(
        "same, view registered after init_app",
        says=(
            (
                "endpoint 'v': origins='*': admits any origin (set by view 'v') while "
                "credentials=True (set by Preflight(...)): any site could read your users' "
                "data; list the origins that may call with credentials"
            ),
        ),
        fields=(("origins", "'*'"),),
        fix="As above; the error comes at the app's first request, naming the view.",
        run=INIT_THEN_VIEW,
    ),
    Rejected(
        'PREFLIGHT_CREDENTIALS = True with a view under @cors(origins="*")',
        says=(
            (
                "endpoint 'v': origins='*': admits any origin (set by view 'v') while "
                "credentials=True (set by app.config): any site could read your users' data; "
                "list the origins that may call with credentials"
            ),
        ),
        fields=(("origins", "'*'"),),
        fix="As above.",
        run=CONFIG_THEN_VIEW,
    ),
    Rejected(
        'blueprint under cors(origins=[re.compile(".*")]), app credentials=True',
        says=(
            (
                "endpoint 'bp.v': origins=re.compile('.*'): admits any origin (set by "
                "blueprint 'bp') while credentials=True (set by Preflight(...)): any site "
                "could read your users' data; list the origins that may call with credentials"
            ),
        ),
        fields=(("origins", "re.compile('.*')"),),
        fix="Narrow the blueprint's regex, or set `credentials=False` on the blueprint.",
        run=BLUEPRINT_REGEX,
    ),
    Rejected(
        'cors(origins=["https://app.example.com/api"])',
        says=(
            (
                "@cors(...): origins=['https://app.example.com/api']: "
                "'https://app.example.com/api' has a path, which an origin never carries: use "
                "'https://app.example.com'"
            ),
        ),
        fields=(("origins", "['https://app.example.com/api']"),),
        fix='Write the origin only: `"https://app.example.com"`.',
    ),
    Rejected(
        'cors(origins=["https://app.example.com/"])',
        says=(
            (
                "@cors(...): origins=['https://app.example.com/']: 'https://app.example.com/' "
                "has a trailing slash, which an origin never carries: use "
                "'https://app.example.com'"
            ),
        ),
        fields=(("origins", "['https://app.example.com/']"),),
        fix="Drop the trailing slash.",
    ),
    Rejected(
        'cors(origins=["https://app.example.com?x=1"])',
        says=(
            (
                "@cors(...): origins=['https://app.example.com?x=1']: "
                "'https://app.example.com?x=1' has a query, which an origin never carries: use "
                "'https://app.example.com'"
            ),
        ),
        fields=(("origins", "['https://app.example.com?x=1']"),),
        fix="Drop the query.",
    ),
    Rejected(
        'cors(origins=["https://app.example.com#top"])',
        says=(
            (
                "@cors(...): origins=['https://app.example.com#top']: "
                "'https://app.example.com#top' has a fragment, which an origin never carries: "
                "use 'https://app.example.com'"
            ),
        ),
        fields=(("origins", "['https://app.example.com#top']"),),
        fix="Drop the fragment.",
    ),
    Rejected(
        'cors(origins=["https://user@app.example.com"])',
        says=(
            (
                "@cors(...): origins=['https://user@app.example.com']: "
                "'https://user@app.example.com' has userinfo, which an origin never carries: "
                "use 'https://app.example.com'"
            ),
        ),
        fields=(("origins", "['https://user@app.example.com']"),),
        fix="Drop the `user@` part.",
    ),
    Rejected(
        'cors(origins=["app.example.com"])',
        says=(
            (
                "@cors(...): origins=['app.example.com']: 'app.example.com' has no scheme: "
                "write it as the browser sends it, e.g. 'https://app.example.com'"
            ),
        ),
        fields=(("origins", "['app.example.com']"),),
        fix="Add the scheme the page is served with.",
    ),
    Rejected(
        'cors(origins=["https://*"])',
        says=(
            (
                "@cors(...): origins=['https://*']: 'https://*' has a '*' where none is "
                "allowed: '*' may only be the whole value (any origin), a leading subdomain "
                "label ('https://*.example.com') or the port ('http://localhost:*')"
            ),
        ),
        fields=(("origins", "['https://*']"),),
        fix='Use `"*"` (no credentials) or a subdomain pattern such as `"https://*.example.com"`.',
    ),
    Rejected(
        'cors(origins=["https://*example.com"])',
        says=(
            (
                "@cors(...): origins=['https://*example.com']: 'https://*example.com' has a "
                "'*' where none is allowed: '*' may only be the whole value (any origin), a "
                "leading subdomain label ('https://*.example.com') or the port "
                "('http://localhost:*')"
            ),
        ),
        fields=(("origins", "['https://*example.com']"),),
        fix='Use `"https://*.example.com"` (the dot keeps `evilexample.com` out).',
    ),
    Rejected(
        'cors(origins=["https://app.*.example.com"])',
        says=(
            (
                "@cors(...): origins=['https://app.*.example.com']: "
                "'https://app.*.example.com' has a '*' where none is allowed: '*' may only be "
                "the whole value (any origin), a leading subdomain label "
                "('https://*.example.com') or the port ('http://localhost:*')"
            ),
        ),
        fields=(("origins", "['https://app.*.example.com']"),),
        fix="Only the leading label may be `*`.",
    ),
    Rejected(
        'cors(origins=["https://*.com"])',
        says=(
            (
                "@cors(...): origins=['https://*.com']: 'https://*.com' admits every domain "
                "under the top-level domain 'com': name your own domain, e.g. "
                "'https://*.example.com'"
            ),
        ),
        fields=(("origins", "['https://*.com']"),),
        fix='Name your own domain: `"https://*.example.com"`.',
    ),
    Rejected(
        'cors(origins=["https://*.10.0.0.1"])',
        says=(
            (
                "@cors(...): origins=['https://*.10.0.0.1']: 'https://*.10.0.0.1' puts a "
                "subdomain wildcard on an IP address"
            ),
        ),
        fields=(("origins", "['https://*.10.0.0.1']"),),
        fix="List the IP origin exactly.",
    ),
    Rejected(
        'cors(origins=["https://app.example.com:99999"])',
        says=(
            (
                "@cors(...): origins=['https://app.example.com:99999']: "
                "'https://app.example.com:99999' has an invalid port '99999' (1-65535, or '*')"
            ),
        ),
        fields=(("origins", "['https://app.example.com:99999']"),),
        fix="Use a port from 1 to 65535, or `*`.",
    ),
    Rejected(
        'cors(origins=["http://localhost:*8"])',
        says=(
            (
                "@cors(...): origins=['http://localhost:*8']: 'http://localhost:*8' has an "
                "invalid port '*8' (1-65535, or '*')"
            ),
        ),
        fields=(("origins", "['http://localhost:*8']"),),
        fix="The port is a number or exactly `*`.",
    ),
    Rejected(
        'cors(origins=["https://app example.com"])',
        says=(
            (
                "@cors(...): origins=['https://app example.com']: 'https://app example.com' "
                "has a host that is not a valid domain name (letters, digits, '-' and '_' in "
                "dot-separated labels)"
            ),
        ),
        fields=(("origins", "['https://app example.com']"),),
        fix="Fix the host name.",
    ),
    Rejected(
        'cors(origins=["NULL"])',
        says=(
            (
                "@cors(...): origins=['NULL']: 'NULL' is not how browsers write the null origin: "
                "write 'null' (lowercase)"
            ),
        ),
        fields=(("origins", "['NULL']"),),
        fix='Write `"null"`, and only if you mean sandboxed iframes and `file:` pages.',
    ),
    Rejected(
        'cors(origins="https://a.example.com, https://b.example.com")',
        says=(
            (
                "@cors(...): origins='https://a.example.com, https://b.example.com': "
                "'https://a.example.com, https://b.example.com' looks like several origins in "
                "one string: pass a list, ['https://a.example.com', 'https://b.example.com']"
            ),
        ),
        fields=(("origins", "'https://a.example.com, https://b.example.com'"),),
        fix="Pass a list.",
    ),
    Rejected(
        'cors(origins=["https://a.example.com https://b.example.com"])',
        says=(
            (
                "@cors(...): origins=['https://a.example.com https://b.example.com']: "
                "'https://a.example.com https://b.example.com' looks like several origins in "
                "one string: pass a list, ['https://a.example.com', 'https://b.example.com']"
            ),
        ),
        fields=(("origins", "['https://a.example.com https://b.example.com']"),),
        fix="Pass a list, one origin per item.",
    ),
    Rejected(
        'cors(origins=["https://a.example.com;https://b.example.com"])',
        says=(
            (
                "@cors(...): origins=['https://a.example.com;https://b.example.com']: "
                "'https://a.example.com;https://b.example.com' looks like several origins in "
                "one string: pass a list, ['https://a.example.com', 'https://b.example.com']"
            ),
        ),
        fields=(("origins", "['https://a.example.com;https://b.example.com']"),),
        fix="Pass a list, one origin per item.",
    ),
    Rejected(
        'cors(origins=["http://localhost:3000 "])',
        says=(
            (
                "@cors(...): origins=['http://localhost:3000 ']: 'http://localhost:3000 ' has "
                "whitespace around it, which an origin never carries: use 'http://localhost:3000'"
            ),
        ),
        fields=(("origins", "['http://localhost:3000 ']"),),
        fix="Strip the whitespace (often from a config file or an environment variable).",
    ),
    Rejected(
        'cors(origins=[" https://app.example.com"])',
        says=(
            (
                "@cors(...): origins=[' https://app.example.com']: ' https://app.example.com' "
                "has whitespace around it, which an origin never carries: "
                "use 'https://app.example.com'"
            ),
        ),
        fields=(("origins", "[' https://app.example.com']"),),
        fix="Strip the whitespace.",
    ),
    Rejected(
        'cors(origins=["localhost:3000"])',
        says=(
            (
                "@cors(...): origins=['localhost:3000']: 'localhost:3000' has no scheme: write "
                "it as the browser sends it, e.g. 'http://localhost:3000'"
            ),
        ),
        fields=(("origins", "['localhost:3000']"),),
        fix="Add the scheme the page is served with: local development servers use `http://`.",
    ),
    Rejected(
        "cors(origins=[42])",
        says=(
            (
                "@cors(...): origins=[42]: 42 is a int, not an origin string, a compiled regex "
                "or a callable"
            ),
        ),
        fields=(("origins", "[42]"),),
        fix="Origins are strings, compiled regexes or callables.",
    ),
    Rejected(
        'cors(methods=["GE T"])',
        says=("@cors(...): methods=['GE T']: 'GE T' is not a valid method name (an HTTP token)",),
        fields=(("methods", "['GE T']"),),
        fix="Fix the method name.",
    ),
    Rejected(
        'cors(methods="GET,PUT")',
        says=(
            (
                "@cors(...): methods='GET,PUT': several values in one string: pass a list, "
                "['GET', 'PUT']"
            ),
        ),
        fields=(("methods", "'GET,PUT'"),),
        fix='Pass a list: `["GET", "PUT"]`.',
    ),
    Rejected(
        'cors(allow_headers=["X Token"])',
        says=(
            (
                "@cors(...): allow_headers=['X Token']: 'X Token' is not a valid header name "
                "(an HTTP token)"
            ),
        ),
        fields=(("allow_headers", "['X Token']"),),
        fix="Fix the header name (no spaces).",
    ),
    Rejected(
        'cors(allow_headers=["Cookie"])',
        says=(
            (
                "@cors(...): allow_headers=['Cookie']: 'Cookie' is a forbidden header name: "
                "browsers never let a page send it"
            ),
        ),
        fields=(("allow_headers", "['Cookie']"),),
        fix="Remove it: browsers never let scripts set it (cookies go with `credentials=True`).",
    ),
    Rejected(
        'cors(allow_headers=["Authorization", "*"])',
        says=(
            (
                "@cors(...): allow_headers=['Authorization', '*']: '*' must be the whole "
                "value, not one header name among others"
            ),
        ),
        fields=(("allow_headers", "['Authorization', '*']"),),
        fix='Use `"*"` alone (it already grants `Authorization` by echoing), or list names only.',
    ),
    Rejected(
        'cors(expose_headers=["Set-Cookie"])',
        says=(
            (
                "@cors(...): expose_headers=['Set-Cookie']: 'Set-Cookie' is never readable by "
                "a page, whatever the policy says"
            ),
        ),
        fields=(("expose_headers", "['Set-Cookie']"),),
        fix="Remove it; no policy can expose it.",
    ),
    Rejected(
        'cors(origins=["https://app.example.com"], credentials=True, expose_headers="*")',
        says=(
            (
                "@cors(...): expose_headers='*': '*' exposes nothing on requests with "
                "credentials=True; list the headers"
            ),
        ),
        fields=(("expose_headers", "'*'"),),
        fix="List the response headers the page may read.",
    ),
    Rejected(
        "cors(max_age=-1)",
        says=(
            (
                "@cors(...): max_age=-1: must not be negative: use 0 to stop browsers caching "
                "preflights"
            ),
        ),
        fields=(("max_age", "-1"),),
        fix="Use `0` to disable preflight caching, or `None` to omit the header.",
    ),
    Rejected(
        "cors(max_age=timedelta(seconds=-5))",
        says=(
            (
                "@cors(...): max_age=datetime.timedelta(days=-1, seconds=86395): must not be "
                "negative: use 0 to stop browsers caching preflights"
            ),
        ),
        fields=(("max_age", "datetime.timedelta(days=-1, seconds=86395)"),),
        fix="As above.",
    ),
    Rejected(
        "cors(max_age=1.5)",
        says=(
            (
                "@cors(...): max_age=1.5: must be a whole number of seconds, a timedelta, or "
                "None (got float)"
            ),
        ),
        fields=(("max_age", "1.5"),),
        fix="Use whole seconds (an `int`) or a `timedelta`.",
    ),
    Rejected(
        'cors(max_age="600")',
        says=(
            (
                "@cors(...): max_age='600': must be a whole number of seconds, a timedelta, or "
                "None (got str)"
            ),
        ),
        fields=(("max_age", "'600'"),),
        fix="Use the number `600`, not a string.",
    ),
    Rejected(
        'cors(credentials="yes")',
        says=("@cors(...): credentials='yes': must be True or False (got str)",),
        fields=(("credentials", "'yes'"),),
        fix="Use `True` or `False`.",
    ),
    Rejected(
        'cors(private_network="true")',
        says=("@cors(...): private_network='true': must be True or False (got str)",),
        fields=(("private_network", "'true'"),),
        fix="Use `True` or `False`.",
    ),
    Rejected(
        "cors(credential=True)",
        says=("@cors(...): credential=True: unknown field; did you mean 'credentials'?",),
        fields=(("credential", "True"),),
        fix="Spell it `credentials`.",
    ),
    Rejected(
        'cors(origin="https://app.example.com")',
        says=(
            (
                "@cors(...): origin='https://app.example.com': unknown field; did you mean "
                "'origins'?"
            ),
        ),
        fields=(("origin", "'https://app.example.com'"),),
        fix="Spell it `origins`.",
    ),
    Rejected(
        'cors(allowed_headers=["X-Token"])',
        says=(
            (
                "@cors(...): allowed_headers=['X-Token']: unknown field; did you mean "
                "'allow_headers'?"
            ),
        ),
        fields=(("allowed_headers", "['X-Token']"),),
        fix="Spell it `allow_headers`.",
    ),
    Rejected(
        'app.config["PREFLIGHT_ORIGIN"] = "https://app.example.com"',
        says=(
            (
                "app.config: PREFLIGHT_ORIGIN='https://app.example.com': unknown config key; "
                "did you mean 'PREFLIGHT_ORIGINS'?"
            ),
        ),
        fields=(("PREFLIGHT_ORIGIN", "'https://app.example.com'"),),
        fix="Spell it `PREFLIGHT_ORIGINS`.",
        run=CONFIG_KEY,
    ),
    Rejected(
        'app.config["PREFLIGHT_CREDENTAILS"] = True',
        says=(
            (
                "app.config: PREFLIGHT_CREDENTAILS=True: unknown config key; did you mean "
                "'PREFLIGHT_CREDENTIALS'?"
            ),
        ),
        fields=(("PREFLIGHT_CREDENTAILS", "True"),),
        fix="Spell it `PREFLIGHT_CREDENTIALS`.",
        run=CONFIG_KEY2,
    ),
    Rejected(
        'app.config["PREFLIGHT_MAX_AGE"] = -1',
        says=(
            (
                "app.config: PREFLIGHT_MAX_AGE=-1: must not be negative: use 0 to stop browsers "
                "caching preflights"
            ),
        ),
        fields=(("PREFLIGHT_MAX_AGE", "-1"),),
        fix="As for `max_age=-1`.",
        run=CONFIG_KEY3,
    ),
    Rejected(
        'app.config["PREFLIGHT_ORIGINS"] = os.getenv("ORIGINS")  # a string, space-separated',
        says=(
            (
                "app.config: PREFLIGHT_ORIGINS='https://a.example.com https://b.example.com': "
                "'https://a.example.com https://b.example.com' looks like several origins in "
                "one string: pass a list, ['https://a.example.com', 'https://b.example.com']; in "
                "config that is a list, app.config['PREFLIGHT_ORIGINS'] = "
                "['https://a.example.com', 'https://b.example.com'], or, from the environment, "
                "a JSON list read by app.config.from_prefixed_env(): "
                'FLASK_PREFLIGHT_ORIGINS=\'["https://a.example.com", "https://b.example.com"]\''
            ),
        ),
        fields=(("PREFLIGHT_ORIGINS", "'https://a.example.com https://b.example.com'"),),
        fix="Write a list; from the environment, a JSON list with "
        "`app.config.from_prefixed_env()` (see [Policies](policy.md#from-the-environment)).",
        run=CONFIG_ENV_ORIGINS,
    ),
    Rejected(
        'app.config["PREFLIGHT_CREDENTIALS"] = os.getenv("CREDENTIALS")  # the string "true"',
        says=(
            (
                "app.config: PREFLIGHT_CREDENTIALS='true': must be True or False (got str); "
                "from the environment, app.config.from_prefixed_env() reads "
                "FLASK_PREFLIGHT_CREDENTIALS=true as True"
            ),
        ),
        fields=(("PREFLIGHT_CREDENTIALS", "'true'"),),
        fix="`True`; from the environment, `app.config.from_prefixed_env()` reads JSON.",
        run=CONFIG_ENV_CREDENTIALS,
    ),
    Rejected(
        'Preflight(app, resources={r"/api/*": {"origins": "https://app.example.com"}})',
        says=(
            (
                "Preflight(...): resources={'/api/*': {'origins': 'https://app.example.com'}}: "
                "unknown field; 'resources' is a flask-cors option with no equivalent here: "
                "policies are set per view or blueprint with cors(...), not by URL pattern "
                "(or use flask_preflight.compat, which takes flask-cors's options as they are)"
            ),
        ),
        fields=(("resources", "{'/api/*': {'origins': 'https://app.example.com'}}"),),
        fix=(
            "Put `cors(...)` on the blueprint that serves `/api` (or its views), or switch the "
            "import to `flask_preflight.compat` to keep flask-cors's `resources`."
        ),
    ),
    Rejected(
        'cors(origins="https://app.example.com", supports_credentials=True)',
        says=(
            (
                "@cors(...): supports_credentials=True: unknown field; 'supports_credentials' "
                "is flask-cors's name: use 'credentials'"
            ),
        ),
        fields=(("supports_credentials", "True"),),
        fix="Write `credentials=True`.",
    ),
    Rejected(
        "cors(allow_private_network=True)",
        says=(
            (
                "@cors(...): allow_private_network=True: unknown field; "
                "'allow_private_network' is flask-cors's name: use 'private_network'"
            ),
        ),
        fields=(("allow_private_network", "True"),),
        fix="Write `private_network=True`.",
    ),
    Rejected(
        'Preflight(app, origins="*", send_wildcard=True)',
        says=(
            (
                "Preflight(...): send_wildcard=True: unknown field; 'send_wildcard' is a "
                "flask-cors option with no equivalent here: origins='*' answers with a literal "
                "'*', other policies echo the allowed origin (or use flask_preflight.compat, "
                "which takes flask-cors's options as they are)"
            ),
        ),
        fields=(("send_wildcard", "True"),),
        fix='Drop it: `origins="*"` already answers with `*`.',
    ),
    Rejected(
        'app.config["PREFLIGHT_SUPPORTS_CREDENTIALS"] = True',
        says=(
            (
                "app.config: PREFLIGHT_SUPPORTS_CREDENTIALS=True: unknown config key; "
                "'PREFLIGHT_SUPPORTS_CREDENTIALS' is flask-cors's name: "
                "use 'PREFLIGHT_CREDENTIALS'"
            ),
        ),
        fields=(("PREFLIGHT_SUPPORTS_CREDENTIALS", "True"),),
        fix="Spell it `PREFLIGHT_CREDENTIALS`.",
        run=CONFIG_KEY4,
    ),
    Rejected(
        (
            'Preflight(app, origins=["https://app.example.com/"], methods=["G ET"], '
            "max_age=-1, credential=True)"
        ),
        says=(
            (
                "Preflight(...): origins=['https://app.example.com/']: "
                "'https://app.example.com/' has a trailing slash, which an origin never "
                "carries: use 'https://app.example.com'"
            ),
            ("Preflight(...): methods=['G ET']: 'G ET' is not a valid method name (an HTTP token)"),
            (
                "Preflight(...): max_age=-1: must not be negative: use 0 to stop browsers "
                "caching preflights"
            ),
            "Preflight(...): credential=True: unknown field; did you mean 'credentials'?",
        ),
        fields=(
            ("origins", "['https://app.example.com/']"),
            ("methods", "['G ET']"),
            ("max_age", "-1"),
            ("credential", "True"),
        ),
        fix="Every problem is listed at once; fix each.",
    ),
)

A = "https://app.example.com"
SET_BY = "(set by view 'v') while credentials=True (set by view 'v')"
REGEX_FIXES = (
    "escape every '.', let only a port follow the host and keep every branch under one "
    "registrable domain; or use a pattern such as {pattern!r}, a list of origins, or a callable"
)


def leak(pattern: str, shown: str, admits: str, fix: str) -> Rejected:
    """A credentialed origin regex that provably admits origins of more than one
    registrable domain: refused with no opt-in, naming an origin it admits."""
    return Rejected(
        f'cors(origins=[re.compile(r"{pattern}")], credentials=True)',
        says=(
            (
                f"@cors(...): origins=re.compile({shown}): admits {admits}, which are not "
                "under one registrable domain (set by @cors(...)) while credentials=True (set "
                "by @cors(...)): whoever owns that other origin could read your users' data; "
                + REGEX_FIXES.format(pattern="https://*.example.com")
            ),
        ),
        fields=(("origins", f"re.compile({shown})"),),
        fix=fix,
    )


REJECTED += (
    danger(
        'origins=["null"], credentials=True',
        "'null'",
        "'null' is the origin of every sandboxed iframe, so any site can send it "
        f"{SET_BY}: list real origins instead",
        "null_with_credentials",
        "List real origins; `null` with cookies is `*` with cookies.",
    ),
    danger(
        'origins=["https://*.co.uk"], credentials=True',
        "'https://*.co.uk'",
        "admits every name under the public suffix 'co.uk', where anyone can register one "
        f"{SET_BY}: list your own origins, or a pattern under your own domain",
        "public_suffix_subdomains",
        "Put the pattern under your own domain: `https://*.example.co.uk`.",
    ),
    danger(
        'origins=["https://*.github.io"], credentials=True',
        "'https://*.github.io'",
        "admits every name under the public suffix 'github.io', where anyone can register "
        f"one {SET_BY}: list your own origins, or a pattern under your own domain",
        "public_suffix_subdomains",
        "Name your own site: `https://you.github.io`.",
    ),
    danger(
        'origins=["http://app.example.com"], credentials=True',
        "'http://app.example.com'",
        "is a plain http:// origin, which anyone on the network between a user and it can "
        f"impersonate {SET_BY}: use 'https://app.example.com'",
        "insecure_origins",
        "Serve the page over https; plain http is fine only for loopback hosts.",
    ),
    danger(
        'origins=["http://*.example.com"], credentials=True',
        "'http://*.example.com'",
        "is a plain http:// origin, which anyone on the network between a user and it can "
        f"impersonate {SET_BY}: use 'https://*.example.com'",
        "insecure_origins",
        "Use `https://*.example.com`.",
    ),
    danger(
        r'origins=[re.compile(r"https?://app\.example\.com")], credentials=True',
        r"re.compile('https?://app\\.example\\.com')",
        "admits the plain-http origin 'http://app.example.com', which anyone on the network "
        f"can impersonate {SET_BY}: admit only https:// origins",
        "insecure_origins",
        "Drop the `?` after `https`.",
    ),
    leak(
        r"https://app\.example\.com.*",
        r"'https://app\\.example\\.com.*'",
        "'https://app.example.com.attacker.invalid' as well as 'https://app.example.com'",
        "End the pattern with the host (and an optional port): "
        r"`https://app\.example\.com(:\d+)?`.",
    ),
    leak(
        r"https://.*example\.com",
        r"'https://.*example\\.com'",
        "'https://attackerexample.com' as well as 'https://example.com'",
        r"Match whole labels: `https://([a-z0-9-]+\.)*example\.com`.",
    ),
    leak(
        r"https://[a-z0-9.-]+:[0-9]{1,5}",
        "'https://[a-z0-9.-]+:[0-9]{1,5}'",
        "'https://attacker.invalid:1' as well as 'https://a:1'",
        "Name your hosts; a port may only follow a host of your own domain.",
    ),
    leak(
        r"https://(?:app\.example\.com|www\.example\.com.*)",
        r"'https://(?:app\\.example\\.com|www\\.example\\.com.*)'",
        "'https://www.example.com.attacker.invalid' as well as 'https://app.example.com'",
        "Every branch is checked: end each with the host.",
    ),
    leak(
        r"https://([a-z0-9-]+\.)*github\.io",
        r"'https://([a-z0-9-]+\\.)*github\\.io'",
        "'https://attacker.github.io' as well as 'https://github.io'",
        "Name your own site: `https://you\\.github\\.io`.",
    ),
    leak(
        r"https://app.example.com(:\d+)?",
        r"'https://app.example.com(:\\d+)?'",
        "'https://app.exampleacom' as well as 'https://app.example.com'",
        "Escape every dot: `https://app\\.example\\.com(:\\d+)?`.",
    ),
    danger(
        r'origins=[re.compile(r"https://[a-z.]+(?<=\.example\.com)")], credentials=True',
        r"re.compile('https://[a-z.]+(?<=\\.example\\.com)')",
        "cannot be proven to admit only origins under one registrable domain (the analysis "
        "reads lookarounds, backreferences and long repetitions as matching more than they "
        "do, and could not rule out an origin outside one registrable domain) "
        f"{SET_BY}: " + REGEX_FIXES.format(pattern="https://*.example.com"),
        "unverified_regex",
        r"Write it without the lookbehind: `https://[a-z0-9-]+\.example\.com`.",
    ),
)

ACCEPTED: tuple[Accepted, ...] = (
    Accepted('origins="*"', "https://anything.example.net", None),
    Accepted(f'origins="{A}"', A),
    Accepted('origins=["HTTPS://App.Example.COM:443"]', A, "https://App.Example.COM"),
    Accepted('origins=("http://localhost:5173",)', "http://localhost:5173"),
    Accepted('origins={"http://localhost:5173"}', "http://localhost:5173", "http://localhost"),
    Accepted('origins=["http://[::1]:8080"]', "http://[::1]:8080", "http://127.0.0.1:8080"),
    Accepted('origins=["https://bücher.example"]', "https://xn--bcher-kva.example"),
    Accepted(
        'origins=["https://*.example.com"], credentials=True',
        "https://a.b.example.com",
        "https://example.com",
    ),
    Accepted(
        'origins=["http://*.example.test:8080"]',
        "http://a.example.test:8080",
        "http://a.example.test",
    ),
    Accepted(
        'origins=["http://localhost:*"], credentials=True',
        "http://localhost:3000",
        "http://localhost.example.net:3000",
    ),
    Accepted('origins=["null"]', "null"),
    Accepted(
        'origins=["null"], credentials=True, dangerously_tolerate=["null_with_credentials"]',
        "null",
    ),
    Accepted(
        'origins=["https://fußball.example"]',
        "https://xn--fuball-cta.example",
        "https://fussball.example",
    ),
    Accepted(
        'origins=["https://*.straße.example"], credentials=True',
        "https://a.xn--strae-oqa.example",
        "https://evil.strasse.example",
    ),
    Accepted(
        'origins=["https://*.co.uk"], credentials=True, '
        'dangerously_tolerate=["public_suffix_subdomains"]',
        "https://a.co.uk",
    ),
    Accepted(
        'origins=["http://app.example.com"], credentials=True, '
        'dangerously_tolerate="insecure_origins"',
        "http://app.example.com",
        "https://app.example.com",
    ),
    Accepted('origins=["http://127.0.0.1:5000"], credentials=True', "http://127.0.0.1:5000"),
    Accepted('origins=["http://app.example.com"]', "http://app.example.com"),
    Accepted(
        r'origins=[re.compile(r"https://(www|api)\.example\.com")], credentials=True',
        "https://api.example.com",
        "https://api.example.com.evil.net",
    ),
    Accepted(
        r'origins=[re.compile(r"https://app\.example\.com(:\d+)?")], credentials=True',
        "https://app.example.com:8443",
        "https://appxexample.com",
    ),
    Accepted(
        r'origins=[re.compile(r"https://[a-z.]+(?<=\.example\.com)")], credentials=True, '
        'dangerously_tolerate=["unverified_regex"]',
        "https://a.example.com",
        "https://a.example.net",
    ),
    Accepted(
        'origins=[lambda origin: origin.endswith(".example.org")], credentials=True',
        "https://a.example.org",
        "null",
    ),
    Accepted("origins=[]", None, A),
    Accepted(f'origins="{A}", methods="*"', A),
    Accepted(f'origins="{A}", methods=["GET", "PUT"]', A),
    Accepted(f'origins="{A}", methods=["get", "put"]', A),
    Accepted(f'origins="{A}", allow_headers="*", credentials=True', A),
    Accepted(f'origins="{A}", allow_headers=["Authorization", "X-Token"]', A),
    Accepted(f'origins="{A}", expose_headers=["X-Total"]', A),
    Accepted(f'origins="{A}", expose_headers="*"', A),
    Accepted(f'origins="{A}", max_age=0', A),
    Accepted(f'origins="{A}", max_age=None', A),
    Accepted(f'origins="{A}", max_age=86400', A),
    Accepted(f'origins="{A}", max_age=timedelta(hours=1)', A),
    Accepted(f'origins="{A}", private_network=True', A),
)


def _cell(text: str, in_table: bool = True) -> str:
    """``text`` as markdown code (pipes escaped inside a table)."""
    text = text.replace("\n", " ")
    return "`" + (text.replace("|", "\\|") if in_table else text) + "`"


def render() -> str:
    lines = [
        "# Errors you may see",
        "",
        "Flask-Preflight checks every policy when it is declared (`@cors(...)`, `cors(...)(bp)`,",
        "`Preflight(...)`, `init_app(...)`), and checks the merged policy of every endpoint at",
        "`init_app` (or, for views registered later, at the app's first request). It raises one",
        "`PreflightConfigError` (a `ValueError`) listing every problem, each naming the field and",
        "the value. `str(error)` starts with `Flask-Preflight configuration has N problem(s):`",
        "and has one `  - ` line per problem; the table shows those lines.",
        "",
        "| What you wrote | What the error says | How to fix |",
        "|---|---|---|",
    ]
    for row in REJECTED:
        says = "<br>".join(_cell(line) for line in row.says)
        lines.append(f"| {_cell(row.wrote)} | {says} | {row.fix.replace('|', chr(92) + '|')} |")
    lines += [
        "",
        "These forms are accepted (as `cors(...)` keywords, `Preflight(...)` keywords, or",
        "`PREFLIGHT_*` config keys):",
        "",
    ]
    lines += [f"- {_cell(f'cors({row.kwargs})', in_table=False)}" for row in ACCEPTED]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    with open(ERRORS_MD, "w", encoding="utf-8") as f:
        f.write(render())
    print(f"wrote {ERRORS_MD}")
