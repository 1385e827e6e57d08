"""Targets, verdicts, the markdown table and the P4 chart."""

from __future__ import annotations

import datetime
import math
import os
import platform
import statistics
import subprocess
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Callable

from benchmarks.apps import (
    BARE,
    BARE_NULL,
    COMPAT,
    CONTENDERS,
    FLASK_CORS,
    FLOOR,
    LEAST,
    MIDDLEWARES,
    ORDERS,
    PREFLIGHT,
    Shape,
    bare_behind,
    order_contender,
)
from benchmarks.e2e import KIND_LABEL, E2EResult
from benchmarks.memory import MemoryResult
from benchmarks.micro import (
    ACTUAL_GET,
    BIG,
    COMMAS,
    NAMES,
    NO_ORIGIN,
    PLAIN_GET,
    PREFLIGHT_REQ,
    REFUSED,
    RequestKind,
    Suite,
)

ROUTES = (1, 10, 100, 1000)
ORIGINS = (1, 100, 10_000)
PATTERNS = (1, 100)
BASE = Shape()
# The base shape measured with the scaling rows: their baseline (P4 factors, P5 over P2)
# comes from the same suite as they do.
SCALING_BASE = Shape(suite="scaling")
P4_LIMIT = 1.10
# Targets of issue 18 (P1, P6 and compat) and issue 4 (the rest).
P1_LIMIT = 1.03
P6_LIMIT = 1.02
PREFLIGHT_LIMIT = 0.10
COMPAT_GAP = 0.01  # compat within this of native, on P1 and P6
NULL_LIMIT = 0.015  # the null check: a second bare app within 1 +/- this of the first


@dataclass
class Cell:
    """One contender's figure for one row, and whether it meets the row's target."""

    text: str
    ok: bool | None = None  # None: no target applies (the bare app, or informative rows)


@dataclass
class Row:
    """One line of the results table."""

    id: str
    scenario: str
    target: str
    cells: dict[str, Cell] = field(default_factory=dict)


def _mark(ok: bool | None) -> str:
    return "" if ok is None else (" ✓" if ok else " ✗")


def _fmt(x: float) -> str:
    if math.isnan(x):
        return "n/a"
    if x < 2:
        return f"{x:.3f}"
    return f"{x:.2f}" if x < 100 else f"{x:.1f}"


def _ratio(suite: Suite, contender: str, shape: Shape, kind: RequestKind) -> float | None:
    w = suite.get(contender, shape, kind)
    return None if w is None else suite.ratio(w)


def micro_rows(suite: Suite, contenders: list[str]) -> list[Row]:
    """Rows for P1-P6 from the in-process run."""
    rows: list[Row] = []

    def simple(kind: RequestKind, target: str, limit: float | None) -> Row:
        row = Row(kind.key, kind.description, target)
        for c in contenders:
            r = _ratio(suite, c, BASE, kind)
            if r is None:
                continue
            ok = None if (c == BARE or limit is None) else r <= limit
            row.cells[c] = Cell(_fmt(r), ok)
        return row

    rows.append(simple(ACTUAL_GET, "<= 1.03", P1_LIMIT))
    rows.append(simple(PREFLIGHT_REQ, "<= 0.10", 0.10))
    rows.append(simple(REFUSED, "<= 0.10", 0.10))
    rows.extend(p4_rows(suite, contenders))
    for kind in (COMMAS, NAMES, BIG):
        row = Row(kind.key, kind.description, "<= 2x own P2")
        for c in contenders:
            r = _ratio(suite, c, BASE, kind)
            p2 = _ratio(suite, c, SCALING_BASE, PREFLIGHT_REQ)
            if r is None or p2 is None:
                continue
            ok = None if c == BARE else r <= 2 * p2
            row.cells[c] = Cell(f"{_fmt(r)} ({r / p2:.1f}x P2)", ok)
        rows.append(row)
    row = simple(NO_ORIGIN, "<= 1.02", P6_LIMIT)
    row.cells[BARE] = Cell("1.00 (reference)")
    rows.append(row)
    return rows


