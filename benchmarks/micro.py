"""In-process benchmark: prepared environs through each app's WSGI callable, interleaved.

Every workload (one contender app, one kind of request) is run in small batches. A round runs
one batch of every workload, in a fresh random order; a workload's ratio for that round is its
time per request over the time per request of the bare Flask GET on the same route in the same
round. The reported figure is the median of those per-round ratios, so slow drifts and spikes of
a noisy machine cancel or drop out.
"""

from __future__ import annotations

import gc
import math
import random
import statistics
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar

from werkzeug.test import EnvironBuilder

from benchmarks.apps import (
    BARE,
    FACTORIES,
    MIDDLEWARES,
    ORDERS,
    REFUSED_ORIGIN,
    Shape,
    bare_behind,
    order_contender,
)

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

COMMAS_10K = "," * 10_000
NAMES_1K = ",".join(f"x-h{i:04d}" for i in range(1_000))
_CHUNK = "x-custom-header, "
BIG_64K = (_CHUNK * (65_536 // len(_CHUNK) + 1))[:65_536].rstrip(", ")


@dataclass(frozen=True)
class RequestKind:
    """One kind of request: method, Origin (allowed/refused/none) and preflight headers."""

    key: str
    description: str
    method: str = "GET"
    origin: str = "allowed"  # "allowed", "refused" or "none"
    acrm: str | None = None
    acrh: str | None = None

    def environ(self, shape: Shape) -> dict[str, Any]:
        """The prepared WSGI environ for this request against an app of this shape."""
        headers: dict[str, str] = {}
        if self.origin == "allowed":
            headers["Origin"] = shape.request_origin()
        elif self.origin == "refused":
            headers["Origin"] = REFUSED_ORIGIN
        if self.acrm is not None:
            headers["Access-Control-Request-Method"] = self.acrm
        if self.acrh is not None:
            headers["Access-Control-Request-Headers"] = self.acrh
        builder = EnvironBuilder(
            path=shape.target_path(),
            method=self.method,
            headers=list(headers.items()),
            base_url="https://api.example.com",
        )
        try:
            return builder.get_environ()
        finally:
            builder.close()


PLAIN_GET = RequestKind("GET", "GET, no Origin", origin="none")
ACTUAL_GET = RequestKind("P1", "actual GET from an allowed origin")
PREFLIGHT_REQ = RequestKind(
    "P2", "preflight (PUT, one custom header), allowed", "OPTIONS", acrm="PUT", acrh="x-custom"
)
REFUSED = RequestKind(
    "P3", "preflight, refused origin", "OPTIONS", "refused", acrm="PUT", acrh="x-custom"
)
COMMAS = RequestKind(
    "P5a", "preflight, ACRH = 10,000 commas", "OPTIONS", acrm="PUT", acrh=COMMAS_10K
)
NAMES = RequestKind("P5b", "preflight, ACRH = 1,000 names", "OPTIONS", acrm="PUT", acrh=NAMES_1K)
BIG = RequestKind(
    "P5c",
    f"preflight, ACRH = 64 KiB (`{_CHUNK.strip()} ` repeated)",
    "OPTIONS",
    acrm="PUT",
    acrh=BIG_64K,
)
NO_ORIGIN = RequestKind("P6", "request with no Origin to a CORS-enabled route", origin="none")


# The time of this thread on the CPU (nanoseconds): on a shared machine, time spent while
# other processes ran is not counted (wall-clock time counts it when they preempt a batch).
CLOCK = getattr(time, "thread_time_ns", time.perf_counter_ns)


def _start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
    return None


@dataclass(frozen=True)
class Response:
    """What a workload's request got back, to show each contender answered as expected."""

    status: str
    headers: dict[str, str]

    def summary(self) -> str:
        """Status code and the CORS response headers present."""
        names = {
            "Access-Control-Allow-Origin": "ACAO",
            "Access-Control-Allow-Methods": "ACAM",
            "Access-Control-Allow-Headers": "ACAH",
        }
        present = [short for long, short in names.items() if long in self.headers]
        return self.status.split(" ", 1)[0] + (" " + "+".join(present) if present else "")


def call_once(app: WSGIApp, environ: dict[str, Any]) -> Response:
    """Make one request and capture its status and headers."""
    captured: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        captured["status"] = status
        captured["headers"] = dict(headers)
        return None

    body = app(dict(environ), start_response)
    try:
        for _chunk in body:
            pass
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()
    return Response(captured["status"], captured["headers"])


def run_batch(targets: list[tuple[WSGIApp, dict[str, Any]]], n: int) -> float:
    """Time about ``n`` requests, split evenly over ``targets``: (WSGI callable,
    prepared environ) pairs, one per app instance. Each request gets a shallow copy of the
    environ; its body is consumed and closed. Returns nanoseconds per request."""
    start_response = _start_response
    per_target = max(1, n // len(targets))
    t0 = CLOCK()
    for wsgi, environ in targets:
        copy = environ.copy
        for _ in range(per_target):
            body = wsgi(copy(), start_response)
            for _chunk in body:
                pass
            close = getattr(body, "close", None)
            if close is not None:
                close()
    return (CLOCK() - t0) / (per_target * len(targets))


@dataclass
class Workload:
    """One contender app of one shape, answering one kind of request. ``targets`` are the
    ``wsgi_app`` of each instance of the app with its own prepared environ: identical
    instances differ by a few percent (where their objects sit in memory), so each batch
    runs the same number of requests through each, and that bias averages out."""

    contender: str
    shape: Shape
    kind: RequestKind
    app: Any  # the first instance (a Flask app)
    environ: dict[str, Any]
    targets: list[tuple[WSGIApp, dict[str, Any]]]
    response: Response | None = None
    batch: int = 1
    samples: list[float] = field(default_factory=list)  # ns per request, one per round

    @property
    def key(self) -> tuple[str, Shape, str]:
        """Identifies the workload."""
        return (self.contender, self.shape, self.kind.key)


class Suite:
    """A set of workloads measured together, interleaved, and their per-round ratios."""

    def __init__(self, instances: int = 1) -> None:
        self.instances = instances
        self.workloads: dict[tuple[str, Shape, str], Workload] = {}
        self._apps: dict[tuple[str, Shape], list[Any]] = {}

    def apps(self, contender: str, shape: Shape) -> list[Any]:
        """The (cached) instances of a contender's app for a shape."""
        key = (contender, shape)
        if key not in self._apps:
            self._apps[key] = [FACTORIES[contender](shape) for _ in range(self.instances)]
        return self._apps[key]

    def add(self, contender: str, shape: Shape, kind: RequestKind) -> Workload:
        """Register a workload (and the bare GET it is compared to)."""
        key = (contender, shape, kind.key)
        if key not in self.workloads:
            apps = self.apps(contender, shape)
            # Through each app's wsgi_app (what the table states), not Flask.__call__.
            targets = [(app.wsgi_app, kind.environ(shape)) for app in apps]
            self.workloads[key] = Workload(contender, shape, kind, apps[0], targets[0][1], targets)
        if (contender, kind.key) != (BARE, PLAIN_GET.key):
            self.add(BARE, reference_shape(shape), PLAIN_GET)
        return self.workloads[key]

    def get(self, contender: str, shape: Shape, kind: RequestKind) -> Workload | None:
        """The workload, if registered."""
        return self.workloads.get((contender, shape, kind.key))

    def calibrate(self, batch_seconds: float, warmup_seconds: float) -> None:
        """Warm every workload up, record its response, and size its batch to about
        ``batch_seconds``; then a workload that costs about as much as its reference (the
        bare GET: P1, P6, the null check) gets exactly its reference's number of requests,
        so both have the same structure (the same requests per instance, the same share of
        a switch between instances) and a batch-size effect cannot pass for a difference
        of a point or two between them. Much cheaper workloads (preflights) keep their
        longer batches, where a switch costs nothing measurable.

        The size must not come from one unlucky batch. It once did: the warm-up doubled
        its batch until a wall-clock deadline and sized the workload from the last batch,
        and a full garbage collection (~0.4 s with every app of a full run alive) landing
        in a warm-up batch made that batch both the slowest and the last. The workload then
        ran one request per instance per batch, each request cold after another workload's
        batch, and read ~1.3 instead of ~1.05 in every round (one row of each full run).
        So: long-lived objects are frozen out of the collector first (as in ``run``), each
        instance's first request (one-time set-up) is made untimed, the warm-up counts
        this thread's CPU time, and the size comes from the median of five batches."""
        gc.collect()
        gc.freeze()
        try:
            for w in self.workloads.values():
                w.response = call_once(w.app.wsgi_app, w.environ)
                for wsgi, environ in w.targets[1:]:
                    call_once(wsgi, environ)
                n, spent = len(w.targets), 0.0
                while True:  # warm up: batches of doubling size, for warmup_seconds
                    per_request = run_batch(w.targets, n)
                    spent += per_request * n
                    if spent >= warmup_seconds * 1e9 or n >= 100_000:
                        break
                    n = min(n * 2, 100_000)
                w.batch = max(len(w.targets), round(batch_seconds * 1e9 / per_request))
                per_request = statistics.median(run_batch(w.targets, w.batch) for _ in range(5))
                w.batch = max(len(w.targets), round(batch_seconds * 1e9 / per_request))
        finally:
            gc.unfreeze()
        for w in self.workloads.values():
            reference = self.reference(w).batch
            if reference / 2 <= w.batch <= 2 * reference:  # about its reference's cost
                w.batch = reference

    def run(self, rounds: int, budget_seconds: float, seed: int = 4) -> int:
        """Run up to ``rounds`` interleaved rounds within the time budget; return rounds done."""
        order = list(self.workloads.values())
        rng = random.Random(seed)
        gc.collect()
        gc.freeze()  # long-lived app objects stay out of every collection
        deadline = time.perf_counter() + budget_seconds
        done = 0
        try:
            for _ in range(rounds):
                rng.shuffle(order)
                for w in order:
                    w.samples.append(run_batch(w.targets, w.batch))
                done += 1
                if time.perf_counter() > deadline and done >= 3:
                    break
        finally:
            gc.unfreeze()
        return done

    def reference(self, w: Workload) -> Workload:
        """The bare Flask GET on the same route that ``w`` is compared with."""
        return self.workloads[(BARE, reference_shape(w.shape), PLAIN_GET.key)]

    def ratio(self, w: Workload) -> float:
        """Median over rounds of (time per request of w) / (bare GET, same route, same round)."""
        ref = self.reference(w)
        return statistics.median(a / b for a, b in zip(w.samples, ref.samples))

    def confidence(self, w: Workload) -> float:
        """Half-width of a distribution-free 95% confidence interval of ``ratio(w)``: the
        order statistics n/2 -/+ 0.98 sqrt(n) of the per-round ratios."""
        ref = self.reference(w)
        ratios = sorted(a / b for a, b in zip(w.samples, ref.samples))
        n = len(ratios)
        if n < 8:
            return float("nan")
        k = 0.98 * math.sqrt(n)
        low = ratios[max(0, math.floor(n / 2 - k))]
        high = ratios[min(n - 1, math.ceil(n / 2 + k))]
        return (high - low) / 2


def reference_shape(shape: Shape) -> Shape:
    """The bare app a shape is compared with: same routes (the bare app has no origins)."""
    return Shape(routes=shape.routes)


class SplitSuite(Suite):
    """Suites run one after the other, each interleaved with its own bare GET: the headline
    figures (P1, P2, P3, P6 of each contender, the reference and compat rows), whose
    targets are a point or two apart; the middleware-order rows; and the rest (scaling
    shapes, oversized headers), compared with looser targets. A round runs every workload
    of its suite once, so fewer workloads per round give more rounds, and narrower
    intervals, in the same time. ``BUDGET`` is each part's share of the time."""

    BUDGET: ClassVar[dict[str, float]] = {
        "headline": 0.5,
        "middleware order": 0.2,
        "scaling": 0.3,
    }
    HEADLINE_KINDS = ("GET", "P1", "P2", "P3", "P6")
    ORDER_CONTENDERS = frozenset(
        [bare_behind(m) for m in MIDDLEWARES]
        + [order_contender(m, order) for m in MIDDLEWARES for order in ORDERS]
    )

    def __init__(self, instances: int = 1) -> None:
        super().__init__(instances)
        self.parts = {name: Suite(instances) for name in self.BUDGET}
        self.rounds: dict[str, int] = {}
        self.seconds: dict[str, float] = {}

    def part(self, contender: str, shape: Shape, kind_key: str) -> Suite:
        """The suite a workload is measured in."""
        if contender in self.ORDER_CONTENDERS:
            return self.parts["middleware order"]
        if shape == Shape() and kind_key in self.HEADLINE_KINDS:
            return self.parts["headline"]
        return self.parts["scaling"]

    def add(self, contender: str, shape: Shape, kind: RequestKind) -> Workload:
        w = self.part(contender, shape, kind.key).add(contender, shape, kind)
        self.workloads[w.key] = w
        return w

    def get(self, contender: str, shape: Shape, kind: RequestKind) -> Workload | None:
        return self.part(contender, shape, kind.key).get(contender, shape, kind)

    def calibrate(self, batch_seconds: float, warmup_seconds: float) -> None:
        for suite in self.parts.values():
            suite.calibrate(batch_seconds, warmup_seconds)

    def run(self, rounds: int, budget_seconds: float, seed: int = 4) -> int:
        """Each part in turn, for its share of the budget; return the headline's rounds."""
        for name, suite in self.parts.items():
            t0 = time.perf_counter()
            self.rounds[name] = suite.run(rounds, budget_seconds * self.BUDGET[name], seed)
            self.seconds[name] = time.perf_counter() - t0
        return self.rounds["headline"]

    def reference(self, w: Workload) -> Workload:
        return self.part(*w.key).reference(w)

    def describe(self) -> str:
        """How many rounds each part ran, for the results."""
        return "; ".join(
            f"{name}: {self.rounds.get(name, 0)} rounds of {len(suite.workloads)} workloads in"
            f" {self.seconds.get(name, 0):.0f} s"
            for name, suite in self.parts.items()
        )
