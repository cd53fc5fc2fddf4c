"""What a simulated scenario did, as frozen values, with its JSON form and a printable step table."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from . import words
from .model import LANGS, Flag, Lang, PeerId, Role, Spec

# How flags are written for people: RFC 9293 style, ACK last (SYN,ACK  FIN,ACK  RST,ACK  PSH,ACK).
_DISPLAY_ORDER: tuple[Flag, ...] = ("SYN", "FIN", "RST", "PSH", "ACK")
# How a retransmitted or lost segment is marked in a table or on a chart.
# (Views of the one catalogue, words.py, under the names the renderers use.)
RETRANSMITTED: dict[Lang, str] = {lang: words.t(lang, "steps.retransmitted") for lang in LANGS}
LOST: dict[Lang, str] = {lang: words.t(lang, "steps.lost") for lang in LANGS}
RESTARTED: dict[Lang, str] = {lang: words.t(lang, "steps.restarted") for lang in LANGS}
INTERRUPTED: dict[Lang, str] = {lang: words.t(lang, "steps.interrupted") for lang in LANGS}
AFRESH: dict[Lang, str] = {lang: words.t(lang, "steps.afresh") for lang in LANGS}
SHUTDOWN = "shutdown(SHUT_WR)"


@dataclass(frozen=True)
class Segment:
    """One segment on the wire: who sent it, flags, seq/ack, when it was sent and received (or lost)."""

    index: int  # 0-based, in the order the segments were sent
    src: PeerId
    dst: PeerId
    flags: tuple[Flag, ...]  # sorted in model.FLAGS order: ACK, FIN, RST, SYN
    seq: str  # "M", "M+1", "0" (symbolic) or "101" (numeric)
    ack: str | None  # None when the ACK flag is off
    sent: int  # ms
    received: int | None  # ms; None when the network lost it
    length: int = 0  # bytes of data
    retransmission: bool = False
    lost: bool = False
    extra: str = ""  # written after the label on charts: a captured segment's analysis marks

    @property
    def flag_text(self) -> str:
        return ",".join(f for f in _DISPLAY_ORDER if f in self.flags)

    @property
    def label(self) -> str:
        """`FIN,ACK seq=M ack=N` or `PSH,ACK seq=N len=100 ack=M+1`: the segment as a chart or a table writes it."""
        ack = f" ack={self.ack}" if self.ack is not None else ""
        length = f" len={self.length}" if self.length else ""
        extra = f" {self.extra}" if self.extra else ""
        return f"{self.flag_text} seq={self.seq}{length}{ack}{extra}"

    def marked(self, lang: Lang) -> str:
        """The label with `(retransmitted)` after the flags when it is a retransmission."""
        if not self.retransmission:
            return self.label
        flags, rest = self.label.split(" ", 1)
        return f"{flags}{RETRANSMITTED[lang]} {rest}" if lang == "en" else f"{flags}{RETRANSMITTED[lang]}{rest}"


@dataclass(frozen=True)
class Change:
    """One fired transition (a self-loop keeps `source == target`)."""

    time: int
    peer: PeerId
    source: str
    target: str
    event: str
    transition: str  # FROM-EVENT-TO
    segment: int | None  # index of the segment whose arrival fired it


@dataclass(frozen=True)
class Call:
    """An application call a peer made, when."""

    time: int
    peer: PeerId
    event: str  # an app event id
    call: str | None = None  # close steps: "close" or "shutdown"
    bytes: int | None = None  # send steps: how many bytes the application wrote


@dataclass(frozen=True)
class TimerSpan:
    """A timer that ran: armed at `start`, and at `end` it fired, was stopped or was restarted."""

    peer: PeerId
    name: str  # the scenario timer name, e.g. 2MSL
    event: str  # the timer event id, e.g. timeout_2msl
    start: int
    end: int
    outcome: str = "fired"  # fired | stopped | restarted


@dataclass(frozen=True)
class PeerTrace:
    """One peer's part of a trace: role, the states it went through, the error it was told."""

    id: PeerId
    role: Role
    states: tuple[str, ...]  # start state first; self-loops do not repeat a state
    error: str | None = None  # what the application was told at the end (ECONNRESET, ETIMEDOUT, …)
    name: str = ""  # shown on the lifeline's head instead of the peer id (a captured endpoint's address)


@dataclass(frozen=True)
class Trace:
    """What a scenario did: segments, state changes, app calls and timers of both peers, in time order."""

    scenario: str
    peers: tuple[PeerTrace, PeerTrace]
    segments: tuple[Segment, ...]
    changes: tuple[Change, ...]
    calls: tuple[Call, ...]
    timers: tuple[TimerSpan, ...]
    end: int  # ms of the last thing that happened
    numeric: bool
    loss_hits: tuple[int, ...] = ()  # segments each of the scenario's loss rules dropped
    missed: tuple[str, ...] = ()  # where a retransmission timer could not start (no transition for it)
    tick_us: int = 1000  # microseconds per time unit: 1000 (ms) for scenarios, 1 for captures

    def ms(self, t: int) -> int | float:
        """A time of this trace in milliseconds (an int when whole)."""
        us = t * self.tick_us
        return us // 1000 if us % 1000 == 0 else round(us / 1000, 3)

    def peer(self, pid: PeerId) -> PeerTrace:
        return self.peers[0] if pid == "A" else self.peers[1]