@dataclass(frozen=True)
class Section:
    """A table of its own under the main one: the workloads it adds to the suite, and its
    markdown with the misses of its targets (``render(suite, judge)``; ``judge`` False in a
    smoke run, whose timings mean nothing). To add rows (say, compat's regex-list rows),
    write a Section and append it to ``SECTIONS``."""

    name: str
    add: Callable[[Suite, list[str]], None]
    render: Callable[[Suite, bool], tuple[str, list[str]]]


def _verdict(ok: bool | None, judge: bool) -> str:
    if ok is None or not judge:
        return "—"
    return "**pass**" if ok else "**FAIL**"


def _add_reference(suite: Suite, contenders: list[str]) -> None:
    suite.add(BARE_NULL, BASE, PLAIN_GET)
    suite.add(FLOOR, BASE, ACTUAL_GET)
    suite.add(LEAST, BASE, ACTUAL_GET)
    suite.add(LEAST, BASE, NO_ORIGIN)


def null_check_failure(suite: Suite) -> str | None:
    """Why the run's figures cannot be trusted, or ``None``: the null check (a second,
    identical bare app) must come out within ``NULL_LIMIT`` of 1, else the method itself is
    biased by more than the gaps the table is meant to show."""
    null = _ratio(suite, BARE_NULL, BASE, PLAIN_GET)
    if null is None or abs(null - 1) <= NULL_LIMIT:
        return None
    return (
        f"NULL CHECK FAILED: a second, identical bare app measured {_fmt(null)}x the first"
        f" (allowed: 1 ± {NULL_LIMIT}). This run's figures are not trustworthy: run it again"
        " on a quieter machine."
    )


def _render_reference(suite: Suite, judge: bool) -> tuple[str, list[str]]:
    null = _ratio(suite, BARE_NULL, BASE, PLAIN_GET)
    floor = _ratio(suite, FLOOR, BASE, ACTUAL_GET)
    lines = [
        "Reference rows: N is a second, identical bare app (the null check: any distance"
        " from 1 is the method's own bias); W is the floor of actual requests, a WSGI wrapper"
        " that only appends three precomputed headers; W2 is the least a per-route CORS"
        " wrapper does: W's wrapper plus reading the request context (this app's request?"
        " which endpoint?), one dict lookup for the endpoint's plan and one for the Origin,"
        " and a scan of the response's header names, with the same three headers for the"
        " allowed origin and `Vary: Origin` without one. W2 minus W is what any wrapper"
        " keeping per-route policies pays; Flask-Preflight minus W2 is what it spends beyond"
        " that.",
        "",
        "| id | scenario | target | figure | verdict |",
        "|---|---|---|---:|---|",
    ]
    misses: list[str] = []
    if null is not None:
        ok = abs(null - 1) <= NULL_LIMIT
        lines.append(
            f"| N | {BARE_NULL}, GET | 1 ± {NULL_LIMIT} | {_fmt(null)} | {_verdict(ok, judge)} |"
        )
        if judge and not ok:
            misses.append(f"null check {_fmt(null)} (target 1 ± {NULL_LIMIT})")
    if floor is not None:
        lines.append(f"| W | {FLOOR}, P1 | informative | {_fmt(floor)} | — |")
    least = {kind: _ratio(suite, LEAST, BASE, kind) for kind in (ACTUAL_GET, NO_ORIGIN)}
    ours = {kind: _ratio(suite, PREFLIGHT, BASE, kind) for kind in (ACTUAL_GET, NO_ORIGIN)}
    for kind, figure in least.items():
        if figure is not None:
            lines.append(
                f"| W2-{kind.key} | {LEAST}, {kind.key} | informative | {_fmt(figure)} | — |"
            )
    least_p1, p1 = least[ACTUAL_GET], ours[ACTUAL_GET]
    if floor is not None and least_p1 is not None:
        lines.append(
            f"| W2-W | the least per-route wrapper minus the floor, P1 | informative |"
            f" {least_p1 - floor:+.3f} | — |"
        )
    if p1 is not None and floor is not None:
        lines.append(
            f"| W-P1 | Flask-Preflight P1 minus the floor | informative | {p1 - floor:+.3f} | — |"
        )
    for kind, figure in least.items():
        own = ours[kind]
        if own is not None and figure is not None:
            lines.append(
                f"| W2-{kind.key} gap | Flask-Preflight {kind.key} minus the least per-route"
                f" wrapper's | informative | {own - figure:+.3f} | — |"
            )
    return "\n".join(lines), misses


