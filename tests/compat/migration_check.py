"""Apply ``flask preflight migrate``'s output to an app with compat removed, and compare.

``assert_migration_equivalent(source)`` takes either a module (a dotted name or a file path)
that builds its app with ``flask_preflight.compat`` (an ``app`` attribute or a
``create_app()`` factory), or a factory ``build(compat: bool) -> Flask``. It:

1. runs ``flask preflight migrate`` on the compat app, loaded inside the command (so what
   the app prints while loading must not reach the output), and checks the output is
   valid Python;
2. builds the app again with compat removed (for a module: imported with stand-ins for
   ``flask_preflight.compat`` and ``flask_cors`` whose ``CORS`` and ``cross_origin`` do
   nothing), executes the output with ``app`` bound to it, then calls ``Preflight(app)``;
3. asserts both apps show the same ``flask preflight routes --json`` (values, not where they
   were set; header names compared lowercase, as native names are lowercase);
4. sends the same browser requests to both (every URL rule, on concrete paths built from
   each converter, from each listed origin and others, each method, with and without
   credentials and a non-safelisted header) and asserts the native app never grants what
   compat refuses (origin, credentials, method, headers, exposed headers). Where compat
   grants and native does not, the difference must be a documented one: the endpoint's
   paths fall under different path rules (migrate declares the narrowest policy), or a
   request without preflight whose method the policy's ``methods`` leave out (``methods``
   also limits actual requests natively). With ``exact=True`` no difference is allowed:
   each request is refused by both, or read by both with the same status and readable
   header names.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import inspect
import itertools
import json
import re
import sys
import types
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Union

from click.testing import CliRunner, Result
from flask import Flask
from flask.cli import ScriptInfo
from werkzeug.routing import Rule

import flask_preflight
from flask_preflight import Preflight
from flask_preflight.cli import preflight_cli
from flask_preflight.testing import Verdict, browser_request
from flask_preflight.unregistered import is_registered

Source = Union[str, Path, Callable[[bool], Flask]]

OTHER_ORIGINS = ("https://evil.example", "null", "https://a.example.com", "http://localhost:3000")
REQUEST_HEADERS: tuple[dict[str, str], ...] = ({}, {"X-Custom": "1"})
SIMPLE_METHODS = frozenset({"GET", "HEAD", "POST"})


# --- building the app with and without compat ---------------------------------------------


def _stub_compat() -> types.ModuleType:
    module = types.ModuleType("flask_preflight.compat")

    class CORS:
        def __init__(self, app: Any = None, **kwargs: Any) -> None:
            pass

        def init_app(self, app: Any, **kwargs: Any) -> None:
            pass

    def cross_origin(*args: Any, **kwargs: Any) -> Callable[[Any], Any]:
        return lambda view: view

    module.CORS = CORS  # type: ignore[attr-defined]
    module.cross_origin = cross_origin  # type: ignore[attr-defined]
    return module


@contextlib.contextmanager
def compat_removed() -> Iterator[None]:
    """Imports of ``flask_preflight.compat`` and ``flask_cors`` get do-nothing stand-ins."""
    stub = _stub_compat()
    saved = {name: sys.modules.get(name) for name in ("flask_preflight.compat", "flask_cors")}
    saved_attribute = flask_preflight.__dict__.get("compat")
    sys.modules["flask_preflight.compat"] = stub
    sys.modules["flask_cors"] = stub
    flask_preflight.compat = stub
    try:
        yield
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
        if saved_attribute is None:
            flask_preflight.__dict__.pop("compat", None)
        else:
            flask_preflight.compat = saved_attribute


_loads = itertools.count()


def _load_module(source: str | Path) -> Flask:
    """A fresh import of the module (never the cached one), and its app."""
    package: str | None = ""
    if isinstance(source, Path) or str(source).endswith(".py"):
        path = Path(source)
    else:
        spec = importlib.util.find_spec(str(source))
        assert spec is not None and spec.origin is not None, source
        path = Path(spec.origin)
        package = spec.parent  # the fresh copy lives in the same package: relative imports
    name = f"_migration_app_{next(_loads)}_{path.stem}"
    if package:
        name = f"{package}.{name}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(name, None)
    factory = getattr(module, "create_app", None)
    app = factory() if callable(factory) else module.app
    assert isinstance(app, Flask), f"{source}: no Flask app (`app` or `create_app()`)"
    return app


def build_app(source: Source, compat: bool) -> Flask:
    if callable(source):
        return source(compat)
    if compat:
        return _load_module(source)
    with compat_removed():
        return _load_module(source)


# --- the CLI ---------------------------------------------------------------------------------


def run_cli(target: Flask | ScriptInfo, args: list[str]) -> Result:
    """``flask preflight ARGS`` on an app (or a ``ScriptInfo`` that loads one), with stderr
    kept apart from stdout (Click 8.1 mixes them unless told, Click 8.2 keeps both)."""
    info = target if isinstance(target, ScriptInfo) else ScriptInfo(create_app=lambda: target)
    kwargs: dict[str, Any] = {}
    if "mix_stderr" in inspect.signature(CliRunner.__init__).parameters:
        kwargs["mix_stderr"] = False
    return CliRunner(**kwargs).invoke(preflight_cli, args, obj=info)


def migrate_output(source: Source) -> str:
    """``flask preflight migrate``'s stdout, the app loaded inside the command."""
    info = ScriptInfo(create_app=lambda: build_app(source, compat=True))
    result = run_cli(info, ["migrate"])
    assert result.exit_code == 0, (result.output, result.exception)
    compile(result.stdout, "migrate", "exec")  # valid Python, whatever the app printed
    return result.stdout


