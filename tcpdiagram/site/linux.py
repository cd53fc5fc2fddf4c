"""The Linux record on the site: which recorded runs still agree with the spec, and what a scenario page says of its run.

The record is outside data (a kernel release string, numbers written by `verify`): every piece of it that reaches
a page goes through md() or code(), and a record of the wrong shape shows nothing rather than failing the build.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from .. import words
from ..model import Lang, Spec
from ..trace import Segment, Trace
from . import strings
from .mdtext import Md, code, md

Json = dict[str, Any]
# A pure ACK that leaves at least this long after the segment it answers arrived was held back (delayed ACK);
# on the 50 ms delay line of `verify` the kernel otherwise answers within a few milliseconds.
DELAYED_ACK_MS = 20
ANCHOR = "linux-run"  # the section's id on every scenario page, in both languages
KERNEL = ("release", "version")  # what the record must say of the kernel (the observed charts' titles name it)


@dataclass(frozen=True)
class Linux:
    """A record loaded once per build: the scenarios whose recorded run is shown, and why others are not."""

    record: Json
    path: str  # as the build found it, for the warnings
    shown: tuple[str, ...]  # scenario ids, in the spec's order
    differences: Mapping[str, tuple[str, ...]]  # scenario id → ids of the spec's linux_rules that changed it
    warnings: tuple[str, ...]

    @property
    def release(self) -> str:
        """"6.18.44-fc-v782", as `uname -r` printed it."""
        return _text(self.record.get("kernel", {}).get("release"))

    @property
    def version(self) -> str:
        """"6.18", as the observed chart's title names it."""
        return _text(self.record.get("kernel", {}).get("version")) or self.release

    @property
    def release_number(self) -> str:
        """"6.18.44": the release without the distribution's suffix."""
        m = re.match(r"\d+(?:\.\d+)+", self.release)
        return m.group(0) if m else self.release


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def load(spec: Spec, path: Path | None, traces: Mapping[str, Trace]) -> Linux | None:
    """The record at `path` (None, missing or unreadable: no record), checked against the spec scenario by scenario.

    A scenario's run is shown only while still_agrees holds and it can be drawn; every other
    scenario of the spec gets a warning saying why its page has no Linux run.
    """
    from ..verify.record import load_record

    if path is None or not path.is_file():
        return None
    again = _rerun(spec, path)
    record = load_record(path)
    kernel = record.get("kernel") if record is not None else None
    if record is None or not (isinstance(kernel, dict) and all(isinstance(kernel.get(k), str) for k in KERNEL)):
        unread = f"{path} is not a Linux record this version of tcpdiagram reads; {again}"
        return Linux({"kernel": {}, "scenarios": {}}, str(path), (), {}, (unread,))
    shown: list[str] = []
    differences: dict[str, tuple[str, ...]] = {}
    warnings: list[str] = []
    for sc in spec.scenarios:
        why = _why_not(spec, record, sc.id, traces[sc.id])
        if isinstance(why, tuple):
            shown.append(sc.id)
            differences[sc.id] = why
        else:
            warnings.append(f"{why}; {again}")
    return Linux(record, str(path), tuple(shown), differences, tuple(warnings))


def still_agrees(spec: Spec, record: Json, scenario_id: str) -> bool:
    """True when the recorded run still agrees with what the current spec predicts (an edited spec may not)."""
    from ..errors import TcpDiagramError
    from ..verify.compare import agrees, compare
    from ..verify.expect import apply, differences_for, simulated

    sc = record.get("scenarios", {}).get(scenario_id)
    if sc is None or sc.get("passed") != sc.get("runs"):
        return False
    try:
        expected, _ = apply(simulated(spec, scenario_id), differences_for(spec, scenario_id))
        return agrees(compare(expected, sc["observed"]))
    except (TcpDiagramError, KeyError, TypeError, ValueError):
        return False


def _rerun(spec: Spec, path: Path) -> str:
    option = f" --spec {spec.file}" if spec.file and Path(spec.file) != Path("spec/tcp.yaml") else ""
    return f"re-run `tcpdiagram verify{option} --record {path}`"


def _why_not(spec: Spec, record: Json, sid: str, trace: Trace) -> tuple[str, ...] | str:
    """The ids of the Linux rules the run needed when it is shown, else the reason it is not."""
    from ..errors import TcpDiagramError
    from ..trace import trace_to_json
    from ..verify.expect import apply, differences_for
    from ..render.observed_chart import observed_to_trace

    sc = record["scenarios"].get(sid)
    if not isinstance(sc, dict):
        return f"the Linux record has no run of {sid!r}"
    if not all(isinstance(sc.get(k), int) for k in ("runs", "passed")):
        return f"the Linux record of {sid!r} cannot be read"
    if still_agrees(spec, record, sid):
        try:
            observed_to_trace(spec, sid, sc["observed"])
            _, used = apply(trace_to_json(trace), differences_for(spec, sid))
        except (TcpDiagramError, KeyError, TypeError, ValueError):
            return f"the Linux record of {sid!r} cannot be drawn"
        return tuple(used)
    if sc.get("passed") != sc.get("runs"):
        return f"only {sc.get('passed')} of {sc.get('runs')} recorded Linux runs of {sid!r} agreed with the spec"
    return f"the Linux record of {sid!r} no longer matches the spec"


# ---- what a scenario page shows -----------------------------------------------------------------


@dataclass(frozen=True)
class TimingRow:
    segment: Md
    sent: str
    received: str


