"""What every edge target needs: which preflights a server in front of the app can answer
exactly as the app would, read from the app's compiled policies and URL map, with the
regexes that decide them written in the syntax PCRE and Python's ``re`` read the same way.

``read_app`` builds an ``EdgeApp``: an ordered route table (request path and requested
method to a policy, a route refusal, or ``PASS``), the owners of unmatched paths, and each
exportable policy's decision inputs. Anything that cannot be decided exactly is ``PASS``:
the server hands it to the app, which answers correctly anyway. A target (``nginx.py``)
only renders this model; it never decides what is exportable.

The regexes here are matched against the raw request bytes by the server, while the app
reads headers as latin-1 (one character per byte), so a regex is only exported when it
matches the same byte strings in both engines (``portable_regex``).
"""

from __future__ import annotations

import hashlib
import importlib
import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from flask import Flask
from werkzeug.routing import Rule
from werkzeug.routing.converters import (
    AnyConverter,
    FloatConverter,
    IntegerConverter,
    PathConverter,
    UnicodeConverter,
    UUIDConverter,
)

from ..decision import preflight_vary
from ..extension import get_state
from ..headers import MAX_ORIGIN_LENGTH, MAX_REQUEST_HEADER_NAMES, MAX_REQUEST_HEADERS_LENGTH
from ..origins import (
    ANY_PORT,
    DEFAULT_PORTS,
    MAX_PORT,
    SERIALIZED_ORIGIN_PATTERN,
    default_port,
)
from ..policy import CompiledPolicy
from ..registry import APP_LEVEL
from ..routing import owner_key
from ..wsgi import PreflightState

_sre: Any = importlib.import_module("re._parser" if sys.version_info >= (3, 11) else "sre_parse")
_sre_constants: Any = importlib.import_module(
    "re._constants" if sys.version_info >= (3, 11) else "sre_constants"
)

PASS: Final = "pass"  # the app answers
ROUTE_REFUSAL: Final = "405"  # a rule matches the path, none accepts the method
# Werkzeug's own converters whose regex alone decides a match (no ValidationError).
_PLAIN_CONVERTERS: Final = (
    UnicodeConverter,
    PathConverter,
    AnyConverter,
    UUIDConverter,
    IntegerConverter,
    FloatConverter,
)
# A path the edge routes: non-empty segments of characters that mean the same to the
# server, the WSGI server and Werkzeug (no percent-escapes, no dot segments, no "//").
_PATH_CHARS: Final = "A-Za-z0-9._~!$&'()*+,;=:@-"
# Lowercase header-name (token) characters: a request-header list in the form browsers
# send (lowercase names joined by "," alone) is echoed as it came.
_LOWER_TOKEN_CHARS: Final = "!#$%&'*+.^_`|~0-9a-z-"
_METHOD_TOKEN_CHARS: Final = "!#$%&'*+.^_`|~0-9A-Za-z-"
_ESCAPE_SAFE: Final = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


# --- regexes both engines read the same way --------------------------------------------


def literal(text: str) -> str:
    """``text`` as a regex matching exactly it: letters and digits as they are, any other
    character as ``\\xHH`` (safe in PCRE, Python and a quoted nginx string)."""
    out = []
    for char in text:
        code = ord(char)
        if code > 0xFF:
            raise ValueError(f"{text!r} has a character outside latin-1")
        out.append(char if char in _ESCAPE_SAFE else f"\\x{code:02x}")
    return "".join(out)


def char_class(chars: str) -> str:
    """A regex class of ``chars``, written as ``_PATH_CHARS`` is (``a-z`` ranges kept)."""
    out = []
    i = 0
    while i < len(chars):
        if i + 2 < len(chars) and chars[i + 1] == "-":
            out.append(f"{literal(chars[i])}-{literal(chars[i + 2])}")
            i += 3
        else:
            out.append(literal(chars[i]))
            i += 1
    return "[" + "".join(out) + "]"