def _add_order(suite: Suite, contenders: list[str]) -> None:
    if PREFLIGHT not in contenders:
        return
    for middleware in MIDDLEWARES:
        suite.add(bare_behind(middleware), BASE, PLAIN_GET)
        for order in ORDERS:
            for kind in (ACTUAL_GET, PREFLIGHT_REQ, REFUSED):
                suite.add(order_contender(middleware, order), BASE, kind)


def _render_order(suite: Suite, judge: bool) -> tuple[str, list[str]]:
    """P1-P3 of Flask-Preflight with WSGI middleware installed before and after it."""
    lines = [
        "## Middleware order (P1-P3)",
        "",
        "Flask-Preflight with WSGI middleware installed before `Preflight(app)` (between it"
        " and Flask: the usual factory order) and after it. Each figure is the ratio to the"
        " bare app's GET behind the same middleware (last column: that GET over the bare"
        f" GET). Targets: P2 and P3 <= {PREFLIGHT_LIMIT:.2f}; P1 is informative.",
        "",
        "| middleware | installed | P1 | P2 | P3 | verdict | bare GET behind it |",
        "|---|---|---:|---:|---:|---|---:|",
    ]
    misses: list[str] = []
    for middleware in MIDDLEWARES:
        reference = _ratio(suite, bare_behind(middleware), BASE, PLAIN_GET)
        for order in ORDERS:
            contender = order_contender(middleware, order)
            cells, ok = [], True
            for kind in (ACTUAL_GET, PREFLIGHT_REQ, REFUSED):
                ratio = _ratio(suite, contender, BASE, kind)
                if ratio is None or not reference:
                    cells.append("n/a")
                    continue
                ratio /= reference
                cells.append(_fmt(ratio))
                if kind is not ACTUAL_GET and ratio > PREFLIGHT_LIMIT:
                    ok = False
                    if judge:
                        misses.append(f"{contender} {kind.key}: {_fmt(ratio)}")
            when = "before `Preflight(app)`" if order == "before" else "after"
            lines.append(
                f"| {middleware} | {when} | "
                + " | ".join(cells)
                + f" | {_verdict(ok, judge)} | {'n/a' if reference is None else _fmt(reference)} |"
            )
    return "\n".join(lines), misses


def p4_shapes() -> list[tuple[str, Shape, Shape]]:
    """(label, shape, baseline shape) for each scaled P4 point."""
    points = [(f"{n} routes", Shape(routes=n), SCALING_BASE) for n in ROUTES[1:]]
    points += [(f"{n:,} exact origins", Shape(origins=n), SCALING_BASE) for n in ORIGINS[1:]]
    points += [
        (f"{n} subdomain patterns", Shape(patterns=n), Shape(patterns=1)) for n in PATTERNS[1:]
    ]
    return points


def p4_rows(suite: Suite, contenders: list[str]) -> list[Row]:
    """P4: each scaled figure against the same contender's 1-route / 1-origin figure."""
    rows: list[Row] = []
    for kind in (ACTUAL_GET, PREFLIGHT_REQ):
        # The 1-subdomain-pattern baseline, shown for reference.
        row = Row("P4", f"{kind.key}, 1 subdomain pattern (baseline)", "reference")
        for c in contenders:
            r = _ratio(suite, c, Shape(patterns=1), kind)
            if r is not None:
                row.cells[c] = Cell(_fmt(r))
        rows.append(row)
        for label, shape, base in p4_shapes():
            row = Row("P4", f"{kind.key}, {label}", f"<= {P4_LIMIT:.2f}x own baseline")
            for c in contenders:
                r = _ratio(suite, c, shape, kind)
                r0 = _ratio(suite, c, base, kind)
                if r is None or r0 is None:
                    continue
                factor = r / r0
                ok = None if c == BARE else factor <= P4_LIMIT
                row.cells[c] = Cell(f"{_fmt(r)} (x{factor:.3f})", ok)
            rows.append(row)
    return rows


COMPAT_SHAPES = (BASE, Shape(routes=100, resources=1), Shape(routes=100, resources=100))