def routes_document(app: Flask) -> dict[str, Any]:
    """``flask preflight routes --json``, reduced to what must match: values, not sources."""
    result = run_cli(app, ["routes", "--json"])
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    document.pop("path_rules", None)  # compat's resources; native has none
    for row in document["routes"]:
        row.pop("varies_by_path", None)
        for name, cell in row.items():
            if isinstance(cell, dict):
                value = cell["value"]
                if name in ("allow_headers", "expose_headers") and isinstance(value, list):
                    value = [v.lower() for v in value]
                row[name] = value
    return document


def apply_migration(source: Source, output: str) -> Flask:
    app = build_app(source, compat=False)
    exec(compile(output, "migrate", "exec"), {"app": app})
    if not is_registered(app):
        Preflight(app)
    return app


# --- concrete paths and requests -------------------------------------------------------------

_CUSTOM_CANDIDATES = ("a", "0", "42", "abc", "A1", "\u0663", "a-b", "x.y", "a/b", "-1", "1.5")


def converter_samples(converter: Any) -> list[str]:
    """Values of a URL part the converter can match, built from its kind, not from the code
    under test: ASCII and non-ASCII digits, dots, slashes where the converter allows them."""
    kind = type(converter).__name__
    if kind == "IntegerConverter":
        samples = ["0", "42", "\u0663"]  # "\u0663" (ARABIC-INDIC THREE) is \d, and int() takes it
    elif kind == "FloatConverter":
        samples = ["1.5", "\u0663.0"]
    elif kind == "PathConverter":
        samples = ["a", "a/b", "\u0663/x"]
    elif kind == "UUIDConverter":
        samples = [str(uuid.UUID(int=0x12345678123412341234123456789ABC))]
    elif kind == "AnyConverter":
        samples = sorted(getattr(converter, "items", ()))
    elif kind == "UnicodeConverter":
        samples = ["a", "x.y", "\u0663", "abcdefgh"]
    else:
        samples = []
    regex = re.compile(getattr(converter, "regex", "[^/]+"))
    kept = [s for s in samples if regex.fullmatch(s)]
    return kept or [s for s in _CUSTOM_CANDIDATES if regex.fullmatch(s)][:4]


def sample_paths(rule: Rule, limit: int = 12) -> list[str]:
    parts = re.split(r"<(?:[^>:]+:)?([^>]+)>", rule.rule)
    converters = getattr(rule, "_converters", {})
    choices = [
        [part] if index % 2 == 0 else converter_samples(converters[part])
        for index, part in enumerate(parts)
    ]
    paths = ["".join(combo) for combo in itertools.product(*choices)]
    # Spread the limit over the combinations, keeping the first and the last.
    if len(paths) > limit:
        step = len(paths) / limit
        paths = [paths[int(i * step)] for i in range(limit - 1)] + [paths[-1]]
    return paths


