"""Header names, token syntax, bounded parsing of request header lists, and ``Vary`` merging.

Pure functions over strings.
"""

from __future__ import annotations

import re

# Request headers (as WSGI environ keys, read once per request).
ENVIRON_ORIGIN = "HTTP_ORIGIN"
ENVIRON_REQUEST_METHOD = "HTTP_ACCESS_CONTROL_REQUEST_METHOD"
ENVIRON_REQUEST_HEADERS = "HTTP_ACCESS_CONTROL_REQUEST_HEADERS"
ENVIRON_REQUEST_PRIVATE_NETWORK = "HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK"

# Response headers.
ALLOW_ORIGIN = "Access-Control-Allow-Origin"
ALLOW_CREDENTIALS = "Access-Control-Allow-Credentials"
ALLOW_METHODS = "Access-Control-Allow-Methods"
ALLOW_HEADERS = "Access-Control-Allow-Headers"
ALLOW_PRIVATE_NETWORK = "Access-Control-Allow-Private-Network"
EXPOSE_HEADERS = "Access-Control-Expose-Headers"
MAX_AGE = "Access-Control-Max-Age"
VARY = "Vary"

PREFLIGHT_VARY = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
PREFLIGHT_VARY_PRIVATE_NETWORK = PREFLIGHT_VARY + ", Access-Control-Request-Private-Network"

# Bounds on untrusted input: a request over any of them is refused before per-item work.
# Browsers send far less: a serialized origin is at most ~270 bytes (253-byte host, scheme,
# port), and a page that sets more than a few dozen custom headers is unheard of.
MAX_ORIGIN_LENGTH = 512
MAX_REQUEST_METHOD_LENGTH = 32
MAX_REQUEST_HEADERS_LENGTH = 4096
MAX_REQUEST_HEADER_NAMES = 64

# RFC 9110 token: the syntax of method and header names.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# The form browsers send: lowercase tokens joined by commas, no spaces, no empty element.
_LOWERCASE_TOKEN_LIST = re.compile(r"[!#$%&'*+\-.^_`|~0-9a-z]+(?:,[!#$%&'*+\-.^_`|~0-9a-z]+)*")

# The CORS-safelisted request-header names (Fetch). Browsers list them in
# Access-Control-Request-Headers when a value is not safelisted (a JSON Content-Type, say);
# every policy allows them, as users expect a JSON API to work.
SAFELISTED_REQUEST_HEADERS = frozenset(
    {"accept", "accept-language", "content-language", "content-type"}
)

# Forbidden request-header names (Fetch): scripts cannot set them, so they never appear in
# Access-Control-Request-Headers, and listing them in a policy is always a mistake.
FORBIDDEN_REQUEST_HEADERS = frozenset(
    {
        "accept-charset",
        "accept-encoding",
        "access-control-request-headers",
        "access-control-request-method",
        "connection",
        "content-length",
        "cookie",
        "cookie2",
        "date",
        "dnt",
        "expect",
        "host",
        "keep-alive",
        "origin",
        "referer",
        "set-cookie",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "via",
    }
)
FORBIDDEN_REQUEST_HEADER_PREFIXES = ("proxy-", "sec-")


def is_token(value: str) -> bool:
    """Whether ``value`` is an HTTP token (the syntax of method and header names)."""
    return _TOKEN.fullmatch(value) is not None


def is_forbidden_request_header(name: str) -> bool:
    """Whether browsers forbid scripts from setting the header ``name``."""
    lowered = name.lower()
    return lowered in FORBIDDEN_REQUEST_HEADERS or lowered.startswith(
        FORBIDDEN_REQUEST_HEADER_PREFIXES
    )


def parse_request_headers(value: str) -> tuple[str, ...] | None:
    """Parse an ``Access-Control-Request-Headers`` value into lowercase names.

    Returns ``None`` when the value is malformed or over the bounds: longer than
    ``MAX_REQUEST_HEADERS_LENGTH``, more than ``MAX_REQUEST_HEADER_NAMES`` elements (empty
    ones included), or an element that is not a token. The length check comes first, so
    the work is linear in at most ``MAX_REQUEST_HEADERS_LENGTH`` characters.
    """
    if len(value) > MAX_REQUEST_HEADERS_LENGTH:
        return None
    if value.count(",") >= MAX_REQUEST_HEADER_NAMES:
        return None
    # Fast path for the common browser form (lowercase, comma-joined, no spaces): one
    # match instead of one per name; the loop below gives the same names for it.
    if _LOWERCASE_TOKEN_LIST.fullmatch(value) is not None:
        return tuple(value.split(","))
    names = []
    for element in value.split(","):
        name = element.strip(" \t")
        if not name:
            continue  # Fetch's list syntax ignores empty elements ("a,,b", "a,").
        if _TOKEN.fullmatch(name) is None:
            return None
        names.append(name.lower())
    return tuple(names)