def _add_compat(suite: Suite, contenders: list[str]) -> None:
    if PREFLIGHT not in contenders:
        return
    for c in (FLASK_CORS, COMPAT):
        for shape in COMPAT_SHAPES:
            for kind in (ACTUAL_GET, PREFLIGHT_REQ):
                suite.add(c, shape, kind)
        suite.add(c, BASE, NO_ORIGIN)


def _render_compat(suite: Suite, judge: bool) -> tuple[str, list[str]]:
    """flask_preflight.compat next to flask-cors, configured the same (``CORS(app, ...)``,
    then 1 or 100 resources on an app of 100 routes): P1, P6, P2, and P4 growth."""
    base, one, hundred = COMPAT_SHAPES
    lines = [
        "Compat rows: `flask_preflight.compat` (flask-cors's API on Flask-Preflight) next to"
        " flask-cors, same options. C-P1 and C-P6 must also be within"
        f" {COMPAT_GAP} of native Flask-Preflight's P1 and P6. C-P4 cells read"
        " `ratio (x factor over 1 resource)`.",
        "",
        f"| id | scenario | target | {FLASK_CORS} | {COMPAT} | verdict |",
        "|---|---|---|---:|---:|---|",
    ]
    misses: list[str] = []
    for kind, limit in ((ACTUAL_GET, P1_LIMIT), (NO_ORIGIN, P6_LIMIT)):
        theirs = _ratio(suite, FLASK_CORS, base, kind)
        ours = _ratio(suite, COMPAT, base, kind)
        native = _ratio(suite, PREFLIGHT, base, kind)
        if theirs is None or ours is None or native is None:
            continue
        ok = ours <= limit and abs(ours - native) <= COMPAT_GAP
        lines.append(
            f"| C-{kind.key} | {kind.description}, `CORS(app, ...)` | <= {limit:.2f},"
            f" native ± {COMPAT_GAP} | {_fmt(theirs)} | {_fmt(ours)} ({ours - native:+.3f})"
            f" | {_verdict(ok, judge)} |"
        )
        if judge and not ok:
            misses.append(f"compat {kind.key}: {_fmt(ours)} (native {_fmt(native)})")
    cells = [_ratio(suite, c, base, PREFLIGHT_REQ) for c in (FLASK_CORS, COMPAT)]
    if cells[0] is not None and cells[1] is not None:
        ok = cells[1] <= PREFLIGHT_LIMIT
        lines.append(
            f"| C-P2 | {PREFLIGHT_REQ.description}, `CORS(app, ...)` | <= {PREFLIGHT_LIMIT:.2f}"
            f" | {_fmt(cells[0])} | {_fmt(cells[1])} | {_verdict(ok, judge)} |"
        )
        if judge and not ok:
            misses.append(f"compat P2: {_fmt(cells[1])}")
    for kind in (ACTUAL_GET, PREFLIGHT_REQ):
        texts, factors = [], []
        for c in (FLASK_CORS, COMPAT):
            r0, r = _ratio(suite, c, one, kind), _ratio(suite, c, hundred, kind)
            if r0 is None or r is None:
                break
            factors.append(r / r0)
            texts.append(f"{_fmt(r)} (x{r / r0:.3f})")
        if len(texts) < 2:
            continue
        ok = factors[1] <= P4_LIMIT
        lines.append(
            f"| C-P4 | {kind.key}, 100 resources (100 routes) | <= {P4_LIMIT:.2f}x own 1"
            f" resource | {texts[0]} | {texts[1]} | {_verdict(ok, judge)} |"
        )
        if judge and not ok:
            misses.append(f"compat P4 {kind.key}: x{factors[1]:.3f}")
    return ("\n".join(lines) if len(lines) > 4 else ""), misses


SECTIONS: list[Section] = [
    Section("reference", _add_reference, _render_reference),
    Section("compat", _add_compat, _render_compat),
    Section("middleware order", _add_order, _render_order),
]