def portable_regex(pattern: str, flags: int = 0, *, forbid: str = "") -> str | None:
    """``pattern`` rewritten so that PCRE (no UTF mode) and Python's ``re`` fully match the
    same latin-1 strings with it, or ``None`` when it uses anything outside that subset
    (case-insensitivity, ``\\w``/``\\s``/``\\b``, lookarounds, backreferences, inner
    anchors, characters beyond latin-1). With ``forbid``, also ``None`` when the pattern
    could match one of those characters."""
    if flags & ~(re.UNICODE | re.VERBOSE | re.ASCII):
        return None
    try:
        tree = _sre.parse(pattern, flags)
    except Exception:
        return None
    if tree.state.flags & ~(re.UNICODE | re.VERBOSE | re.ASCII):
        return None
    items = list(tree)
    # Anchors at the very start and end mean nothing under a full match.
    if (
        items
        and items[0][0] is _sre_constants.AT
        and items[0][1]
        in (
            _sre_constants.AT_BEGINNING,
            _sre_constants.AT_BEGINNING_STRING,
        )
    ):
        items = items[1:]
    if (
        items
        and items[-1][0] is _sre_constants.AT
        and items[-1][1]
        in (
            _sre_constants.AT_END,
            _sre_constants.AT_END_STRING,
        )
    ):
        items = items[:-1]
    out: list[str] = []
    try:
        _emit(items, out, forbid)
    except ValueError:
        return None
    return "".join(out)


def _emit(items: Iterable[tuple[Any, Any]], out: list[str], forbid: str) -> None:
    c = _sre_constants
    for op, arg in items:
        if op is c.LITERAL:
            if chr(arg) in forbid:
                raise ValueError("forbidden character")
            out.append(literal(chr(arg)))
        elif op is c.NOT_LITERAL:
            if forbid and chr(arg) not in forbid:
                raise ValueError("may match a forbidden character")
            out.append(f"[^{literal(chr(arg))}]")
        elif op is c.ANY:
            if forbid:
                raise ValueError("may match a forbidden character")
            out.append("[^\\x0a]")
        elif op is c.IN:
            out.append(_emit_class(arg, forbid))
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT):
            low, high, sub = arg
            if low > 65535 or (high != c.MAXREPEAT and high > 65535):
                raise ValueError("repeat bound beyond PCRE's")
            out.append("(?:")
            _emit(sub, out, forbid)
            out.append(f"){{{low},}}" if high == c.MAXREPEAT else f"){{{low},{high}}}")
        elif op is c.SUBPATTERN:
            _group, add_flags, del_flags, sub = arg
            if add_flags or del_flags:
                raise ValueError("inline flags")
            out.append("(?:")
            _emit(sub, out, forbid)
            out.append(")")
        elif op is c.BRANCH:
            out.append("(?:")
            for index, branch in enumerate(arg[1]):
                if index:
                    out.append("|")
                _emit(branch, out, forbid)
            out.append(")")
        else:
            raise ValueError(f"unsupported {op}")


def _emit_class(items: list[tuple[Any, Any]], forbid: str) -> str:
    c = _sre_constants
    negate = bool(items) and items[0][0] is c.NEGATE
    ranges: list[tuple[int, int]] = []
    for op, arg in items[1:] if negate else items:
        if op is c.LITERAL:
            ranges.append((arg, arg))
        elif op is c.RANGE:
            ranges.append(arg)
        elif op is c.CATEGORY and arg is c.CATEGORY_DIGIT:
            # Python's \d is Unicode Nd: within latin-1 that is 0-9 alone.
            ranges.append((0x30, 0x39))
        else:
            raise ValueError(f"unsupported class item {op}")
    for char in forbid:
        inside = any(low <= ord(char) <= high for low, high in ranges)
        if inside != negate:
            raise ValueError("may match a forbidden character")
    clipped = [(low, min(high, 0xFF)) for low, high in ranges if low <= 0xFF]
    if not clipped:
        raise ValueError("an empty class")
    body = "".join(
        literal(chr(low)) if low == high else f"{literal(chr(low))}-{literal(chr(high))}"
        for low, high in clipped
    )
    return f"[{'^' if negate else ''}{body}]"


