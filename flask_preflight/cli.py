"""``flask preflight``: see every route's effective policy, and check one request.

- ``flask preflight routes [--endpoint E] [--blueprint B] [--origin O] [--credentials]
  [--compact] [--json]``: one row per URL rule and method, with the effective value of each
  field and the level it came from, fitted to the terminal (``COLUMNS``); ``--compact``, one
  line per row saying who may call it.
- ``flask preflight check URL --origin O [--method M] [--header H ...] [--credentials]
  [--run-view]``: sends the preflight a browser would through the app's own WSGI callable
  (preflights never reach a view), reads the actual request's CORS headers from the
  endpoint's policy, and prints each check the browser makes, then the verdict. No view
  runs unless ``--run-view`` asks to send the actual request too. Exit status 0 when
  allowed, 1 when refused (or the app has no ``Preflight``), 2 on bad usage, 3 when no
  route serves the request (a 404, a 405 or a redirect, whatever CORS says; the closest
  routes are suggested).
- ``flask preflight migrate``: prints native declarations giving the app's current
  policies (to move from ``flask_preflight.compat`` to ``cors()``/``Preflight``).

The commands are registered on every app through the ``flask.commands`` entry point, so
they can say when an app has no ``Preflight(app)``.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import os
import re
import shutil
import sys
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup, ScriptInfo
from flask.testing import EnvironBuilder
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect

from .decision import Refusal, Route, actual_plan, decide_actual, describe_key
from .extension import get_state
from .headers import ENVIRON_ORIGIN
from .origins import OriginError, parse_origin
from .policy import CompiledPolicy, compile_policy
from .rule_paths import PathChoice, choose_policy, choose_unrouted_policy
from .testing import Verdict, browser_request, normalize_method
from .unregistered import is_registered
from .urlpath import browser_path, request_path
from .wsgi import PreflightState

preflight_cli = AppGroup("preflight", help="Show and check the app's CORS policies.")

_AUTOMATIC_METHODS = frozenset({"HEAD", "OPTIONS"})
_SHORT_SOURCES = {"Preflight(...)": "app", "init_app(...)": "app", "app.config": "config"}


def _source(policy: CompiledPolicy, name: str) -> str:
    source = policy.effective.sources.get(name, "default")
    return _SHORT_SOURCES.get(source, source)


def _render(value: Any) -> Any:
    if isinstance(value, re.Pattern):
        return f"re:{value.pattern}"
    if callable(value):
        return f"callable:{getattr(value, '__name__', type(value).__name__)}"
    if isinstance(value, tuple):
        return [_render(item) for item in value]
    return value


def _state() -> PreflightState:
    """The current app's state, or a clear error when it has no ``Preflight``. An app whose
    only flask-cors front is ``@cross_origin`` registers it at its first request to such a
    view: it is registered now, so that the commands see what that request would see."""
    if not is_registered(current_app):
        from .compat import install_for_decorated_views

        install_for_decorated_views(current_app._get_current_object())  # type: ignore[attr-defined]
    if not is_registered(current_app):
        raise click.ClickException(
            f"this app ({current_app.name!r}) has no Preflight(app), so its cors() policies "
            "do nothing: call Preflight(app) (or preflight.init_app(app)) where the app is "
            "created"
        )
    return get_state(current_app)


def policy_rows(
    endpoint: str | None = None,
    *,
    blueprint: str | None = None,
    origin: str | None = None,
    credentials: bool = False,
) -> list[dict[str, Any]]:
    """One row per URL rule and method, with each field's value and source: only the rules
    of ``endpoint``, of ``blueprint`` (nested ones included), whose actual requests get CORS
    headers for ``origin``, or whose policy allows credentials, when given."""
    state = _state()
    rows: list[dict[str, Any]] = []
    choices: dict[str, PathChoice] = {}
    for rule in sorted(current_app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if endpoint is not None and rule.endpoint != endpoint:
            continue
        if blueprint is not None and not rule.endpoint.startswith(blueprint + "."):
            continue
        # With path rules (flask_preflight.compat's resources), the policy the concrete
        # paths of the endpoint's rules get (rule_paths.py); the narrowest where they differ.
        choice = choices.get(rule.endpoint)
        if choice is None:
            rules = current_app.url_map.iter_rules(rule.endpoint)
            choice = choices[rule.endpoint] = choose_policy(state, rule.endpoint, rules)
        effective = choice.effective
        if credentials and not effective.credentials:
            continue
        policy = compile_policy(effective)
        route_methods = sorted((rule.methods or {"*"}) - _AUTOMATIC_METHODS) or ["*"]
        for method in route_methods:
            allowed = policy.enabled and (policy.methods is None or method in policy.methods)
            if origin is not None and not (
                allowed
                and not isinstance(
                    decide_actual(
                        policy,
                        actual_plan(policy),
                        {"REQUEST_METHOD": method, ENVIRON_ORIGIN: origin},
                    ),
                    Refusal,
                )
            ):
                continue
            row: dict[str, Any] = {
                "rule": rule.rule,
                "endpoint": rule.endpoint,
                "method": method,
                "cors": allowed,
            }
            for name in (
                "origins",
                "credentials",
                "allow_headers",
                "expose_headers",
                "max_age",
                "methods",
                "private_network",
            ):
                row[name] = {
                    "value": _render(getattr(effective, name)),
                    "source": _source(policy, name),
                }
            if choice.varies:
                row["varies_by_path"] = [
                    {
                        "path_rule": None if c.rule is None else c.rule.source,
                        "example": c.witness,
                        "proven": c.proven,
                        "origins": _render(e.origins),
                        "credentials": e.credentials,
                    }
                    for c, e in choice.candidates
                ]
            rows.append(row)
    return rows


def path_rows() -> list[dict[str, Any]]:
    """The app's path rules (paths.py), in matching order."""
    paths = get_state(current_app).paths
    if paths is None:
        return []
    return [
        {
            "source": rule.source,
            "scope": rule.scope,
            "origins": _render(rule.level.origins) if rule.level.origins else [],
        }
        for rule in paths.rules
    ]