def e2e_rows(e2e: E2EResult, contenders: list[str]) -> list[Row]:
    """End-to-end rows: rps relative to the bare app's GET (same Origin header)."""
    if e2e.skipped:
        return []
    rows = []
    ref = e2e.reference()
    for kind, target, limit in (("P1", ">= 0.95", 0.95), ("P2", ">= 1.2", 1.2)):
        row = Row(f"E-{kind}", f"gunicorn + wrk: {KIND_LABEL[kind]}, rps / bare GET rps", target)
        for c in contenders:
            w = e2e.find(c, kind)
            if w is None:
                continue
            rps = f"{statistics_median(w.rps):,.0f}/s"
            if w is ref:
                row.cells[c] = Cell(f"1 (reference, {rps})")
                continue
            ratio = e2e.ratio(w)
            ok = None if c == BARE else ratio >= limit
            row.cells[c] = Cell(f"{ratio:.3f} ({rps})", ok)
        rows.append(row)
    plain = e2e.find(BARE, "GET")
    if plain is not None:
        row = Row("E-0", "gunicorn + wrk: the same GET without an Origin header", "informative")
        rps = f"{statistics_median(plain.rps):,.0f}/s"
        row.cells[BARE] = Cell(f"{e2e.ratio(plain):.3f} ({rps})")
        rows.append(row)
    return rows


def statistics_median(values: list[float]) -> float:
    """Median, nan for no values."""
    return statistics.median(values) if values else float("nan")


def memory_rows(memory: dict[str, MemoryResult], shape: Shape, attack: int) -> list[Row]:
    """Peak RSS rows, relative to the bare app with the same routes."""
    if not memory or BARE not in memory:
        return []
    bare = memory[BARE]
    row = Row(
        "M",
        f"peak RSS, {shape.routes:,} routes + {shape.origins:,} origins (bare: routes only)",
        "informative",
    )
    for c, m in memory.items():
        row.cells[c] = Cell(
            f"{m.setup_kb / bare.setup_kb:.2f} ({m.setup_kb / 1024:.1f} MiB,"
            f" setup {m.setup_ms / 1000:.2f} s)"
        )
    rows = [row]
    if attack:
        row = Row("M-a", f"peak RSS after {attack:,} preflights to distinct paths", "bounded")
        for c, m in memory.items():
            if m.attack_kb is not None:
                grow = (m.attack_kb - m.setup_kb) / 1024
                row.cells[c] = Cell(f"{m.attack_kb / 1024:.1f} MiB (+{grow:.1f})")
        rows.append(row)
    return rows


def verdict(row: Row, judge: bool = True) -> str:
    """The Flask-Preflight verdict for a row (none in a smoke run)."""
    cell = row.cells.get(PREFLIGHT)
    if row.target in ("informative", "reference") or not judge:
        return "—"
    if cell is None:
        return "not run"
    if cell.ok is None:
        return "—"
    return "**pass**" if cell.ok else "**FAIL**"


def render_table(rows: list[Row], judge: bool = True) -> str:
    """The main markdown table (without marks or verdicts in a smoke run)."""
    lines = [
        "| id | scenario | target | " + " | ".join(CONTENDERS) + " | verdict |",
        "|---|---|---|" + "---:|" * len(CONTENDERS) + "---|",
    ]
    for row in rows:
        cells = []
        for c in CONTENDERS:
            cell = row.cells.get(c)
            mark = _mark(cell.ok) if cell is not None and judge else ""
            cells.append("—" if cell is None else cell.text + mark)
        lines.append(
            f"| {row.id} | {row.scenario} | {row.target} | "
            + " | ".join(cells)
            + f" | {verdict(row, judge)} |"
        )
    return "\n".join(lines)


def render_responses(suite: Suite, e2e: E2EResult, contenders: list[str]) -> str:
    """What each contender answered to each base request (to show like is compared with like)."""
    kinds = [PLAIN_GET, ACTUAL_GET, PREFLIGHT_REQ, REFUSED, COMMAS, NAMES, BIG]
    lines = [
        "| request | " + " | ".join(contenders) + " |",
        "|---|" + "---|" * len(contenders),
    ]
    for kind in kinds:
        cells = []
        for c in contenders:
            w = suite.get(c, BASE, kind)
            cells.append("—" if w is None or w.response is None else w.response.summary())
        lines.append(f"| {kind.key}: {kind.description} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _git_revision() -> str:
    try:
        root = Path(__file__).resolve().parent.parent
        rev = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "flask_preflight"],
            cwd=root,
            capture_output=True,
            text=True,
        ).stdout.strip()
        return rev + (" (flask_preflight/ has uncommitted changes)" if dirty else "")
    except OSError:
        return "unknown"