# --- the model --------------------------------------------------------------------------


@dataclass(frozen=True)
class EdgePolicy:
    """What the edge needs to decide a preflight for one compiled policy."""

    id: str
    origins: str | None  # a regex of the allowed Origin values; None: none allowed
    any_origin: bool
    methods: tuple[str, ...] | None  # allowed requested methods (uppercase); None: any
    headers: str  # a regex of the allowed request-header lists (browser form, bounded)
    credentials: bool
    max_age: str | None
    private_network: bool
    vary: str


@dataclass(frozen=True)
class RouteEntry:
    """One line of the route table, tried in order: a request whose path matches ``path``
    (a regex) and whose requested method is in ``methods`` (``None``: any) goes to
    ``target`` (a policy id, ``ROUTE_REFUSAL`` or ``PASS``)."""

    methods: tuple[str, ...] | None
    path: str
    target: str
    comment: str
    # The path's first segments that every path this entry matches has (for targets that
    # dispatch on them before trying regexes).
    segments: tuple[str, ...] = ()


@dataclass(frozen=True)
class EdgeApp:
    """An app as the edge sees it. ``passed`` says what goes to the app, and why."""

    routes: tuple[RouteEntry, ...]
    owners: tuple[tuple[str, str], ...]  # (path-prefix regex, target), longest first
    unmatched: str  # the target of a path no rule matches and no owner holds
    policies: tuple[EdgePolicy, ...]
    passed: tuple[str, ...] = field(default=())
    everything_passed: str | None = None  # why nothing is answered at the edge
    # Whether the app refuses every websocket-upgrade preflight whatever its path (nothing
    # but Flask's routing decides it), so the edge refuses those even when it passes
    # everything else: passed on, one would lose its Upgrade header (hop-by-hop) and reach
    # the app as another request.
    refuses_upgrades: bool = True


def path_syntax() -> str:
    """The regex of the request paths the edge routes itself."""
    segment = char_class(_PATH_CHARS) + "+"
    dots = "(?!(?:[^\\x0a]*/)?\\x2e\\x2e?(?:/|$))"
    return f"{dots}(?:/{segment})*/?"


def method_syntax() -> str:
    """The regex of the requested methods the edge answers for: a short token."""
    return char_class(_METHOD_TOKEN_CHARS) + "{1,32}"


def request_headers_syntax(names: str | None = None) -> str:
    """The regex of a request-header list in browser form, within the app's bounds, made
    only of ``names`` (a regex alternation; any lowercase name when ``None``)."""
    name = char_class(_LOWER_TOKEN_CHARS) + "+" if names is None else f"(?:{names})"
    length = f"(?=[^\\x0a]{{1,{MAX_REQUEST_HEADERS_LENGTH}}}$)"
    return f"{length}{name}(?:,{name}){{0,{MAX_REQUEST_HEADER_NAMES - 1}}}"


def _port_regex(scheme: str) -> str:
    """An optional ``:port`` a serialised origin of ``scheme`` may carry."""
    assert MAX_PORT == 65535
    number = (
        "(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"
    )
    default = default_port(scheme)
    exclude = "" if default is None else f"(?!{default}$)"
    return f"(?:\\x3a{exclude}{number})?"


def _serialized_origin() -> str | None:
    syntax = portable_regex(SERIALIZED_ORIGIN_PATTERN)
    if syntax is None:
        return None
    ports = "".join(
        f"(?!{literal(scheme)}\\x3a//[^\\x0a]*\\x3a{port}$)"
        for scheme, port in sorted(DEFAULT_PORTS.items())
    )
    # The syntax's own port part accepts any 1-5 digit port; the app also refuses a port
    # over 65535 or the scheme's default one.
    too_big = "(?:[7-9][0-9]{4}|6[6-9][0-9]{3}|65[6-9][0-9]{2}|655[4-9][0-9]|6553[6-9])"
    return f"{ports}(?![^\\x0a]*\\x3a{too_big}$){syntax}"


