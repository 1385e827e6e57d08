"""``flask preflight``: see every route's effective policy, and check one request.

- ``flask preflight routes [--endpoint E] [--json]``: one row per URL rule and method, with
  the effective value of each field and the level it came from.
- ``flask preflight check URL --origin O [--method M] [--header H ...] [--credentials]
  [--run-view]``: sends the preflight a browser would through the app's own WSGI callable
  (preflights never reach a view), reads the actual request's CORS headers from the
  endpoint's policy, and prints each check the browser makes, then the verdict. No view
  runs unless ``--run-view`` asks to send the actual request too. Exit status 0 when
  allowed, 1 when refused (or the app has no ``Preflight``), 2 on bad usage.
- ``flask preflight migrate``: prints native declarations giving the app's current
  policies (to move from ``flask_preflight.compat`` to ``cors()``/``Preflight``).

The commands are registered on every app through the ``flask.commands`` entry point, so
they can say when an app has no ``Preflight(app)``.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Callable, Iterable
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup
from flask.testing import EnvironBuilder

from .extension import APP_LEVEL, PreflightState, describe_key, get_state
from .origins import OriginError, parse_origin
from .policy import CompiledPolicy
from .routing import Route
from .testing import Verdict, browser_request, normalize_method
from .unregistered import is_registered

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
    """The current app's state, or a clear error when it has no ``Preflight``."""
    if not is_registered(current_app):
        raise click.ClickException(
            f"this app ({current_app.name!r}) has no Preflight(app), so its cors() policies "
            "do nothing: call Preflight(app) (or preflight.init_app(app)) where the app is "
            "created"
        )
    return get_state(current_app)


def policy_rows(endpoint: str | None = None) -> list[dict[str, Any]]:
    """One row per URL rule and method, with each field's value and source."""
    state = _state()
    rows: list[dict[str, Any]] = []
    for rule in sorted(current_app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if endpoint is not None and rule.endpoint != endpoint:
            continue
        # With path rules (flask_preflight.compat's resources), the rule's text stands for
        # the paths it serves.
        policy = state.policy_for(rule.endpoint, {"PATH_INFO": rule.rule})
        effective = policy.effective
        route_methods = sorted((rule.methods or {"*"}) - _AUTOMATIC_METHODS) or ["*"]
        for method in route_methods:
            allowed = policy.enabled and (policy.methods is None or method in policy.methods)
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


def _cell(row: dict[str, Any], name: str) -> str:
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
    return f"{text} [{row[name]['source']}]"


@preflight_cli.command("routes")
@click.option("--endpoint", help="Show only this endpoint.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for machines.")
def routes_command(endpoint: str | None, as_json: bool) -> None:
    """Show every route's effective CORS policy and where each value came from."""
    state = _state()
    rows = policy_rows(endpoint)
    if endpoint is not None and not rows:
        raise click.UsageError(f"no endpoint named {endpoint!r}")
    if as_json:
        app_policy = state.policy_for(APP_LEVEL)
        document: dict[str, Any] = {
            "routes": rows,
            "unrouted": {"origins": _render(app_policy.effective.origins)},
            "preflights": {"answered_in": state.preflights, "note": state.preflight_route()},
        }
        if path_rows():
            document["path_rules"] = path_rows()
        click.echo(json.dumps(document, indent=2))
        return
    columns: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
        ("RULE", lambda row: row["rule"]),
        ("METHOD", lambda row: row["method"]),
        ("ENDPOINT", lambda row: row["endpoint"]),
        ("CORS", lambda row: "yes" if row["cors"] else "no"),
        ("CORS METHODS", lambda row: _cell(row, "methods")),
        ("ORIGINS", lambda row: _cell(row, "origins")),
        ("CREDENTIALS", lambda row: _cell(row, "credentials")),
        ("ALLOW HEADERS", lambda row: _cell(row, "allow_headers")),
        ("EXPOSE HEADERS", lambda row: _cell(row, "expose_headers")),
        ("MAX AGE", lambda row: _cell(row, "max_age")),
    ]
    table = [[title for title, _ in columns]]
    table += [[render(row) for _, render in columns] for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(columns))]
    for line in table:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip())
    click.echo("\nCORS is 'yes' when the policy allows some origin and its CORS METHODS include")
    click.echo("the row's METHOD. Values in [brackets] say where each one was set. Without a")
    click.echo("matching route (404, 405), the app-level policy applies.")
    click.echo("\n".join(textwrap.wrap(state.preflight_route(), width=80)))
    rules = path_rows()
    if rules:
        click.echo("Path rules, first match wins (404s under them use them too):")
        for row in rules:
            scope = f" (blueprint {row['scope']!r} only)" if row["scope"] else ""
            origins = ", ".join(map(str, row["origins"])) or "(none)"
            click.echo(f"  {row['source']}{scope}: origins {origins}")


@preflight_cli.command("migrate")
def migrate_command() -> None:
    """Print native declarations (PREFLIGHT_* config, cors(...) on views) that give the
    app's current policies, e.g. to move from flask_preflight.compat to native."""
    from .migrate import native_declarations

    try:
        click.echo(native_declarations(current_app), nl=False)
    except ValueError as error:
        raise click.UsageError(str(error)) from None


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
    if origin != "null":
        try:
            normalized = parse_origin(origin).serialize()
        except OriginError as error:
            raise click.BadParameter(str(error), param_hint="--origin") from None
        if normalized != origin or "*" in origin:
            raise click.BadParameter(
                f"browsers send origins in the form {normalized!r}", param_hint="--origin"
            )
    if not url.startswith("/"):
        raise click.BadParameter("give the path on this app, e.g. /items/1", param_hint="URL")
    try:
        parsed_headers = dict(_parse_header(text) for text in headers)
        verdict = browser_request(
            current_app.test_client(),
            method,
            url,
            origin=origin,
            headers=parsed_headers,
            credentials=credentials,
            run_view=run_view,
        )
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    method = normalize_method(method)
    route = _route(state, url, method)

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
    if verdict.allowed:
        click.echo("Verdict: allowed")
        return
    click.echo("Verdict: refused by the browser")
    click.echo(_advice(verdict, route, url, method))
    raise SystemExit(1)


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


def _advice(verdict: Verdict, route: Route | str | None, url: str, method: str) -> str:
    failure = verdict.failure
    check = failure.check if failure is not None else ""
    detail = failure.detail if failure is not None else ""
    if route is None or (isinstance(route, Route) and not route.matched and failure is not None):
        return (
            f"Fix: no route of this app matches {url} (Flask answers it with a 404 or a "
            "redirect; a 404 is readable only when the policy owning the path admits the "
            "request): check the URL against `flask preflight routes`."
        )
    if isinstance(route, str):
        return (
            f"Fix: no route at {url} accepts the method {method}, and no CORS policy can "
            "allow a method the URL does not accept: add it to the route's methods, or call "
            "the URL that serves it (see `flask preflight routes`)."
        )
    if check == "preflight status":
        if "to allow it, change " in detail:
            return "Fix: the preflight's refusal above names the policy field to change."
        return (
            "Fix: the preflight's refusal above says what is wrong with the request itself; "
            "no policy field can allow it as it is."
        )
    if check == "CORS check":
        if "Access-Control-Allow-Credentials" in detail:
            hint = f"set credentials=True in the policy of {describe_key(route.endpoint)}"
        else:
            hint = f"add the origin to the `origins` of {describe_key(route.endpoint)}"
        return f"Fix: {hint} (see `flask preflight routes`)."
    return "Fix: see the failed check above and `flask preflight routes`."