def machine_info() -> dict[str, str]:
    """CPU, cores and versions, for the header of the results."""
    return {
        "CPU": _cpu_model(),
        "cores": str(os.cpu_count()),
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "Flask": _version("flask"),
        "Werkzeug": _version("werkzeug"),
        "flask-cors": _version("flask-cors"),
        "Flask-Preflight": _version("Flask-Preflight"),
        "gunicorn": _version("gunicorn"),
        "git revision": _git_revision(),
    }


def render(
    *,
    mode: str,
    machine: dict[str, str],
    suite: Suite,
    rounds: int,
    micro_seconds: float,
    rows: list[Row],
    e2e: E2EResult,
    contenders: list[str],
    missing: dict[str, str],
    memory_note: str,
    total_seconds: float,
    sections: list[str],
    judge: bool,
) -> str:
    """The whole results document: ``sections`` are the tables of ``SECTIONS``, rendered."""
    describe = getattr(suite, "describe", None)
    rounds_text = describe() if describe else f"{rounds} interleaved rounds, {micro_seconds:.0f} s"
    ref = suite.get(BARE, BASE, PLAIN_GET)
    ref_us = statistics_median(ref.samples) / 1000 if ref else float("nan")
    noise = []
    for c in contenders:
        for kind in (ACTUAL_GET, PREFLIGHT_REQ, NO_ORIGIN):
            w = suite.get(c, BASE, kind)
            if w is not None and c != BARE:
                half = suite.confidence(w)
                noise.append(f"{c} {kind.key} " + ("n/a" if math.isnan(half) else f"±{half:.3f}"))
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    out = [
        "# Flask-Preflight benchmark results",
        "",
        run_line(mode, machine, when, total_seconds),
        "",
        "Machine: " + "; ".join(f"{k} {v}" for k, v in machine.items()) + f"; load avg {load}.",
        "",
        "Figures are the median of per-round ratios to a **bare Flask GET on the same route**"
        f" in the same round ({rounds_text}; the bare GET"
        f" took {ref_us:.1f} µs in-process). Below 1 is cheaper than a bare GET."
        " ✓/✗ mark each CORS contender against the target; the verdict column is"
        " Flask-Preflight's. P4 cells read `ratio (x factor over the own baseline)`."
        " Noise, as the half-width of a 95% confidence interval of the median: "
        + ", ".join(noise)
        + ".",
        "",
    ]
    if not judge:
        out += [
            "**Smoke run**: a few rounds of a fraction of a millisecond, to show that every"
            " contender and scenario runs. The figures mean nothing and nothing is judged.",
            "",
        ]
    for name, reason in missing.items():
        out += [f"**{name} was not run**: {reason}", ""]
    out += [render_table(rows, judge), ""]
    for section in sections:
        if section:
            out += [section, ""]
    if e2e.skipped:
        out += [f"End-to-end (gunicorn + wrk) part **skipped**: {e2e.skipped}.", ""]
    else:
        out += [
            f"End-to-end rows (E-): gunicorn, 1 sync worker per contender, `wrk -t1 -c2` on"
            f" 127.0.0.1, {e2e.rounds} rounds ({e2e.seconds:.0f} s). In each round every target"
            " runs once, in random order, between two runs of the reference: the bare app's"
            " GET carrying the same `Origin` header as the actual GET (gunicorn parses every"
            " header in Python; row E-0 shows what the header alone costs). Figures are the"
            " median of rps / mean rps of the two neighbouring reference runs (median rps in"
            " parentheses)."
        ]
        for ew in e2e.workloads:
            if ew.non_2xx or ew.errors:
                out.append(
                    f"Warning: {ew.contender} {ew.kind}: {ew.non_2xx} non-2xx responses,"
                    f" {ew.errors} socket errors."
                )
        out.append("")
    out += [memory_note, ""]
    out += [
        "Responses to the base requests (status and CORS headers present):",
        "",
        render_responses(suite, e2e, contenders),
        "",
        "![P4 scaling](p4.png)",
        "",
    ]
    return "\n".join(out)