def origins_regex(policy: CompiledPolicy) -> str | None:
    """A regex of the ``Origin`` values ``policy`` allows, or ``None`` when it allows none.
    Raises ``ValueError`` when the policy's origins cannot be exported exactly."""
    matcher = policy.matcher
    if matcher.predicates:
        raise ValueError("a callable decides some origins")
    if matcher.any_origin:
        return "[^\\x0a]*"
    exact = [literal(origin) for origin in sorted(matcher.exact)]
    patterns: list[str] = []
    for scheme, host in sorted(matcher.any_port_hosts):
        patterns.append(f"{literal(scheme)}\\x3a//{literal(host)}{_port_regex(scheme)}")
    for scheme, base, port in sorted(matcher.subdomain_bases, key=repr):
        host = f"[a-z0-9_\\x2d\\x2e]*\\x2e{literal(base)}"
        if port == ANY_PORT:
            suffix = _port_regex(scheme)
        elif port is None:
            suffix = ""
        else:
            suffix = f"\\x3a{port}"
        patterns.append(f"{literal(scheme)}\\x3a//{host}{suffix}")
    for regex in matcher.regexes:
        portable = portable_regex(regex.pattern, regex.flags)
        if portable is None:
            raise ValueError(f"the origin regex {regex.pattern!r} is not portable to PCRE")
        patterns.append(portable)
    if patterns:
        serialized = _serialized_origin()
        if serialized is None:
            raise ValueError("the serialised-origin syntax is not portable")
        bounded = f"(?=[^\\x0a]{{0,{MAX_ORIGIN_LENGTH}}}$)(?={serialized}$)"
        exact.append(f"{bounded}(?:{'|'.join(patterns)})")
    if not exact:
        return None
    return f"(?:{'|'.join(exact)})"


def edge_policy(policy: CompiledPolicy) -> EdgePolicy:
    """The edge's view of a compiled policy; ``ValueError`` when it cannot be exported."""
    if policy.echo_header_case:
        raise ValueError("its dialect echoes the request's header case")
    if policy.header_patterns:
        raise ValueError("allow_headers has regexes")
    origins = origins_regex(policy) if policy.enabled else None
    if policy.any_header:
        headers = request_headers_syntax()
    else:
        headers = request_headers_syntax(
            "|".join(literal(n) for n in sorted(policy.allowed_headers))
        )
    fields: dict[str, Any] = {
        "origins": origins,
        "any_origin": policy.matcher.any_origin,
        "methods": None if policy.methods is None else tuple(sorted(policy.methods)),
        "headers": headers,
        "credentials": policy.credentials,
        "max_age": policy.max_age,
        "private_network": policy.private_network,
        "vary": preflight_vary(policy),
    }
    digest = hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()
    return EdgePolicy(id="p" + digest[:10], **fields)


# --- routes -----------------------------------------------------------------------------

Part = tuple[bool, str, bool]  # (static, content, final): a literal or a regex (no \\Z)


def _rule_parts(rule: Rule) -> list[Part]:
    """The rule's path as Werkzeug's matcher reads it, segment by segment (a final part
    takes the rest of the path)."""
    parts: list[Part] = []
    for part in rule._parts[1:]:  # the first is the host/subdomain part
        content = part.content
        if not part.static and content.endswith("\\Z"):
            content = content[:-2]
        parts.append((part.static, content, part.final))
    return parts


def _check_parts(rule: Rule) -> None:
    for part in rule._parts[1:]:
        if part.suffixed:
            raise ValueError("a path converter with a trailing slash")
        if not part.static and not part.content.endswith("\\Z"):
            raise ValueError("an unexpected rule part")


