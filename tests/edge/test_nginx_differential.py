"""The proof of issue 21: nginx with the exported configuration in front of the app answers
every preflight exactly as the app does, and answers all the browser-shaped ones itself.

Each app runs under gunicorn on loopback, nginx in front of it. Every probe goes to both;
the answers must be identical (status, every Access-Control-* header, Vary, Content-Type,
the body's first line). The app counts what reaches it, which gives the edge share.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

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


def test_nginx_t_passes_on_every_exported_config() -> None:
    require_nginx()
    factories = [factory for factory, _ in APPS] + ["tests.edge.test_export:passed_app"]
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