COMMAND = "make bench"


def render_summary(suite: Suite, rows: list[Row], machine: dict[str, str], when: str) -> str:
    """The paragraph docs/performance.md includes: the headline figures of this run, read
    from the suite (never typed), with what produced them."""

    def figure(contender: str, kind: RequestKind, shape: Shape = BASE) -> str:
        ratio = _ratio(suite, contender, shape, kind)
        return "n/a" if ratio is None else f"{_fmt(ratio)}x"

    parts = [
        f"In the last full run ({when}; `{COMMAND}` at git revision {machine['git revision']},"
        f" on {machine['CPU']}, {machine['cores']} cores, Python {machine['Python']},"
        f" Flask {machine['Flask']}, Werkzeug {machine['Werkzeug']}, flask-cors"
        f" {machine['flask-cors']}), a preflight cost **{figure(PREFLIGHT, PREFLIGHT_REQ)}**"
        f" a bare Flask GET (flask-cors: {figure(FLASK_CORS, PREFLIGHT_REQ)}), a refused one"
        f" {figure(PREFLIGHT, REFUSED)}, an actual GET from an allowed origin"
        f" **{figure(PREFLIGHT, ACTUAL_GET)}** (target {P1_LIMIT}; a WSGI wrapper that only"
        f" appends three headers: {figure(FLOOR, ACTUAL_GET)}; the least a per-route CORS"
        f" wrapper does: {figure(LEAST, ACTUAL_GET)}) and a request without"
        f" `Origin` {figure(PREFLIGHT, NO_ORIGIN)} (target {P6_LIMIT}; the least per-route"
        f" wrapper: {figure(LEAST, NO_ORIGIN)}). Through"
        f" `flask_preflight.compat`: {figure(COMPAT, ACTUAL_GET)} and"
        f" {figure(COMPAT, NO_ORIGIN)}. With `ProxyFix` installed before `Preflight(app)`,"
        f" a preflight cost {_order_figure(suite, 'ProxyFix', 'before', PREFLIGHT_REQ)} of the"
        " bare GET behind it. The null check (a second, identical bare app) came out at"
        f" {figure(BARE_NULL, PLAIN_GET)}.",
    ]
    missed = [
        f"{row.id} ({row.scenario}): {row.cells[PREFLIGHT].text}, target {row.target}"
        for row in rows
        if PREFLIGHT in row.cells and row.cells[PREFLIGHT].ok is False
    ]
    if missed:
        parts.append("Not met in that run: " + "; ".join(missed) + ".")
    parts.append(
        "Figures move by a few percent from run to run; the results give each one's noise."
    )
    return " ".join(parts) + "\n"


def _order_figure(suite: Suite, middleware: str, order: str, kind: RequestKind) -> str:
    ratio = _ratio(suite, order_contender(middleware, order), BASE, kind)
    reference = _ratio(suite, bare_behind(middleware), BASE, PLAIN_GET)
    return "n/a" if ratio is None or not reference else f"{_fmt(ratio / reference)}x"


def run_line(mode: str, machine: dict[str, str], when: str, total_seconds: float) -> str:
    """What produced these figures: the run, the command, the machine and the versions."""
    versions = ", ".join(
        f"{name} {machine[name]}"
        for name in ("Python", "Flask", "Werkzeug", "flask-cors", "Flask-Preflight")
    )
    return (
        f"{mode} run, {when}, {total_seconds:.0f} s in all: `{COMMAND}` (`python -m"
        f" benchmarks`) at git revision {machine['git revision']}, on {machine['CPU']}"
        f" ({machine['cores']} cores, {machine['OS']}), with {versions}. Method in"
        " `benchmarks/README.md`."
    )


def summary_lines(rows: list[Row]) -> list[str]:
    """One line per Flask-Preflight miss, for the console."""
    return [
        f"MISSED {row.id} {row.scenario}: {row.cells[PREFLIGHT].text} (target {row.target})"
        for row in rows
        if PREFLIGHT in row.cells and row.cells[PREFLIGHT].ok is False
    ]


COLORS = {BARE: "#7f7f7f", FLASK_CORS: "#d62728", PREFLIGHT: "#1f77b4"}