def _static_prefix(parts: list[Part]) -> str:
    """A regex of the path up to the rule's first dynamic part."""
    prefix = []
    for static, content, _ in parts:
        if not static:
            break
        prefix.append(literal(content))
    return "/".join(prefix)


def _segments(parts: list[Part], slashless: bool = False) -> tuple[str, ...]:
    """The rule's leading static path segments (``slashless``: of its path without the
    trailing slash)."""
    segments = []
    for static, content, _ in parts[1:]:  # parts[0] is the empty text before the first "/"
        if not static:
            break
        segments.append(content)
    if slashless and len(segments) == len(parts) - 1 and segments and segments[-1] == "":
        segments.pop()
    return tuple(segments)


def _rule_regex(parts: list[Part]) -> str:
    out = []
    for static, content, final in parts:
        if static:
            out.append(literal(content))
            continue
        # A part other than the final one is matched within one segment.
        portable = portable_regex(content, forbid="" if final else "/")
        if portable is None:
            raise ValueError(f"the converter regex {content!r} is not portable to PCRE")
        out.append(portable)
    return "/".join(out)


def _check_converters(rule: Rule) -> None:
    for name, converter in rule._converters.items():
        if type(converter) not in _PLAIN_CONVERTERS:
            raise ValueError(f"<{name}> has a custom converter ({type(converter).__name__})")
        if isinstance(converter, (IntegerConverter, FloatConverter)) and (
            converter.fixed_digits or converter.min is not None or converter.max is not None
        ):
            raise ValueError(f"<{name}> has bounds checked after the regex")


def _disjoint(a: list[Part], b: list[Part]) -> bool:
    """Whether no path can match both rules (proved segment by segment; ``False`` when
    it cannot be proved)."""
    final_a, final_b = a[-1][2], b[-1][2]
    for index in range(min(len(a), len(b))):
        (static_a, text_a, end_a), (static_b, text_b, end_b) = a[index], b[index]
        if end_a or end_b:
            return False
        if static_a and static_b:
            if text_a != text_b:
                return True
        elif static_a or static_b:
            text, regex = (text_a, text_b) if static_a else (text_b, text_a)
            if re.fullmatch(regex, text) is None:
                return True
    if len(a) != len(b):
        return not (final_a or final_b)
    return False


def _static_before_dynamic(
    regex: str,
    others: list[str],
    partners: dict[str, list[str]],
    groups: dict[str, list[tuple[Rule, list[Part]]]],
) -> tuple[str, str] | None:
    """``(static, dynamic)`` when the only overlap of ``regex`` is with one other pattern
    that differs from it in one segment alone, a literal in one and a converter in the
    other (``/items/new`` and ``/items/<name>``): Werkzeug's matcher then tries the literal
    first, whatever the method, and the converter after it."""
    if len(others) != 1 or partners[others[0]] != [regex]:
        return None
    a, b = groups[regex][0][1], groups[others[0]][0][1]
    if len(a) != len(b) or any(final for _, _, final in (*a, *b)):
        return None
    differ = [i for i in range(len(a)) if a[i] != b[i]]
    if len(differ) != 1 or a[differ[0]][0] == b[differ[0]][0]:
        return None
    return (regex, others[0]) if a[differ[0]][0] else (others[0], regex)


