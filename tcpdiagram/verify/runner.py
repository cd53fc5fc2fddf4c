"""`tcpdiagram verify`: run each scenario N times on the kernel, compare, print side by side, write the record."""

from __future__ import annotations

import platform
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from ..errors import UsageError
from ..model import Spec
from .compare import Check, agrees, compare, kernel_rto, side_by_side
from .expect import apply, differences_for, flags_text, resends, simulated

Json = dict[str, Any]
CLOSE_CALLS = {"close": "close event by close()", "shutdown": "close event by shutdown(SHUT_WR)"}
HORIZON_SLACK_MS = 500  # Linux gives up a connect() up to ~150 ms after the spec's time (a 4 s timer's 256 ms slots)


@dataclass
class ScenarioResult:
    """All runs of one scenario: what each observed and whether it agreed with the expectation."""

    id: str
    expected: Json
    differences: list[str]
    observed: list[Json] = field(default_factory=list)
    checks: list[list[Check]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def runs(self) -> int:
        return len(self.observed) + len(self.errors)

    @property
    def passed(self) -> int:
        return sum(agrees(c) for c in self.checks)

    def outcomes(self) -> list[Json]:
        """Distinct outcomes (both state sequences and the segment flags) with how many runs had each."""
        sig = Counter(
            (" ".join(o["peers"]["A"]["states"]), " ".join(o["peers"]["B"]["states"]),
             ", ".join(f"{s['src']}>{s['dst']} {flags_text(s['flags'])}" for s in o["segments"]))
            for o in self.observed
        )
        return [{"runs": n, "A": a, "B": b, "segments": s} for (a, b, s), n in sorted(sig.items())]

    def timing(self) -> Json:
        """Over all runs: [min, max] ms of each peer's entry into each state and of each segment's send/arrival."""
        if len(self.outcomes()) != 1:
            return {}

        def span(values: list[int | None]) -> list[int | None]:
            known = [v for v in values if v is not None]
            return [min(known), max(known)] if known else [None, None]

        out: Json = {}
        for p in ("A", "B"):
            runs = [_entries(o["peers"][p]["timeline"]) for o in self.observed]
            out[p] = [{"state": g[0][0], "t": span([t for _s, t in g])} for g in zip(*runs)]
        segs = zip(*(o["segments"] for o in self.observed))
        out["segments"] = [{"sent": span([s["sent"] for s in g]), "received": span([s["received"] for s in g])} for g in segs]
        out["resend_gaps"] = [
            {"segment": i, "ms": span([o["segments"][i]["sent"] - o["segments"][j]["sent"] for o in self.observed]),
             "kernel_rto_ms": span([kernel_rto(o, o["segments"][j]["src"], o["segments"][j]["sent"])
                                    for o in self.observed])}
            for i, j in resends(self.expected["segments"]) if i < len(self.observed[0]["segments"])]
        return out

    def to_record(self) -> Json:
        return {
            "runs": self.runs, "passed": self.passed, "differences": self.differences, "timing": self.timing(),
            "outcomes": self.outcomes(), "observed": self.observed[0] if self.observed else None,
        }


def _entries(timeline: list[Json]) -> list[tuple[str, int]]:
    """(state, ms) of each state change, ignoring changes of observer only."""
    out: list[tuple[str, int]] = []
    for c in timeline:
        if not out or out[-1][0] != c["state"]:
            out.append((c["state"], c["t"]))
    return out


@contextmanager
def signals_as_exit() -> Iterator[None]:
    """SIGTERM and SIGHUP raise SystemExit(128 + n) so every `finally` (namespace removal) runs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, _frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    old = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


def run_scenario(spec: Spec, sid: str, runs: int, close_call: str, progress: Callable[[str], None],
                 pcap: Path | None = None) -> ScenarioResult:
    from .apps import Driver, ScenarioUnsupported
    from .lab import Lab

    sc = spec.scenario(sid)
    expected, used = apply(simulated(spec, sid), differences_for(spec, sid))
    result = ScenarioResult(sid, expected, used)
    for i in range(runs):
        try:
            with Lab(sc.delay) as lab:
                observed = Driver(lab, spec, sc, close_call, horizon_ms=horizon(spec, sid)).run()
                if pcap is not None:  # what A's namespace saw (its sends and what reached it), the whole run
                    from ..capture.write import write_pcap

                    write_pcap(pcap / f"{sid}-run{i + 1}.pcap", ((k.t, k.raw) for k in lab.packets["A"]))
        except (TimeoutError, ScenarioUnsupported) as e:
            result.errors.append(f"run {i + 1}: {e}")
            progress(f"  {sid} run {i + 1}: {e}")
            continue
        result.observed.append(observed)
        result.checks.append(compare(expected, observed))
    return result


def horizon(spec: Spec, sid: str) -> int:
    """How long a run must last: past the spec's last segment and last change not made by a long entry timer."""
    from ..simulate import simulate

    trace = simulate(spec, sid)
    entry = {e.id for e in spec.events if e.kind == "timer" and e.start == "entry"}
    times = [s.sent for s in trace.segments] + [c.time for c in trace.changes if c.event not in entry]
    return max(times, default=0) + HORIZON_SLACK_MS


def report(result: ScenarioResult, spec: Spec) -> str:
    """The scenario's verdict and, side by side, run 1 (or the first run that disagreed)."""
    sc = spec.scenario(result.id)
    ok = result.passed == result.runs and result.runs > 0
    lines = [f"{result.id}: {sc.title.en} — {result.passed}/{result.runs} runs agree{'' if ok else '  FAILED'}"]
    lines += [f"    {e}" for e in result.errors]
    if result.observed:
        bad = [i for i, c in enumerate(result.checks) if not agrees(c)]
        i = bad[0] if bad else 0
        lines.append(f"    run {i + 1}, one-way delay {sc.delay} ms:")
        lines.append(side_by_side(result.expected, result.observed[i], result.checks[i]))
    if result.differences:
        lines.append(f"    Linux differences applied: {', '.join(result.differences)}")
    return "\n".join(lines)


def run(
    scenario_ids: list[str], runs: int = 5, record: Path | None = None, spec_path: Path | None = None,
    close_call: str = "close", write: Callable[[str], None] = print, pcap: Path | None = None,
) -> int:
    """Verify the scenarios; return 0 when every run of every scenario agrees, else 1. Raises CannotVerify (3)."""
    from ..specfile import load_checked
    from ..schema import suggest
    from .netns import preflight, remove_stale
    from .record import build_record, write_record

    spec = load_checked(spec_path)
    known = [s.id for s in spec.scenarios]
    for sid in scenario_ids:
        if sid not in known:
            raise UsageError(f"unknown scenario {sid!r}{suggest(sid, known)}; scenarios: {', '.join(known)}")
    if runs < 1:
        raise UsageError(f"--runs must be at least 1, not {runs}")
    ids = scenario_ids or known
    preflight()
    for name in remove_stale():
        write(f"removed namespace {name}, left by a verify run that was killed")
    start = time.monotonic()
    results: list[ScenarioResult] = []
    with signals_as_exit():
        for sid in ids:
            t = time.monotonic()
            results.append(run_scenario(spec, sid, runs, close_call, write, pcap))
            write(report(results[-1], spec) + f"\n    ({time.monotonic() - t:.1f} s)\n")
    release = platform.release()
    write(f"Linux {release}, {CLOSE_CALLS[close_call]}, {time.monotonic() - start:.1f} s in all")
    write(f"{'scenario':<20} {'runs':>4} {'agree':>5} {'rate':>6}")
    for r in results:
        write(f"{r.id:<20} {r.runs:>4} {r.passed:>5} {100 * r.passed / max(r.runs, 1):>5.0f}%")
    if record is not None:
        write_record(record, build_record(release, close_call, {r.id: r.to_record() for r in results}))
        write(f"record written to {record}")
    return 0 if all(r.passed == r.runs for r in results) else 1
