"""The proof of issue 21: nginx with the exported configuration in front of the app answers
every preflight exactly as the app does, and answers all the browser-shaped ones itself.

Each app runs under gunicorn on loopback, nginx in front of it. Every probe goes to both;
the answers must be identical (status, every Access-Control-* header, Vary, Content-Type,
the body's first line). The app counts what reaches it, which gives the edge share.
"""

from __future__ import annotations

import importlib
import os
import tempfile
from pathlib import Path

import pytest
from flask import Flask

import tests.compat.migration
from flask_preflight.compat import install_for_decorated_views
from flask_preflight.unregistered import is_registered

from .apps import load
from .harness import (
    Probe,
    Report,
    differential,
    export,
    nginx_available,
    nginx_conf,
    nginx_test,
)
from .probes import probes

# (app factory, probes): 20,000 in all.
APPS = (
    ("tests.edge.apps:demo_api", 6000),
    ("tests.edge.apps:generated_app", 14000),
)


def migration_factory(name: str) -> str:
    """The compat app of the migration suite, as gunicorn imports it: in its fixed form
    where compat refuses the app at start-up by design."""
    module = importlib.import_module(f"tests.compat.migration.{name}")
    return f"{module.__name__}:" + (
        "create_fixed_app" if hasattr(module, "create_fixed_app") else "create_app"
    )


# The compat apps of the migration suite (tests/compat/migration/): compat's path rules make the
# exporter pass every request to the app but a websocket-upgrade preflight, so the edge
# share of browser-shaped preflights is 0; the proof is exactness.
MIGRATION_APPS = tuple(migration_factory(name) for name in tests.compat.migration.APPS)
MIGRATION_PROBES = 2000


def inspected(factory: str) -> Flask:
    """The app as ``flask preflight`` commands see it: an app whose only flask-cors front is
    ``@cross_origin`` registered as its first request would register it."""
    app = load(factory)
    if not is_registered(app):
        install_for_decorated_views(app)
    return app


def require_nginx() -> None:
    if nginx_available():
        return
    message = "nginx is not installed (apt-get install nginx)"
    if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        pytest.fail(f"{message}; CI is set, so this is a failure")
    pytest.skip(message)


def _describe(report: Report) -> str:
    lines = []
    for probe, direct, edge in report.mismatches[:10]:
        lines.append(
            f"{probe.method} {probe.path} {probe.headers!r}\n  app:   {direct}\n  nginx: {edge}"
        )
    return "\n".join(lines)


@pytest.mark.parametrize(("factory", "count"), APPS, ids=[factory for factory, _ in APPS])
def test_nginx_answers_exactly_as_the_app(factory: str, count: int) -> None:
    require_nginx()
    report = differential(factory, probes(load(factory), count))
    assert report.total == count
    assert not report.mismatches, _describe(report)
    answered, shaped = report.share()
    answered_all, counted_all = report.share(shaped_only=False)
    print(
        f"\n{factory}: {count} preflights, 0 differences; edge share "
        f"{answered}/{shaped} browser-shaped on routes without a callable origin "
        f"({100 * answered / shaped:.1f}%), {answered_all}/{counted_all} of all "
        f"({100 * answered_all / counted_all:.1f}%); {len(report.unparsed)} refused as "
        "malformed HTTP by gunicorn or nginx before any CORS handling"
    )
    # The goal: every well-formed preflight on a route without a callable origin.
    assert shaped > count // 4
    assert answered == shaped
    # Near misses and hostile values are answered too, unless the WSGI server would read
    # them differently or they are over a bound.
    assert answered_all > counted_all * 0.8


@pytest.mark.parametrize("factory", MIGRATION_APPS)
def test_nginx_answers_the_migration_suite_exactly_as_compat(factory: str) -> None:
    require_nginx()
    # Warmed up: compat registers the engine of an app whose only flask-cors front is
    # @cross_origin at its first request, and a request already inside Flask then is not
    # answered by the engine (a known compat race, outside what nginx is compared on).
    report = differential(factory, probes(inspected(factory), MIGRATION_PROBES), warm_up=True)
    assert report.total == MIGRATION_PROBES
    assert not report.mismatches, _describe(report)
    answered, shaped = report.share()
    answered_all, counted_all = report.share(shaped_only=False)
    upgrades = sum(
        1
        for probe, edge in zip(report.probes, report.answered_at_edge)
        if edge and probe not in report.unparsed and any(n == "Upgrade" for n, _ in probe.headers)
    )
    print(
        f"\n{factory}: {report.total} preflights, 0 differences; edge share {answered}/{shaped} "
        f"browser-shaped ({100 * answered / shaped:.1f}%), {answered_all}/{counted_all} of all, "
        f"of which {upgrades} websocket-upgrade preflights refused at the edge and "
        f"{len(report.unparsed)} refused as malformed HTTP by gunicorn or nginx"
    )
    assert shaped > MIGRATION_PROBES // 4
    # Path rules: no browser-shaped preflight is answered at the edge.
    assert answered == 0


def test_nginx_t_passes_on_every_exported_config() -> None:
    require_nginx()
    factories = [factory for factory, _ in APPS] + ["tests.edge.test_export:passed_app"]
    factories += list(MIGRATION_APPS)
    for factory in factories:
        with tempfile.TemporaryDirectory() as tmp:
            prefix = Path(tmp)
            export(factory, "http://127.0.0.1:8000", prefix)
            conf = prefix / "nginx.conf"
            conf.write_text(nginx_conf(prefix, 8080, prefix))
            checked = nginx_test(prefix, conf)
            assert checked.returncode == 0, (factory, checked.stderr)


def test_a_literal_segment_beside_a_converter_in_werkzeugs_order() -> None:
    # /things/new (GET, POST) and /things/<name> (GET, DELETE), each with its own origin:
    # GET /things/new is the literal rule's, DELETE /things/new the converter's.
    require_nginx()
    probes = [
        Probe(
            "OPTIONS", path, (("Origin", origin), ("Access-Control-Request-Method", method)), True
        )
        for path in ("/things/new", "/things/x", "/things/New", "/things/new/")
        for method in ("GET", "POST", "DELETE", "PUT", "patch", "OPTIONS", "HEAD")
        for origin in (
            "https://app.example.com",
            "https://admin.example.com",
            "https://evil.example",
        )
    ]
    report = differential("tests.edge.apps:generated_app", probes)
    assert not report.mismatches, _describe(report)
    assert all(report.answered_at_edge)