def _routes(state: PreflightState, policy_target: Any) -> tuple[list[RouteEntry], list[str]]:
    app = state.app
    url_map = app.url_map
    passed: list[str] = []
    pass_entries: list[RouteEntry] = []
    candidates: list[tuple[Rule, list[Part], str]] = []
    with_defaults = {
        rule.endpoint
        for rule in url_map.iter_rules()
        if rule.defaults and url_map.redirect_defaults
    }

    def pass_rule(rule: Rule, parts: list[Part], regex: str, why: str) -> None:
        passed.append(f"{rule.rule} ({rule.endpoint}): {why}")
        forms = [(regex, _segments(parts)), (regex + "/", _segments(parts))]
        if regex.endswith("/") and regex[:-1]:
            forms.append((regex[:-1], _segments(parts, slashless=True)))
        for form, segments in forms:
            pass_entries.append(RouteEntry(None, form, PASS, f"{rule.rule}: {why}", segments))

    for rule in url_map.iter_rules():
        if rule.build_only:
            continue
        parts = _rule_parts(rule)
        try:
            _check_parts(rule)
            _check_converters(rule)
            regex = _rule_regex(parts)
        except ValueError as error:
            # Every path under its static prefix goes to the app.
            try:
                prefix = _static_prefix(parts) + "/[^\\x0a]*"
            except ValueError:
                # Beyond latin-1: no path the edge routes (ASCII alone) can match it.
                passed.append(f"{rule.rule} ({rule.endpoint}): {error}")
                continue
            pass_entries.append(
                RouteEntry(None, prefix, PASS, f"{rule.rule}: {error}", _segments(parts))
            )
            passed.append(f"{rule.rule} ({rule.endpoint}) and the paths beside it: {error}")
            continue
        why = None
        if rule.websocket:
            why = "a websocket rule"
        elif rule.redirect_to is not None or rule.alias or rule.endpoint in with_defaults:
            why = "Werkzeug may redirect it"
        elif not rule.strict_slashes:
            why = "strict_slashes=False"
        elif rule.methods is None:
            why = "it accepts any method"
        if why is not None:
            pass_rule(rule, parts, regex, why)
            continue
        candidates.append((rule, parts, regex))
        if parts and parts[-1][:2] == (True, "") and regex[:-1]:
            # Werkzeug redirects the path without the trailing slash.
            slashless = _segments(parts, slashless=True)
            comment = f"{rule.rule} without its '/'"
            pass_entries.append(RouteEntry(None, regex[:-1], PASS, comment, slashless))

    # Rules whose paths may overlap another rule's (other than one of the same pattern)
    # are passed: which one Werkzeug picks depends on its matcher's order.
    by_pattern: dict[str, list[tuple[Rule, list[Part]]]] = {}
    for rule, parts, regex in candidates:
        by_pattern.setdefault(regex, []).append((rule, parts))
    patterns = list(by_pattern.items())
    partners: dict[str, list[str]] = {regex: [] for regex, _ in patterns}
    for i, (regex_a, group_a) in enumerate(patterns):
        for regex_b, group_b in patterns[i + 1 :]:
            if not _disjoint(group_a[0][1], group_b[0][1]):
                partners[regex_a].append(regex_b)
                partners[regex_b].append(regex_a)
    groups = dict(patterns)

    def group_entries(regex: str) -> tuple[list[RouteEntry], RouteEntry]:
        """A pattern's entries by requested method, and its route-refusal entry."""
        group = groups[regex]
        by_method: dict[str, list[Rule]] = {}
        for rule, _ in group:
            for method in sorted(rule.methods or ()):
                by_method.setdefault(method, []).append(rule)
        targets: dict[str, list[str]] = {}
        for method, holders in sorted(by_method.items()):
            target = policy_target(holders[0].endpoint) if len(holders) == 1 else PASS
            targets.setdefault(target, []).append(method)
        name = " ".join(sorted({rule.rule for rule, _ in group}))
        segments = _segments(group[0][1])
        found = [
            RouteEntry(tuple(methods), regex, target, name, segments)
            for target, methods in sorted(targets.items())
        ]
        return found, RouteEntry(None, regex, ROUTE_REFUSAL, name, segments)

    entries: list[RouteEntry] = []
    done: set[str] = set()
    for regex, group in patterns:
        if regex in done:
            continue
        others = partners[regex]
        if not others:
            found, refusal = group_entries(regex)
            entries += [*found, refusal]
            continue
        pair = _static_before_dynamic(regex, others, partners, groups)
        if pair is not None:
            # Werkzeug tries a static segment before a converter: the static rule's
            # methods first, then the other's, then "no rule accepts the method".
            first, second = (group_entries(r) for r in pair)
            entries += [*first[0], *second[0], first[1], second[1]]
            done.update(pair)
            continue
        for rule, parts in group:
            pass_rule(rule, parts, regex, "its paths may match another rule")
    return pass_entries + entries, passed