def _cell(row: dict[str, Any], name: str, sources: bool = True) -> str:
    value = row[name]["value"]
    if isinstance(value, list):
        text = ", ".join(str(item) for item in value) or "(none)"
    elif name == "methods" and value == "*":
        text = "* (the route's)"
    elif value is True:
        text = "yes"
    elif value is False:
        text = "no"
    elif value is None:
        text = "(omitted)"
    else:
        text = str(value)
    return f"{text} [{row[name]['source']}]" if sources else text


Column = tuple[str, Callable[[dict[str, Any]], str]]

_KEY_COLUMNS: list[Column] = [
    ("RULE", lambda row: row["rule"]),
    ("METHOD", lambda row: row["method"]),
    ("ENDPOINT", lambda row: row["endpoint"]),
    ("CORS", lambda row: "yes" if row["cors"] else "no"),
]
# (title, field): the policy columns of the full table.
_FIELD_COLUMNS = (
    ("CORS METHODS", "methods"),
    ("ORIGINS", "origins"),
    ("CREDENTIALS", "credentials"),
    ("ALLOW HEADERS", "allow_headers"),
    ("EXPOSE HEADERS", "expose_headers"),
    ("MAX AGE", "max_age"),
)
_GAP = 2  # spaces between columns


def terminal_width() -> int | None:
    """The width to fit: ``COLUMNS`` when set, else the terminal's; ``None`` (no limit)
    when the output is not a terminal, so pipes and files get whole lines."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    return None


def _fit(table: list[list[str]], limit: int) -> list[int] | None:
    """Column widths that fit ``limit``, the widest column narrowed first but none below
    its longest word; ``None`` when even those do not fit."""
    widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
    narrowest = [
        max(len(word) for line in table for word in line[i].split()) for i in range(len(widths))
    ]
    while sum(widths) + _GAP * (len(widths) - 1) > limit:
        wrappable = [i for i in range(len(widths)) if widths[i] > narrowest[i]]
        if not wrappable:
            return None
        widest = max(wrappable, key=lambda i: widths[i] - narrowest[i])
        widths[widest] -= 1
    return widths


def _table(columns: list[Column], rows: list[dict[str, Any]], limit: int | None) -> list[str]:
    """The rows as a table, long cells wrapped between words to fit ``limit``; ``[]`` when
    it cannot."""
    table = [[title for title, _ in columns]]
    table += [[render(row) for _, render in columns] for row in rows]
    fitted = _fit(table, limit if limit is not None else sys.maxsize)
    if fitted is None:
        return []
    lines = []
    for line in table:
        wrapped = [textwrap.wrap(cell, width) or [""] for cell, width in zip(line, fitted)]
        for depth in range(max(len(parts) for parts in wrapped)):
            cells = [parts[depth] if depth < len(parts) else "" for parts in wrapped]
            lines.append((" " * _GAP).join(cell.ljust(w) for cell, w in zip(cells, fitted)))
    return [line.rstrip() for line in lines]


def _blocks(columns: list[Column], rows: list[dict[str, Any]], limit: int) -> list[str]:
    """One block per row, the key columns on its first line and each other column on a
    line of its own, wrapped: for terminals too narrow for the table."""
    keys, fields = columns[: len(_KEY_COLUMNS)], columns[len(_KEY_COLUMNS) :]
    lines = []
    for row in rows:
        rule, method, endpoint, cors = (render(row) for _, render in keys)
        head = f"{rule} {method} ({endpoint}): CORS {cors}"
        lines.extend(textwrap.wrap(head, limit, subsequent_indent="    "))
        for title, render in fields:
            text = f"{title.lower()}: {render(row)}"
            lines.extend(textwrap.wrap(text, limit, initial_indent="  ", subsequent_indent="    "))
    return lines


def _compact(rows: list[dict[str, Any]], limit: int | None) -> list[str]:
    """One line per row: method, rule, and the origins whose pages may call it (with
    credentials or not), wrapped under their column."""
    method_width = max(len(row["method"]) for row in rows)
    rule_width = max(len(row["rule"]) for row in rows)
    if limit is not None and method_width + rule_width + 2 * _GAP > limit // 2:
        rule_width = 0  # no room to align: the origins follow the rule
    lines = []
    for row in rows:
        if row["cors"]:
            who = _cell(row, "origins", sources=False)
            if row["credentials"]["value"] is True:
                who += " (credentials)"
        else:
            who = "no CORS"
        gap = " " * _GAP
        head = f"{row['method'].ljust(method_width)}{gap}{row['rule'].ljust(rule_width)}{gap}"
        if limit is None:
            lines.append(head + who)
        else:
            indent = " " * (len(head) if rule_width else method_width + len(gap))
            lines.extend(
                textwrap.wrap(head + who, limit, subsequent_indent=indent, drop_whitespace=True)
            )
    return lines


@preflight_cli.command("routes")
@click.option("--endpoint", help="Show only this endpoint.")
@click.option("--blueprint", help="Show only this blueprint's routes (nested ones included).")
@click.option(
    "--origin",
    metavar="ORIGIN",
    help="Show only the routes whose actual requests from ORIGIN get CORS headers.",
)
@click.option(
    "--credentials", is_flag=True, help="Show only the routes whose policy allows credentials."
)
@click.option(
    "--compact",
    is_flag=True,
    help="One line per route and method: the origins that may call it, and whether with "
    "credentials.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for machines.")
def routes_command(
    endpoint: str | None,
    blueprint: str | None,
    origin: str | None,
    credentials: bool,
    compact: bool,
    as_json: bool,
) -> None:
    """Show every route's effective CORS policy and where each value came from.

    The table fits the terminal (COLUMNS): long cells wrap, and a terminal too narrow for
    it gets one block per route.
    """
    state = _state()
    if blueprint is not None and blueprint not in current_app.blueprints:
        known = ", ".join(sorted(current_app.blueprints)) or "none"
        raise click.UsageError(f"no blueprint named {blueprint!r} (the app's: {known})")
    if origin is not None:
        _check_origin_option(origin)
    rows = policy_rows(endpoint, blueprint=blueprint, origin=origin, credentials=credentials)
    if endpoint is not None and not rows and endpoint not in current_app.view_functions:
        raise click.UsageError(f"no endpoint named {endpoint!r}")
    if as_json:
        # Without path rules, the app level; with them, the narrowest policy of every path.
        unrouted = choose_unrouted_policy(state).effective
        document: dict[str, Any] = {
            "routes": rows,
            "unrouted": {"origins": _render(unrouted.origins)},
            "preflights": {"answered_in": state.preflights, "note": state.preflight_route()},
        }
        if path_rows():
            document["path_rules"] = path_rows()
        click.echo(json.dumps(document, indent=2))
        return
    if not rows:
        click.echo("No route matches these filters.")
        return
    limit = terminal_width()
    if compact:
        for line in _compact(rows, limit):
            click.echo(line)
        return
    columns = [
        *_KEY_COLUMNS,
        *((title, lambda row, name=name: _cell(row, name)) for title, name in _FIELD_COLUMNS),
    ]
    lines = _table(columns, rows, limit)
    if not lines and limit is not None:
        lines = _blocks(columns, rows, limit)
    for line in lines:
        click.echo(line)
    note = (
        "CORS is 'yes' when the policy allows some origin and its CORS METHODS include the "
        "row's METHOD. Values in [brackets] say where each one was set. Without a matching "
        "route (404, 405), the app-level policy applies."
    )
    click.echo("")
    for line in textwrap.wrap(note, min(limit or 80, 80)):
        click.echo(line)
    varied = {row["rule"]: row["varies_by_path"] for row in rows if "varies_by_path" in row}
    if varied:
        click.echo("Rules whose paths fall under different path rules (shown: the narrowest")
        click.echo("policy of their paths; each path gets its own path rule's):")
        for rule_text, listed in varied.items():
            for entry in listed:
                where = entry["path_rule"] or "no path rule"
                origins = ", ".join(map(str, entry["origins"])) or "(none)"
                click.echo(f"  {rule_text}: e.g. {entry['example']!r} -> {where}: {origins}")
    for line in textwrap.wrap(state.preflight_route(), min(limit or 80, 80)):
        click.echo(line)
    rules = path_rows()
    if rules:
        click.echo("Path rules, first match wins (404s under them use them too):")
        for row in rules:
            scope = f" (blueprint {row['scope']!r} only)" if row["scope"] else ""
            origins = ", ".join(map(str, row["origins"])) or "(none)"
            click.echo(f"  {row['source']}{scope}: origins {origins}")


@preflight_cli.command("migrate", with_appcontext=False)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, allow_dash=True),
    default="-",
    help="Write the declarations to this file (default: stdout).",
)
def migrate_command(output: str) -> None:
    """Print native declarations (PREFLIGHT_* config, cors(...) on views) that give the
    app's current policies, e.g. to move from flask_preflight.compat to native.

    What the app itself prints while it loads goes to stderr, so that the output stays
    valid Python."""
    from .compat.migrate import native_declarations

    info = click.get_current_context().ensure_object(ScriptInfo)
    with contextlib.redirect_stdout(sys.stderr):  # the app's own prints
        app = info.load_app()
        with app.app_context():
            _state()
            try:
                text = native_declarations(app)
            except ValueError as error:
                raise click.UsageError(str(error)) from None
    sys.stderr.flush()  # the app's prints before the declarations
    with click.open_file(output, "w", encoding="utf-8") as stream:
        stream.write(text)


def _check_origin_option(origin: str) -> None:
    """Refuse an ``--origin`` no browser would send, saying the form it sends."""
    if origin == "null":
        return
    try:
        normalized = parse_origin(origin).serialize()
    except OriginError as error:
        raise click.BadParameter(str(error), param_hint="--origin") from None
    if normalized != origin or "*" in origin:
        raise click.BadParameter(
            f"browsers send origins in the form {normalized!r}", param_hint="--origin"
        )


def _parse_header(text: str) -> tuple[str, str]:
    name, _, value = text.partition(":")
    return name.strip(), value.strip() if value else "1"


@preflight_cli.command("check")
@click.argument("url")
@click.option("--origin", required=True, help="The page's origin, e.g. https://app.example.com")
@click.option("--method", default="GET", show_default=True, help="The method fetch() uses.")
@click.option(
    "--header",
    "headers",
    multiple=True,
    metavar="NAME[: VALUE]",
    help="A request header the page sets (repeatable).",
)
@click.option("--credentials", is_flag=True, help='As fetch(..., {credentials: "include"}).')
@click.option(
    "--run-view",
    is_flag=True,
    help="Also send the actual request through the app: this RUNS THE VIEW, with its side "
    "effects (a DELETE deletes). Without it, no view runs: the actual request's CORS headers "
    "come from the endpoint's policy.",
)
def check_command(
    url: str,
    origin: str,
    method: str,
    headers: tuple[str, ...],
    credentials: bool,
    run_view: bool,
) -> None:
    """Would a page at ORIGIN be allowed to call URL? Prints each browser check.

    Runs no view unless --run-view is given.
    """
    state = _state()
    _check_origin_option(origin)
    if not url.startswith("/"):
        raise click.BadParameter("give the path on this app, e.g. /items/1", param_hint="URL")
    # What the browser sends for this path, with its leading slashes as one: Werkzeug reads
    # them so, where the test client would read "//name/..." as a host.
    sent = request_path(browser_path(url))
    try:
        parsed_headers = dict(_parse_header(text) for text in headers)
        verdict = browser_request(
            current_app.test_client(),
            method,
            sent,
            origin=origin,
            headers=parsed_headers,
            credentials=credentials,
            run_view=run_view,
        )
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    method = normalize_method(method)
    route = _route(state, sent, method)
    unrouted = _unrouted(state, sent, method)

    click.echo(
        f"Request: {method} {url} from {origin}" + (" with credentials" if credentials else "")
    )
    if verdict.preflight is not None:
        click.echo(f"Preflight: OPTIONS {url} -> {verdict.preflight.status}")
        for name, value in verdict.preflight.headers.items():
            click.echo(f"  {name}: {value}")
    if verdict.response is not None:
        click.echo(f"Response: {verdict.response.status}")
        _echo_cors_headers(verdict.response.headers.items())
    elif verdict.policy_headers is not None:
        click.echo("Response: not sent, so no view ran (--run-view sends it and runs the view)")
        click.echo(f"  CORS headers from the policy of {_describe_route(route)}:")
        _echo_cors_headers(verdict.policy_headers.items(), empty="  (none)")
    click.echo("Checks:")
    for step in verdict.steps:
        click.echo(f"  {step}")
    if unrouted is not None:
        for line in _unrouted_verdict(unrouted, verdict, url, method):
            click.echo(line)
        raise SystemExit(NO_ROUTE_EXIT)
    if verdict.allowed:
        click.echo("Verdict: allowed")
        return
    click.echo("Verdict: refused by the browser")
    click.echo(_advice(verdict, route))
    raise SystemExit(1)


# The exit status of `flask preflight check` when no route serves the request (docs/debugging.md).
NO_ROUTE_EXIT = 3


@dataclass(frozen=True)
class _Unrouted:
    """How Flask answers a request no rule serves."""

    status: str  # "404 Not Found", "405 Method Not Allowed", "308 Permanent Redirect"
    owner: str | None  # the policy key of the URL (Router.policy_key): blueprint or app level
    valid_methods: tuple[str, ...] = ()  # a 405: the methods the URL's rules accept
    location: str | None = None  # a redirect: where to


def _unrouted(state: PreflightState, url: str, method: str) -> _Unrouted | None:
    """How Flask answers ``method url`` when no rule serves it; ``None`` when one does."""
    app = current_app
    state.freeze()  # as the first request would: the blueprints' URL prefixes are read then
    environ = EnvironBuilder(app, url, method=method).get_environ()
    try:
        adapter = app.create_url_adapter(app.request_class(environ))
    except HTTPException:
        return None
    if adapter is None:
        return None
    owner = state.router.policy_key(None, adapter)
    try:
        adapter.match(method=method)
    except RequestRedirect as redirect:
        return _Unrouted(f"{redirect.code} Permanent Redirect", owner, location=redirect.new_url)
    except MethodNotAllowed as error:
        valid = tuple(sorted(set(error.valid_methods or ()) - {"HEAD", "OPTIONS"}))
        return _Unrouted("405 Method Not Allowed", owner, valid_methods=valid)
    except NotFound:
        return _Unrouted("404 Not Found", owner)
    except HTTPException:
        return None
    return None


def _describe_owner(owner: str | None, url: str) -> str:
    if owner is None:
        return f"the app-level policy (no blueprint's URL prefix holds {url})"
    return f"the policy of blueprint {owner[:-1]!r} (its URL prefix holds {url})"


def _unrouted_verdict(unrouted: _Unrouted, verdict: Verdict, url: str, method: str) -> list[str]:
    """The verdict on a request no route serves: that fact first, then what the browser
    gets, which policy answers, and the closest routes."""
    if unrouted.location is not None:
        lines = [
            f"Verdict: no route matches {method} {url}: Flask answers "
            f"{unrouted.status} to {unrouted.location} (a browser fails a preflight that "
            "is redirected)"
        ]
        lines.append(f"Fix: call {unrouted.location} itself.")
        return lines
    lines = [
        f"Verdict: no route matches {method} {url}: the actual request gets {unrouted.status}."
    ]
    policy = _describe_owner(unrouted.owner, url)
    outcome = "admits" if verdict.allowed else "refuses"
    if unrouted.status.startswith("405"):
        accepts = ", ".join(unrouted.valid_methods) or "no method"
        lines.append(f"  The rules at {url} accept {accepts}; no CORS policy can allow {method}.")
        if verdict.preflight is not None:
            lines.append("  Its preflight is refused for that reason, by no policy.")
        else:
            lines.append(f"  The 405's CORS headers come from {policy}, which {outcome} it.")
    else:
        what = "preflight and the 404 are" if verdict.preflight is not None else "404 is"
        lines.append(f"  The {what} answered by {policy}, which {outcome} the request.")
    close = _closest_rules(url)
    if close:
        lines.append("Closest routes:")
        lines.extend(f"  {rule}  ({', '.join(methods)})" for rule, methods in close)
    lines.append(
        "Fix: call one of the app's routes (see `flask preflight routes`), or add a route "
        "that serves this request."
    )
    return lines


_CONVERTER = re.compile(r"<[^>]*>")


def _closest_rules(url: str, limit: int = 3) -> list[tuple[str, list[str]]]:
    """The URL rules most like ``url`` (as Flask's url_for suggests endpoints): each rule's
    variable parts take the URL's segment at the same place before comparing."""
    segments = url.split("?", 1)[0].split("/")
    scores: dict[str, float] = {}
    methods: dict[str, set[str]] = {}
    for rule in current_app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue  # static files are not what a page calls cross-origin
        filled = "/".join(
            _CONVERTER.sub(segments[i] if i < len(segments) else "", part)
            for i, part in enumerate(rule.rule.split("/"))
        )
        score = difflib.SequenceMatcher(None, url, filled).ratio()
        scores[rule.rule] = max(score, scores.get(rule.rule, 0.0))
        methods.setdefault(rule.rule, set()).update((rule.methods or set()) - _AUTOMATIC_METHODS)
    ranked = sorted(scores, key=lambda rule: (-scores[rule], rule))
    return [(rule, sorted(methods[rule])) for rule in ranked if scores[rule] >= 0.75][:limit]


def _echo_cors_headers(items: Iterable[tuple[str, str]], empty: str | None = None) -> None:
    shown = [
        (name, value)
        for name, value in items
        if name.lower().startswith("access-control-") or name.lower() == "vary"
    ]
    for name, value in shown:
        click.echo(f"  {name}: {value}")
    if not shown and empty is not None:
        click.echo(f"  {empty}")


def _route(state: PreflightState, url: str, method: str) -> Route | str | None:
    """Where the app routes ``method url``: a ``Route``, a string when no rule at the URL
    accepts the method (405), or ``None`` when no rule matches (404, redirect)."""
    environ = EnvironBuilder(current_app, url, method=method).get_environ()
    return state.route(environ, method.upper())


def _describe_route(route: Route | str | None) -> str:
    if isinstance(route, Route) and route.matched:
        return f"endpoint {route.endpoint!r}"
    if isinstance(route, Route) and route.endpoint is not None:
        return describe_key(route.endpoint)
    return "the app level (no route serves this request)"


def _advice(verdict: Verdict, route: Route | str | None) -> str:
    failure = verdict.failure
    check = failure.check if failure is not None else ""
    # A request no route serves never gets here (_unrouted_verdict).
    if check == "preflight status":
        if verdict.refusal is not None and verdict.refusal.field is not None:
            return "Fix: the preflight's refusal above names the policy field to change."
        return (
            "Fix: the preflight's refusal above says what is wrong with the request itself; "
            "no policy field can allow it as it is."
        )
    if check == "CORS check" and isinstance(route, Route):
        if failure is not None and failure.field == "credentials":
            hint = f"set credentials=True in the policy of {describe_key(route.endpoint)}"
        else:
            hint = f"add the origin to the `origins` of {describe_key(route.endpoint)}"
        return f"Fix: {hint} (see `flask preflight routes`)."
    return "Fix: see the failed check above and `flask preflight routes`."


# --- flask preflight export nginx (the edge exporter, flask_preflight/edge/) -----------

export_cli = AppGroup("export", help="Export the app's preflight answers to the server in front.")
preflight_cli.add_command(export_cli)


@export_cli.command("nginx")
@click.option(
    "--upstream", required=True, help="The app's URL for proxy_pass, e.g. http://127.0.0.1:8000."
)
@click.option(
    "--output-dir",
    required=True,
    type=click.Path(file_okay=False, path_type=str),
    help="Where to write flask-preflight.http.conf and flask-preflight.server.conf.",
)
@click.option(
    "--check",
    is_flag=True,
    help="Compare the directory with a new export; exit 1 with a diff when they differ.",
)
@click.option(
    "--outer-middleware-changes-nothing",
    is_flag=True,
    help="Vouch that WSGI middleware installed after Preflight(app) (a counter, a logger) "
    "neither changes a request nor answers one; without it such an app is passed whole.",
)
def export_nginx_command(
    upstream: str, output_dir: str, check: bool, outer_middleware_changes_nothing: bool
) -> None:
    """Write nginx configuration answering the app's preflights exactly as the app does
    (and passing every other request, and every preflight it cannot decide exactly, to
    the app). With --check, write nothing: tell whether the files are up to date."""
    import difflib
    import os

    from .edge import read_app
    from .edge.nginx import UpstreamError, render

    _state()
    try:
        edge = read_app(
            current_app, outer_middleware_changes_nothing=outer_middleware_changes_nothing
        )
        files = render(edge, upstream, f"the app {current_app.name!r}")
    except UpstreamError as error:
        raise click.UsageError(str(error)) from None
    if check:
        stale = []
        for name, text in files.items():
            path = os.path.join(output_dir, name)
            try:
                with open(path, encoding="utf-8") as file:
                    current = file.read()
            except FileNotFoundError:
                current = ""
            if current != text:
                stale.append(name)
                diff = difflib.unified_diff(
                    current.splitlines(keepends=True),
                    text.splitlines(keepends=True),
                    fromfile=path,
                    tofile=f"{path} (export now)",
                )
                click.echo("".join(diff), nl=False)
        if stale:
            click.echo(
                f"stale: {', '.join(stale)}: run the export again and reload nginx", err=True
            )
            raise SystemExit(1)
        click.echo(f"up to date: {', '.join(files)} in {output_dir}")
        return
    os.makedirs(output_dir, exist_ok=True)
    for name, text in files.items():
        with open(os.path.join(output_dir, name), "w", encoding="utf-8") as file:
            file.write(text)
    click.echo(f"wrote {', '.join(files)} in {output_dir}")