@dataclass(frozen=True)
class Run:
    """The "Reproduced on Linux" section of one scenario page, in one language."""

    summary: Md  # "Reproduced on Linux 6.18.44: 5 of 5 runs agreed."
    see_below: Md  # a link from under the spec's chart down to the section
    differences: tuple[str, ...]  # the texts of the spec's Linux rules that applied (user text: escaped later)
    timing: tuple[TimingRow, ...]  # empty when the record has no usable timing
    timing_note: Md
    notes: tuple[Md, ...]  # measurements worth a sentence: a delayed ACK, the TIME_WAIT timer


def _s(lang: Lang, key: str, **values: object) -> Md:
    """A UI string with values filled in; string values are escaped (the numbers are ours)."""
    return Md(strings.t(lang, key).format(
        **{k: md(v) if isinstance(v, str) and not isinstance(v, Md) else v for k, v in values.items()}))


def run(spec: Spec, linux: Linux | None, sid: str, lang: Lang) -> Run | None:
    """The section for scenario `sid`, or None when its recorded run is not shown."""
    if linux is None or sid not in linux.shown:
        return None
    rec = linux.record["scenarios"][sid]
    rules = {r.id: r.text.get(lang) for r in spec.linux_rules + spec.scenario(sid).linux_rules}
    runs = int(rec["runs"])
    summary = _s(lang, "linux_summary", version=linux.release_number, passed=int(rec["passed"]), runs=runs)
    timing, notes = _measured(spec, linux.record, sid, lang)
    return Run(summary, _s(lang, "linux_see_below", anchor=Md(ANCHOR)), tuple(rules[i] for i in linux.differences[sid] if i in rules), timing,
               _s(lang, "linux_timing_note", runs=runs), notes)


def _span(values: object) -> tuple[int, int] | None:
    """[min, max] from the record's timing as two ints, or None."""
    if (isinstance(values, list) and len(values) == 2 and all(isinstance(v, int) and not isinstance(v, bool)
                                                                for v in values)):
        return values[0], values[1]
    return None


def _range(span: tuple[int, int] | None) -> str:
    if span is None:
        return "—"
    lo, hi = span
    return str(lo) if lo == hi else f"{lo}–{hi}"


def _who(s: Segment) -> str:
    return "A ⟶ B" if s.src == "A" else "A ⟵ B"


def _measured(spec: Spec, record: Json, sid: str, lang: Lang) -> tuple[tuple[TimingRow, ...], tuple[Md, ...]]:
    """The table of send and arrival times over all runs, and the notes that a number makes worth reading."""
    from ..render.observed_chart import observed_to_trace

    sc = record["scenarios"][sid]
    segments = observed_to_trace(spec, sid, sc["observed"]).segments
    timing = sc.get("timing")
    spans = timing.get("segments") if isinstance(timing, dict) else None
    rows: list[TimingRow] = []
    notes: list[Md] = []
    if isinstance(spans, list) and len(spans) == len(segments) and all(isinstance(x, dict) for x in spans):
        sent = [_span(x.get("sent")) for x in spans]
        received = [_span(x.get("received")) for x in spans]
        rows = [TimingRow(Md(f"{_who(s)} {code(s.label)}"), _range(sent[i]), _range(received[i]))
                for i, s in enumerate(segments)]
        notes += _delayed_acks(segments, sent, received, lang)
    gaps = timing.get("resend_gaps") if isinstance(timing, dict) else None
    for g in gaps if isinstance(gaps, list) else []:
        i, span = g.get("segment") if isinstance(g, dict) else None, _span(g.get("ms")) if isinstance(g, dict) else None
        if isinstance(i, int) and not isinstance(i, bool) and 0 <= i < len(segments) and span is not None:
            rto = _span(g.get("kernel_rto_ms"))
            notes.append(Md(_s(lang, "linux_resend_gap", peer=segments[i].src, flags=segments[i].flag_text,
                               gap=_range(span), runs=int(sc["runs"]))
                            + (_s(lang, "linux_kernel_rto", rto=_range(rto)) if rto is not None else "")))
    for pid in ("A", "B"):
        restarts = sc["observed"]["peers"][pid].get("time_wait_restarts")
        if isinstance(restarts, int) and not isinstance(restarts, bool) and restarts > 0:
            notes.append(_s(lang, "linux_time_wait_restart", peer=pid))
    for pid in ("A", "B"):
        timer = sc["observed"]["peers"][pid].get("time_wait_timer_ms")
        if isinstance(timer, int) and not isinstance(timer, bool) and timer > 0:
            notes.append(_s(lang, "linux_time_wait_timer", peer=pid, timer=_duration(timer, lang)))
    return tuple(rows), tuple(notes)


def _delayed_acks(segments: tuple[Segment, ...], sent: list[tuple[int, int] | None],
                  received: list[tuple[int, int] | None], lang: Lang) -> list[Md]:
    """A pure ACK sent DELAYED_ACK_MS or more after the last segment its sender had received."""
    notes = []
    for i, s in enumerate(segments):
        before = [j for j in range(i) if segments[j].dst == s.src]
        if s.flags != ("ACK",) or not before or sent[i] is None or received[before[-1]] is None:
            continue
        j = before[-1]
        (lo, hi), (r_lo, r_hi) = sent[i], received[j]  # type: ignore[misc]
        gap = (max(0, lo - r_hi), max(0, hi - r_lo))
        if gap[0] >= DELAYED_ACK_MS:
            other = segments[j]
            notes.append(_s(lang, "linux_delayed_ack", peer=s.src, flags=s.flag_text, other=other.src,
                            answered=other.flag_text, gap=_range(gap)))
    return notes


def _duration(ms: int, lang: Lang) -> str:
    if ms % 1000 == 0:
        return words.t(lang, "chart.s").format(ms // 1000)
    return words.t(lang, "chart.ms").format(ms)
