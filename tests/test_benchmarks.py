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