def _origins_in(document: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    for row in document["routes"]:
        for value in row["origins"]:
            if isinstance(value, str) and "://" in value and "*" not in value:
                found.add(value)
    return found


def _grants(verdict: Verdict) -> tuple[bool, frozenset[str]]:
    return verdict.allowed, frozenset(verdict.readable_headers)


def compare_answers(
    compat_app: Flask,
    native_app: Flask,
    *,
    varying: set[str],
    origins: set[str],
    paths_per_rule: int = 12,
    run_view: bool = True,
    exact: bool = False,
) -> int:
    """Send the same browser requests to both apps; return how many were compared.
    ``exact``: every answer must be the same (readable or not; status and the names of
    the readable headers when readable), with no documented difference allowed."""
    count = 0
    compat_client, native_client = compat_app.test_client(), native_app.test_client()
    for rule in sorted(compat_app.url_map.iter_rules(), key=lambda r: r.rule):
        methods = sorted((rule.methods or {"GET"}) - {"HEAD", "OPTIONS"}) or ["GET"]
        for path in sample_paths(rule, paths_per_rule):
            for origin, method, credentials, headers in itertools.product(
                sorted(origins | set(OTHER_ORIGINS)), methods, (False, True), REQUEST_HEADERS
            ):
                kwargs: dict[str, Any] = {
                    "origin": origin,
                    "headers": headers,
                    "credentials": credentials,
                    "run_view": run_view,
                }
                old = browser_request(compat_client, method, path, **kwargs)
                new = browser_request(native_client, method, path, **kwargs)
                count += 1
                where = (method, path, origin, credentials, headers, rule.endpoint)
                old_allowed, old_readable = _grants(old)
                new_allowed, new_readable = _grants(new)
                if exact:
                    assert _seen(old) == _seen(new), ("answers differ", where, new.steps)
                # Never a grant compat refused.
                assert old_allowed or not new_allowed, ("native grants more", where, new.steps)
                assert new_readable <= old_readable or not new_allowed, (
                    "native exposes more",
                    where,
                    new_readable - old_readable,
                )
                if old_allowed and not new_allowed:
                    documented = rule.endpoint in varying or (
                        not new.preflighted
                        and method not in _policy_methods(native_app, path, method)
                    )
                    assert documented, ("native refuses what compat grants", where, new.steps)
    return count


def _seen(verdict: Verdict) -> tuple[Any, ...]:
    """What the page sees: refused, or the status and the readable header names."""
    if not verdict.allowed or verdict.response is None:
        return ("refused",)
    return ("read", verdict.response.status_code, frozenset(verdict.readable_headers))


def _policy_methods(app: Flask, path: str, method: str) -> frozenset[str]:
    from flask.testing import EnvironBuilder

    from flask_preflight.extension import get_state

    state = get_state(app)
    environ = EnvironBuilder(app, path, method=method).get_environ()
    policy = state.policy_for(state.routed_endpoint(environ), environ)
    return frozenset(policy.methods) if policy.methods is not None else frozenset({"*"})


def varying_endpoints(app: Flask) -> set[str]:
    """Endpoints whose paths fall under different path rules (``varies_by_path``)."""
    result = run_cli(app, ["routes", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["routes"]
    return {row["endpoint"] for row in rows if "varies_by_path" in row}


def assert_migration_equivalent(
    source: Source, *, paths_per_rule: int = 12, run_view: bool = True, exact: bool = False
) -> str:
    """Apply ``migrate``'s output to ``source``'s app with compat removed and assert it
    serves what compat serves (see the module's docstring); with ``exact``, every answer
    is the same, none of the documented differences allowed. Returns the output."""
    output = migrate_output(source)
    compat_app = build_app(source, compat=True)
    native_app = apply_migration(source, output)
    expected = routes_document(compat_app)
    assert routes_document(native_app) == expected
    varying = varying_endpoints(compat_app)
    compared = compare_answers(
        compat_app,
        native_app,
        varying=varying,
        origins=_origins_in(expected),
        paths_per_rule=paths_per_rule,
        run_view=run_view,
        exact=exact,
    )
    assert compared > 0
    return output