def trace_to_json(trace: Trace) -> dict[str, Any]:
    """The trace as plain JSON data (keys and order fixed)."""
    return {
        "scenario": trace.scenario,
        "peers": {p.id: {"role": p.role, "states": list(p.states), "error": p.error} for p in trace.peers},
        "segments": [
            {"src": s.src, "dst": s.dst, "flags": list(s.flags), "seq": s.seq, "ack": s.ack, "len": s.length,
             "sent": s.sent, "received": s.received, "lost": s.lost, "retransmission": s.retransmission}
            for s in trace.segments
        ],
        "changes": [
            {"time": c.time, "peer": c.peer, "from": c.source, "to": c.target, "event": c.event,
             "transition": c.transition, "segment": c.segment}
            for c in trace.changes
        ],
        "calls": [{"time": c.time, "peer": c.peer, "event": c.event} for c in trace.calls],
        "timers": [
            {"peer": t.peer, "timer": t.name, "event": t.event, "start": t.start, "end": t.end, "outcome": t.outcome}
            for t in trace.timers
        ],
    }


# ---- the step table -------------------------------------------------------------------------

_TITLES = words.section("peer_title")  # a role-less peer ("peer") is written as its letter alone
ROLE_NAMES: dict[Lang, dict[Role, str]] = {
    lang: {"client": _TITLES[lang]["client"], "server": _TITLES[lang]["server"], "peer": ""} for lang in LANGS
}
_HEAD: dict[Lang, tuple[str, str]] = {lang: (words.t(lang, "steps.time"), words.t(lang, "steps.segment")) for lang in LANGS}


def display_width(text: str) -> int:
    """Terminal columns: East Asian wide and fullwidth characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def peer_title(pid: PeerId, role: Role, lang: Lang) -> str:
    """`A 客户端`, `B Server`, or just `A` for a role-less peer."""
    name = ROLE_NAMES[lang][role]
    return f"{pid} {name}" if name else pid


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(0, width - display_width(text))
    return gap + text if right else text + gap


def _rows(trace: Trace, spec: Spec, lang: Lang) -> list[tuple[str, str, str, str]]:
    """One row per moment something happened; each state cell is the state after that moment."""
    times = sorted({0} | {c.time for c in trace.changes} | {s.sent for s in trace.segments} | {c.time for c in trace.calls})
    state = {p.id: p.states[0] for p in trace.peers}
    open_paren, close_paren = ("（", "）") if lang == "zh" else ("(", ") ")
    rows = [("", state["A"], "", state["B"])]
    for t in times:
        notes: dict[PeerId, str] = {"A": "", "B": ""}
        for call in (c for c in trace.calls if c.time == t):
            what = SHUTDOWN if call.call == "shutdown" else spec.event(call.event).label.get(lang)
            notes[call.peer] += f"{open_paren}{what}{close_paren}"
        for span in (s for s in trace.timers if s.end == t and s.outcome in ("fired", "restarted")):
            name = span.name if span.outcome == "fired" else RESTARTED[lang].format(span.name)
            notes[span.peer] += f"{open_paren}{name}{close_paren}"
        changed = False
        errors = {tr.id: tr.error for tr in spec.transitions if tr.error}
        for c in (c for c in trace.changes if c.time == t):
            state[c.peer] = c.target + (f" {errors[c.transition]}" if c.transition in errors else "")
            changed = True
        sends = [s for s in trace.segments if s.sent == t]
        if not sends and not changed and not any(notes.values()):
            continue
        cells = [f"{s.marked(lang)}  {_way(s, lang)}" for s in sends] or [""]
        for k, cell in enumerate(cells):
            first = k == 0
            rows.append((str(t) if first else "", (notes["A"] if first else "") + state["A"], cell,
                         (notes["B"] if first else "") + state["B"]))
    return rows


def _way(s: Segment, lang: Lang) -> str:
    """The direction arrow; a lost segment stops half-way with ✕."""
    if s.lost:
        return f"A ─✕ {LOST[lang]}" if s.src == "A" else f"{LOST[lang]} ✕─ B"
    return "A ──► B" if s.src == "A" else "A ◄── B"


def trace_to_text(trace: Trace, spec: Spec, lang: Lang = "en") -> str:
    """A step table: time | A's state | the segment sent and its direction | B's state."""
    head_t, head_s = _HEAD[lang]
    header = (head_t, peer_title("A", trace.peers[0].role, lang), head_s, peer_title("B", trace.peers[1].role, lang))
    rows = [header, *_rows(trace, spec, lang)]
    widths = [max(display_width(r[i]) for r in rows) for i in range(4)]
    lines = []
    for n, r in enumerate(rows):
        cells = [_pad(r[0], widths[0], right=True), *(_pad(r[i], widths[i]) for i in (1, 2, 3))]
        lines.append(" │ ".join(cells).rstrip())
        if n == 0:
            lines.append("─┼─".join("─" * w for w in widths))
    title = spec.scenario(trace.scenario).title.get(lang)
    return f"{title}\n\n" + "\n".join(lines) + "\n"
