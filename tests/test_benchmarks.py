"""The benchmark's own method (``benchmarks/micro.py``, ``benchmarks/report.py``), issue 18:
a workload's batch is never sized from one unlucky warm-up batch, and a run whose null
check is off is refused."""

from __future__ import annotations

import time
from typing import Any

import pytest

from benchmarks import apps, micro, report
from benchmarks.apps import BARE, BARE_NULL, Shape
from benchmarks.micro import PLAIN_GET, Suite

SPIKY = "test: a bare app whose sixth request burns 80 ms of CPU"


def _make_spiky(shape: Shape) -> Any:
    """A bare app; across all its instances, the sixth request (in the first warm-up batch)
    burns 80 ms of this thread's CPU, as a full garbage collection in a full run does."""
    app = apps.make_bare(shape)
    inner = app.wsgi_app
    calls = _make_spiky.calls  # type: ignore[attr-defined]

    def spiky_wsgi_app(environ: Any, start_response: Any) -> Any:
        calls.append(None)
        if len(calls) == 6:
            end = time.thread_time() + 0.08
            while time.thread_time() < end:
                pass
        return inner(environ, start_response)

    app.wsgi_app = spiky_wsgi_app  # type: ignore[method-assign]
    return app


def test_one_slow_warm_up_batch_does_not_size_a_workloads_batch(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The cause of the ~1.3 row of each full run: a slow warm-up batch sized the workload's
    # batch at one request per instance, each then cold after another workload's batch.
    _make_spiky.calls = []  # type: ignore[attr-defined]
    monkeypatch.setitem(apps.FACTORIES, SPIKY, _make_spiky)
    monkeypatch.setitem(micro.FACTORIES, SPIKY, _make_spiky)  # type: ignore[attr-defined]
    suite = Suite(instances=5)
    spiky = suite.add(SPIKY, Shape(), PLAIN_GET)
    suite.calibrate(0.003, 0.05)
    assert len(_make_spiky.calls) >= 6  # type: ignore[attr-defined]  # the spike happened
    reference = suite.reference(spiky)
    assert reference.batch > 5 * len(reference.targets)
    assert spiky.batch == reference.batch


def _suite_with_null(null_per_request: float) -> Suite:
    suite = Suite()
    for contender, per_request in ((BARE, 100.0), (BARE_NULL, null_per_request)):
        suite.add(contender, report.BASE, PLAIN_GET).samples = [per_request] * 9
    return suite


def test_a_run_whose_null_check_is_off_by_more_than_the_limit_is_refused() -> None:
    assert report.NULL_LIMIT == 0.015
    assert report.null_check_failure(_suite_with_null(101.4)) is None
    assert report.null_check_failure(_suite_with_null(98.6)) is None
    failure = report.null_check_failure(_suite_with_null(101.6))
    assert failure is not None and failure.startswith("NULL CHECK FAILED")
    assert report.null_check_failure(_suite_with_null(98.4)) is not None


def _headers_of(app: Any, environ: dict[str, Any]) -> list[tuple[str, str]]:
    seen: list[list[tuple[str, str]]] = []
    body = app.wsgi_app(environ, lambda status, headers, exc_info=None: seen.append(headers))
    b"".join(body)
    return seen[0]


def test_the_least_per_route_wrapper_answers_per_route_as_flask_preflight_does() -> None:
    # W2, the reference row of the least a per-route CORS wrapper does (issue 18): the floor's
    # three headers for the allowed origin, Vary alone without Origin, nothing for a refused
    # origin or a URL no route of the app matched, as Flask-Preflight's per-route answers go.
    shape = Shape()
    app = apps.make_least(shape)
    granted = _headers_of(app, micro.ACTUAL_GET.environ(shape))
    assert granted[-3:] == [
        ("Access-Control-Allow-Origin", apps.ALLOWED_ORIGIN),
        ("Access-Control-Max-Age", str(apps.MAX_AGE)),
        ("Vary", "Origin"),
    ]
    assert _headers_of(app, micro.NO_ORIGIN.environ(shape))[-1] == ("Vary", "Origin")
    refused = _headers_of(app, micro.REFUSED.environ(shape) | {"REQUEST_METHOD": "GET"})
    assert [name for name, _ in refused] == ["Content-Type", "Content-Length"]
    unrouted = micro.ACTUAL_GET.environ(shape) | {"PATH_INFO": "/nowhere"}
    assert not any(name.startswith(("Access-", "Vary")) for name, _ in _headers_of(app, unrouted))


def test_the_reference_table_shows_the_least_wrapper_beside_the_floor() -> None:
    suite = Suite()
    for contender, kind, per_request in (
        (BARE, PLAIN_GET, 100.0),
        (BARE_NULL, PLAIN_GET, 100.0),
        (apps.FLOOR, micro.ACTUAL_GET, 101.0),
        (apps.LEAST, micro.ACTUAL_GET, 103.0),
        (apps.LEAST, micro.NO_ORIGIN, 102.0),
        (apps.PREFLIGHT, micro.ACTUAL_GET, 104.0),
        (apps.PREFLIGHT, micro.NO_ORIGIN, 104.5),
    ):
        suite.add(contender, report.BASE, kind).samples = [per_request] * 9
    text, misses = report.SECTIONS[0].render(suite, True)
    assert misses == []
    assert f"| W2-P1 | {apps.LEAST}, P1 | informative | 1.030 |" in text
    assert f"| W2-P6 | {apps.LEAST}, P6 | informative | 1.020 |" in text
    assert "| W2-W | the least per-route wrapper minus the floor, P1 | informative | +0.020" in text
    assert "| W2-P1 gap | Flask-Preflight P1 minus the least per-route wrapper's" in text
    assert "| informative | +0.010 |" in text and "| informative | +0.025 |" in text
