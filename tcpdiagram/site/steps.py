"""A scenario's trace as the rows of a Markdown step table: what each side did, moment by moment."""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Lang, PeerId, Spec
from ..trace import LOST, RESTARTED, SHUTDOWN, Segment, Trace
from .catalog import page_name
from .mdtext import Md, code, md


@dataclass(frozen=True)
class StepRow:
    time: int
    a: Md
    segments: Md
    b: Md


def _state(sid: str) -> str:
    return f"[{md(sid)}](../states/{page_name(sid)}.md)"


def step_rows(spec: Spec, trace: Trace, lang: Lang) -> list[StepRow]:
    """One row per moment at which a call, a timer, a state change or a sent segment happened."""
    times = sorted(
        {c.time for c in trace.changes} | {s.sent for s in trace.segments} | {c.time for c in trace.calls}
        | {t.end for t in trace.timers if t.outcome != "stopped"}
    )
    sep = "；" if lang == "zh" else "; "
    arrow = "→"
    rows: list[StepRow] = []
    for t in times:
        cells: dict[PeerId, list[str]] = {"A": [], "B": []}
        for call in trace.calls:
            if call.time == t:
                ev = spec.event(call.event)
                how = SHUTDOWN if call.call == "shutdown" else ev.call
                cells[call.peer].append(md(ev.label.get(lang)) + (f" {code(how)}" if how else ""))
        for ch in trace.changes:
            if ch.time != t:
                continue
            ev = spec.event(ch.event)
            what = "" if ev.kind == "app" else md(ev.label.get(lang)) + " "
            restarted = any(x.peer == ch.peer and x.outcome == "restarted" and x.end == t for x in trace.timers)
            if ch.source == ch.target:
                again = RESTARTED[lang].format(next(x.name for x in trace.timers if x.peer == ch.peer
                                                    and x.outcome == "restarted" and x.end == t)) if restarted else ""
                note = (f"（{md(again)}）" if lang == "zh" else f", {md(again)}") if again else ""
                cells[ch.peer].append(f"{what}({md(ch.target)}{note})".strip())
            else:
                cells[ch.peer].append(f"{what}{arrow} {_state(ch.target)}")
        sent = [f"{'A ⟶ B' if s.src == 'A' else 'A ⟵ B'} {code(s.marked(lang))}{_lost(s, lang)}"
                for s in trace.segments if s.sent == t]
        rows.append(StepRow(t, Md(sep.join(cells["A"])), Md("<br>".join(sent)), Md(sep.join(cells["B"]))))
    return rows


def _lost(s: Segment, lang: Lang) -> str:
    return f" ✕ {md(LOST[lang])}" if s.lost else ""