def merge_vary(existing: list[str], name: str) -> str | None:
    """Return the one ``Vary`` value that holds the ``existing`` values plus ``name``.

    ``existing`` are the response's current ``Vary`` header lines. Duplicates are dropped
    and several lines fold into one. Returns ``None`` when nothing needs to change: a single
    line already naming ``name`` (case-insensitively), or a response that varies on
    everything (``*``).
    """
    fields: list[str] = []
    seen: set[str] = set()
    for line in existing:
        for element in line.split(","):
            field = element.strip()
            lowered = field.lower()
            if not field or lowered in seen:
                continue
            if lowered == "*":
                return None
            seen.add(lowered)
            fields.append(field)
    if name.lower() in seen:
        if len(existing) == 1 and len(fields) == existing[0].count(",") + 1:
            return None
    else:
        fields.append(name)
    return ", ".join(fields)


# Response headers that, when the app set them itself, need merging rather than appending:
# Vary, and every Access-Control-* header (on an endpoint with a CORS policy, only the
# policy's answer may carry them).
ACCESS_CONTROL_PREFIX = "access-control-"
VARY_ORIGIN = (VARY, "Origin")
# Response header names, spelled as Werkzeug and Flask write them, that are neither of
# those: a response whose header names are all here needs no merging, which the request
# path tells with one set lookup per header instead of lowercasing each name. Any other
# name (another spelling included) is checked in full, so this set only saves time.
PLAIN_RESPONSE_HEADERS = frozenset(
    {
        "Content-Type",
        "Content-Length",
        "Content-Encoding",
        "Content-Disposition",
        "Content-Language",
        "Content-Range",
        "Content-Security-Policy",
        "Cache-Control",
        "ETag",
        "Expires",
        "Last-Modified",
        "Location",
        "Set-Cookie",
        "Accept-Ranges",
        "Date",
        "Server",
        "X-Content-Type-Options",
        "X-Frame-Options",
        "Strict-Transport-Security",
        "Referrer-Policy",
    }
)


def sets_cors_or_vary(headers: list[tuple[str, str]]) -> bool:
    """Whether a response's own headers include ``Vary`` or an ``Access-Control-*`` one."""
    for name, _ in headers:
        if name not in PLAIN_RESPONSE_HEADERS:
            lowered = name.lower()
            if lowered == "vary" or lowered.startswith(ACCESS_CONTROL_PREFIX):
                return True
    return False


def _without_access_control(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [h for h in headers if not h[0].lower().startswith(ACCESS_CONTROL_PREFIX)]


def merge_actual_headers(
    headers: list[tuple[str, str]], answer: tuple[tuple[str, str], ...]
) -> None:
    """Put an actual request's ``answer`` (``decision.ActualPlan``: CORS headers, then
    ``Vary: Origin`` when the answer depends on the origin) into a WSGI header list whose
    app set Vary or Access-Control-* headers itself: the app's Access-Control-* headers are
    dropped (replaced by the answer's when the request is granted, gone when it is not), and
    ``Origin`` is merged into its ``Vary``. (When the app set none of them, appending the
    answer is enough: the request path does that inline.)"""
    vary_origin = bool(answer) and answer[-1] == VARY_ORIGIN
    cors = answer[:-1] if vary_origin else answer
    vary_lines = [value for name, value in headers if name.lower() == "vary"]
    headers[:] = _without_access_control(headers)
    headers.extend(cors)
    if not vary_origin:
        return
    if not vary_lines:
        headers.append(VARY_ORIGIN)
        return
    merged = merge_vary(vary_lines, "Origin")
    if merged is not None:
        headers[:] = [h for h in headers if h[0].lower() != "vary"]
        headers.append((VARY, merged))


def merge_preflight_headers(
    headers: list[tuple[str, str]], answered: list[tuple[str, str]]
) -> None:
    """Make a preflight response that went through the app's after_request hooks carry
    exactly the Access-Control-* headers it was ``answered`` with, and one ``Vary`` holding
    the app's fields and the answer's."""
    lines = [value for name, value in headers if name.lower() == "vary"]
    lines += [value for name, value in answered if name == VARY]
    fields: dict[str, str] = {}
    for line in lines:
        for element in line.split(","):
            field = element.strip()
            if field:
                fields.setdefault(field.lower(), field)
    headers[:] = [h for h in _without_access_control(headers) if h[0].lower() != "vary"]
    headers.extend(h for h in answered if h[0].lower().startswith(ACCESS_CONTROL_PREFIX))
    headers.append((VARY, "*" if "*" in fields else ", ".join(fields.values())))