def _label_ends(ax: Any, ends: list[tuple[float, int, str]], fig_height_pt: float) -> None:
    """Write each line's last value next to it, nudging labels apart when lines end close."""
    low, high = ax.get_ylim()
    pt_per_decade = ax.get_position().height * fig_height_pt / math.log10(high / low)
    line = 10.0  # points between two labels
    last = -math.inf  # position of the previous label, in points from the bottom
    for y, x, color in sorted(ends):
        at = math.log10(y / low) * pt_per_decade
        shown = max(at, last + line)
        last = shown
        ax.annotate(
            f"{y:.3g}",
            (x, y),
            textcoords="offset points",
            xytext=(6, shown - at),
            va="center",
            fontsize=8,
            color=color,
        )


def _scaling(shape: Shape) -> Shape:
    """The shape as measured with the scaling rows (the base shape: its scaling copy)."""
    return SCALING_BASE if shape == BASE else shape


def chart(suite: Suite, contenders: list[str], path: Path, title: str) -> None:
    """The P4 curves: cost against routes, exact origins and subdomain patterns."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

    panels: list[tuple[str, list[tuple[int, Shape]], bool]] = [
        ("routes (1 allowed origin)", [(n, _scaling(Shape(routes=n))) for n in ROUTES], True),
        (
            "exact allowed origins (1 route)",
            [(n, _scaling(Shape(origins=n))) for n in ORIGINS],
            False,
        ),
        ("subdomain patterns (1 route)", [(n, Shape(patterns=n)) for n in PATTERNS], False),
    ]
    fig, axes = plt.subplots(1, 3, figsize=(13, 4.8), sharey=True)
    ys_all: list[float] = []
    ends: list[list[tuple[float, int, str]]] = []
    for ax, (xlabel, points, with_bare) in zip(axes, panels):
        ends.append([])
        for c in contenders:
            if c == BARE and not with_bare:
                continue  # the bare app has no origins: it is the dotted line at 1
            for kind, style, marker, label in (
                (ACTUAL_GET, "-", "o", "actual GET"),
                (PREFLIGHT_REQ, "--", "s", "preflight"),
            ):
                xs, ys = [], []
                for n, shape in points:
                    r = _ratio(suite, c, shape, kind)
                    if r is not None:
                        xs.append(n)
                        ys.append(r)
                if not xs:
                    continue
                ys_all += ys
                name = f"{c}: {label}" + (
                    " (Flask's own OPTIONS)" if c == BARE and kind is PREFLIGHT_REQ else ""
                )
                ax.plot(xs, ys, linestyle=style, marker=marker, color=COLORS[c], label=name)
                ends[-1].append((ys[-1], xs[-1], COLORS[c]))
        ax.axhline(1.0, color="black", linewidth=0.8, linestyle=":", label="bare Flask GET = 1")
        ax.axhline(0.10, color="#2ca02c", linewidth=0.8, linestyle=":", label="P2 target (0.10)")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(xlabel)
        xs_all = [n for n, _ in points]
        ax.xaxis.set_major_locator(FixedLocator(xs_all))
        ax.xaxis.set_minor_locator(NullLocator())
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}"))
        ax.set_xlim(xs_all[0] / 1.6, xs_all[-1] * 2.5)
        ax.grid(True, which="major", alpha=0.3)
    ticks = [0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200]
    if ys_all:
        low, high = min([*ys_all, 0.1]) / 1.5, max([*ys_all, 1.0]) * 1.5
        axes[0].set_ylim(low, high)
        ticks = [t for t in ticks if low <= t <= high]
    axes[0].yaxis.set_major_locator(FixedLocator(ticks))
    axes[0].yaxis.set_minor_locator(NullLocator())
    axes[0].yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
    axes[0].set_ylabel("time per request / bare Flask GET (log)")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=4, fontsize=8.5, frameon=False)
    fig.suptitle(title, fontsize=11)
    fig.tight_layout(rect=(0, 0.13, 1, 1))
    for ax, panel_ends in zip(axes, ends):
        _label_ends(ax, panel_ends, fig.get_figheight() * 72)
    fig.savefig(path, dpi=110)
    plt.close(fig)