def unsupported_app(state: PreflightState, outer_middleware_changes_nothing: bool) -> str | None:
    """Why no preflight of this app can be answered at the edge, or ``None``."""
    if not state.direct:
        return "WSGI middleware sits between Preflight and Flask"
    if state.app.wsgi_app is not state.wrapper and not outer_middleware_changes_nothing:
        # Installed after Preflight(app): it may answer, rewrite or mount other apps at
        # paths the URL map does not describe (DispatcherMiddleware, ProxyFix's x_prefix).
        return (
            f"WSGI middleware ({_name(state.app.wsgi_app)}) was installed around Preflight, "
            "after Preflight(app), and may answer or rewrite requests the URL map does not "
            "describe; if it changes no request and answers none itself (a counter, a "
            "logger), export with --outer-middleware-changes-nothing"
        )
    if state.paths is not None:
        return "its policies depend on the request path (path rules)"
    return _host_dependent(state)


def _name(middleware: object) -> str:
    return getattr(type(middleware), "__qualname__", None) or repr(middleware)


def refuses_upgrades(state: PreflightState, outer_middleware_changes_nothing: bool) -> bool:
    """Whether the app refuses a websocket-upgrade preflight whatever its path and host:
    Preflight sees the request as sent, and routing does not depend on the Host header."""
    outer_ok = state.app.wsgi_app is state.wrapper or outer_middleware_changes_nothing
    return state.direct and outer_ok and _host_dependent(state) is None


def _host_dependent(state: PreflightState) -> str | None:
    """Why the app's routing depends on the Host header, or ``None``."""
    app = state.app
    if app.url_map.host_matching or app.subdomain_matching:
        return "its URL map matches hosts or subdomains"
    if any(rule.subdomain or rule.host for rule in app.url_map.iter_rules()):
        return "a rule matches a host or subdomain"
    if app.config.get("SERVER_NAME") or app.config.get("TRUSTED_HOSTS"):
        return "SERVER_NAME or TRUSTED_HOSTS makes routing depend on the Host header"
    if any(subdomain is not None for _, subdomain, _ in state.router.url_prefixes):
        return "a blueprint with a CORS policy has a subdomain"
    return None


def read_app(app: Flask, *, outer_middleware_changes_nothing: bool = False) -> EdgeApp:
    """The edge's view of ``app`` (which must have ``Preflight``); freezes its setup.
    ``outer_middleware_changes_nothing``: the caller vouches that WSGI middleware installed
    after ``Preflight(app)`` neither changes a request nor answers one itself."""
    state = get_state(app)
    state.freeze()
    outer_ok = outer_middleware_changes_nothing
    reason = unsupported_app(state, outer_ok)
    if reason is not None:
        return EdgeApp(
            (), (), PASS, (), (f"everything: {reason}",), reason, refuses_upgrades(state, outer_ok)
        )
    policies: dict[str, EdgePolicy] = {}
    passed: list[str] = []

    def policy_target(key: str | None) -> str:
        try:
            exported = edge_policy(state.policy_for(key))
        except ValueError as error:
            passed.append(f"policy of {key or 'the app'}: {error}")
            return PASS
        policies[exported.id] = exported
        return exported.id

    routes, passed_routes = _routes(state, policy_target)
    owners = tuple(
        (literal(prefix), policy_target(owner_key(name)))
        for prefix, _, name in state.router.url_prefixes
    )
    unmatched = policy_target(APP_LEVEL)
    return EdgeApp(
        routes=tuple(routes),
        owners=owners,
        unmatched=unmatched,
        policies=tuple(sorted(policies.values(), key=lambda p: p.id)),
        passed=tuple(sorted(set(passed_routes + passed))),
    )
