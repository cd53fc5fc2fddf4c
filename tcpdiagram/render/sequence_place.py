"""Where each part of a sequence chart goes: time axis with idle gaps broken, states, arrows, labels."""

from __future__ import annotations

import math

from ..model import PEERS, Lang, PeerId, Spec
from ..trace import AFRESH, INTERRUPTED, LOST, SHUTDOWN, Segment, TimerSpan, Trace
from .sequence import (BREAK_H, GAP_X, HEAD_H, LABEL_H, MIN_STEP, PAD, PX_PER_DELAY, SIZE, START_GAP, STATE_H, UI,
                       Arrow, Box, Bracket, Break, Lifeline, Mark, SequenceLayout, Text, centred, duration, head_name,
                       text_width, wrap)

FRACTIONS = (0.5, 0.4, 0.6, 0.3, 0.7, 0.25, 0.75, 0.2, 0.8, 0.15, 0.85)  # where a label may sit along its arrow
LOST_AT = 0.5  # a lost segment's arrow stops this far along its way
CROSS = 5.0  # half the size of the ✕ that ends it
DRAWN = ("fired", "restarted")  # timer spans drawn as brackets (a stopped timer did nothing visible)
NUDGES = (0.0, -14.0, 14.0, -24.0, 24.0)  # then: shifted up or down off the arrow
AIR = 3.0  # free space kept around a label
BASELINE = 0.35  # text is centred on y when its baseline is y + BASELINE × size


def arrival(s: Segment, delay: int) -> int:
    """When the segment arrives, or would have arrived had the network not lost it."""
    return s.received if s.received is not None else s.sent + delay


def drawn(trace: Trace) -> list[TimerSpan]:
    return [t for t in trace.timers if t.outcome in DRAWN]


class _Axis:
    """Time (ms) → y (px): linear at PX_PER_DELAY per delay, each step at least MIN_STEP, idle gaps cut short."""

    def __init__(self, trace: Trace, delay: int, y0: float) -> None:
        times = sorted({0, trace.end} | {s.sent for s in trace.segments} | {arrival(s, delay) for s in trace.segments}
                       | {c.time for c in trace.changes} | {c.time for c in trace.calls}
                       | {t.start for t in drawn(trace)} | {t.end for t in drawn(trace)})
        scale = PX_PER_DELAY / max(delay, 1)
        self.y = {times[0]: y0}
        self.gaps: list[tuple[float, float, int]] = []
        for a, b in zip(times, times[1:]):
            idle = not any(s.sent <= a and arrival(s, delay) >= b for s in trace.segments)
            if idle and b - a > 2 * delay:
                self.y[b] = self.y[a] + BREAK_H
                self.gaps.append((self.y[a], self.y[b], b - a))
            else:
                self.y[b] = self.y[a] + max(MIN_STEP, (b - a) * scale)
        self.bottom = self.y[times[-1]]
        self.delay = delay

    def __call__(self, t: int) -> float:
        return self.y[t]


def layout(spec: Spec, trace: Trace, lang: Lang) -> SequenceLayout:
    """Lay a simulated (or observed) scenario out as a chart; sequence.py holds the shapes and sizes it uses."""
    sc = spec.scenario(trace.scenario)
    ui, prefix = UI[lang], f"seq-{sc.id}-"
    roles = {p.id: p.role for p in trace.peers}
    state_w = {p.id: max(text_width(s, SIZE["state"]) + 14 for s in p.states) for p in trace.peers}
    hw = {pid: w / 2 for pid, w in state_w.items()}
    call_text = {c: ui["call"].format(SHUTDOWN if c.call == "shutdown" else
                                      (spec.event(c.event).call or spec.event(c.event).label.get(lang)).split(" / ")[0])
                 + (ui["bytes"].format(c.bytes) if c.bytes else "") for c in trace.calls}
    restarts = {(t.peer, t.event, t.end) for t in trace.timers if t.outcome == "restarted"}
    span_text = {t: INTERRUPTED[lang].format(t.name) if t.outcome == "restarted"
                 else f"{t.name} = {duration(trace.ms(t.end - t.start), lang)}"
                 + (AFRESH[lang] if (t.peer, t.event, t.start) in restarts else "")
                 for t in drawn(trace)}
    errors = {tr.id: tr.error for tr in spec.transitions if tr.error}
    error_changes = [c for c in trace.changes if c.transition in errors]
    error_text = {c: ui["error"].format(errors[c.transition]) for c in error_changes}
    call_w = {pid: max([text_width(t, SIZE["note"]) for c, t in call_text.items() if c.peer == pid]
                       + [text_width(t, SIZE["note"]) for c, t in error_text.items() if c.peer == pid], default=0.0)
              for pid in PEERS}

    def push(pid: PeerId) -> float:  # a bracket stands outside the app calls made while it runs
        spans = [t for t in drawn(trace) if t.peer == pid]
        busy = any(t.start <= c.time <= t.end for t in spans for c in trace.calls if c.peer == pid)
        return call_w[pid] + 8 if busy else 0.0

    outer = {}
    for pid in PEERS:
        labels = [text_width(t, SIZE["note"]) for s, t in span_text.items() if s.peer == pid]
        bracket = 12 + push(pid) + 6 + max(labels) if labels else 0.0
        named = trace.peer(pid).name  # a captured endpoint's address: its head may be the widest thing
        head_w = text_width(head_name(pid, roles[pid], lang, named), SIZE["head"]) / 2 + 12 if named else 0.0
        outer[pid] = max(hw[pid] + 10 + max(call_w[pid], bracket), head_w) + PAD
    widest = max([text_width(s.marked(lang), SIZE["label"]) + 8 for s in trace.segments], default=0.0)
    gap = max(GAP_X, widest * 1.6 + hw["A"] + hw["B"])
    title, caption = sc.title.get(lang), sc.caption.get(lang)
    need = text_width(title, SIZE["title"]) + 2 * PAD
    gap += max(0.0, need - (outer["A"] + gap + outer["B"]))
    x: dict[PeerId, float] = {"A": outer["A"], "B": outer["A"] + gap}
    width = x["B"] + outer["B"]

    # heading: title, caption lines, the two lifeline heads
    heading = [Text(width / 2, PAD + SIZE["title"], title, SIZE["title"], "middle", "ink", bold=True)]
    y = PAD + SIZE["title"]
    for line in wrap(caption, SIZE["caption"], width - 2 * PAD):
        y += SIZE["caption"] * 1.5
        heading.append(Text(width / 2, y, line, SIZE["caption"], "middle", "muted"))
    head_top = y + 16
    heads = {}
    for pid in PEERS:
        name = head_name(pid, roles[pid], lang, trace.peer(pid).name)
        w = max(90.0, text_width(name, SIZE["head"]) + 24)
        heads[pid] = (Box(x[pid] - w / 2, head_top, w, HEAD_H),
                      Text(x[pid], head_top + HEAD_H / 2 + BASELINE * SIZE["head"], name, SIZE["head"], "middle", "ink", True))
    y_start = head_top + HEAD_H + 22 + STATE_H / 2
    axis = _Axis(trace, sc.delay, y_start + START_GAP)

    # states, each written on its lifeline where it is entered
    states: list[Mark] = []
    entered: dict[PeerId, list[tuple[str, float, int]]] = {
        pid: [(trace.peer(pid).states[0], y_start, 0)] for pid in PEERS}
    for ch in trace.changes:
        if ch.source != ch.target:
            entered[ch.peer].append((ch.target, axis(ch.time), ch.time))
    for pid in PEERS:
        last: Box | None = None
        for k, (sid, cy, at) in enumerate(entered[pid]):
            w = text_width(sid, SIZE["state"]) + 14
            if last is not None and cy - STATE_H / 2 < last.y2 + 2:
                cy = last.y2 + 2 + STATE_H / 2
            box = centred(x[pid], cy, w, STATE_H)
            name = spec.state(sid).label.get(lang)
            states.append(Mark(f"{prefix}state-{pid}-{k}-{sid}", pid, box,
                               Text(x[pid], cy + BASELINE * SIZE["state"], sid, SIZE["state"], "middle", "ink"),
                               f"{sid}: {name} (t = {trace.ms(at)} ms)" if k else f"{sid}: {name}", True))
            last = box

    # app calls in the outer margin, level with the state they lead to
    calls: list[Mark] = []
    for j, c in enumerate(trace.calls):
        text, cy = call_text[c], axis(c.time)
        w = text_width(text, SIZE["note"])
        side = -1 if c.peer == "A" else 1
        tx = x[c.peer] + side * (hw[c.peer] + 10)
        box = Box(tx - w if side < 0 else tx, cy - 8, w, 16)
        ev = spec.event(c.event)
        calls.append(Mark(f"{prefix}call-{c.peer}-{j}-{c.event}", c.peer, box,
                          Text(tx, cy + BASELINE * SIZE["note"], text, SIZE["note"], "end" if side < 0 else "start", "muted"),
                          f"{ev.label.get(lang)}: {ev.call or ev.id}", False))
    for j, ch in enumerate(error_changes):  # what the application is told when the connection ends badly
        text, cy = error_text[ch], axis(ch.time) + STATE_H
        w = text_width(text, SIZE["note"])
        side = -1 if ch.peer == "A" else 1
        tx = x[ch.peer] + side * (hw[ch.peer] + 10)
        calls.append(Mark(f"{prefix}error-{ch.peer}-{j}", ch.peer, Box(tx - w if side < 0 else tx, cy - 8, w, 16),
                          Text(tx, cy + BASELINE * SIZE["note"], text, SIZE["note"], "end" if side < 0 else "start",
                               "accent"), f"{ch.transition}: {errors[ch.transition]}", False))

    # timers that ran out, as brackets outside the lifeline
    brackets: list[Bracket] = []
    for j, t in enumerate(drawn(trace)):
        side = -1 if t.peer == "A" else 1
        spine = x[t.peer] + side * (hw[t.peer] + 12 + push(t.peer))
        y1, y2 = axis(t.start), axis(t.end)
        text, mid = span_text[t], (y1 + y2) / 2
        w = text_width(text, SIZE["note"])
        tx = spine + side * 6
        brackets.append(Bracket(
            f"{prefix}timer-{t.peer}-{j}-{t.name}", t.peer, spine, y1, y2, -side * 6.0,
            Text(tx, mid + BASELINE * SIZE["note"], text, SIZE["note"], "end" if side < 0 else "start", "accent"),
            Box(tx - w if side < 0 else tx, mid - 8, w, 16),
            f"{spec.event(t.event).label.get(lang)}: {trace.ms(t.start)} ms → {trace.ms(t.end)} ms"))

    # idle gaps shown short, with a break mark on each lifeline
    breaks: list[Break] = []
    for j, (y1, y2, ms) in enumerate(axis.gaps):
        ym, text = (y1 + y2) / 2, ui["later"].format(duration(trace.ms(ms), lang))
        w = text_width(text, SIZE["note"])
        strokes = tuple(s for pid in PEERS for s in ((x[pid] - 7, ym - 1, x[pid] + 7, ym - 7),
                                                      (x[pid] - 7, ym + 5, x[pid] + 7, ym - 1)))
        note = Mark(f"{prefix}break-{j}-label", None, centred(width / 2, ym, w, 16),
                    Text(width / 2, ym + BASELINE * SIZE["note"], text, SIZE["note"], "middle", "muted"), text, False)
        breaks.append(Break(f"{prefix}break-{j}", y1, y2, strokes, note))

    bottom = max([axis.bottom] + [m.box.y2 for m in states] + [b.y2 for b in brackets]) + 24
    lifelines = []
    for pid in PEERS:
        spans, top = [], heads[pid][0].y2
        for y1, y2, _ in axis.gaps:
            spans += [(top, y1, False), (y1, y2, True)]
            top = y2
        spans.append((top, bottom, False))
        lifelines.append(Lifeline(pid, x[pid], heads[pid][0], heads[pid][1], tuple(spans)))

    arrows = _arrows(trace, lang, x, axis, states, [*calls, *(b.label for b in breaks)], brackets)
    desc = caption + " " + ui["segments"] + ui["sep"].join(
        f"{s.src}→{s.dst} {s.marked(lang)}{' (' + LOST[lang] + ')' if s.lost else ''}" for s in trace.segments)
    return SequenceLayout(prefix, round(width), round(bottom + PAD), title, desc, tuple(heading),
                          (lifelines[0], lifelines[1]), arrows, tuple(states), tuple(calls), tuple(brackets), tuple(breaks))


def _arrows(trace: Trace, lang: Lang, x: dict[PeerId, float], axis: _Axis, states: list[Mark],
            marks: list[Mark], brackets: list[Bracket]) -> tuple[Arrow, ...]:
    """Slanted arrows from (sender, sent) to (receiver, received), clipped at state boxes, labels placed."""
    lines = []
    for s in trace.segments:
        x1, y1, x2, y2 = x[s.src], axis(s.sent), x[s.dst], axis(arrival(s, axis.delay))
        if s.lost:
            x2, y2 = x1 + LOST_AT * (x2 - x1), y1 + LOST_AT * (y2 - y1)
        lo, hi = 0.0, 1.0
        for m in states:
            if m.peer == s.src and m.box.clip(x1, y1, x1, y1 + 0.001) is not None:
                lo = max(lo, (m.box.clip(x1, y1, x2, y2) or (0.0, 0.0))[1])
            if m.peer == s.dst and m.box.clip(x2, y2, x2, y2 + 0.001) is not None:
                hi = min(hi, (m.box.clip(x1, y1, x2, y2) or (1.0, 1.0))[0])
        lines.append(((x1, y1, x2, y2), (x1 + lo * (x2 - x1), y1 + lo * (y2 - y1), x1 + hi * (x2 - x1), y1 + hi * (y2 - y1))))
    obstacles = [m.box for m in (*states, *marks)] + [b.box for b in brackets]
    placed: list[Box] = []
    arrows = []
    left, right = min(x.values()) + 4, max(x.values()) - 4
    for s, (full, drawn) in zip(trace.segments, lines):
        text = s.marked(lang)
        w = text_width(text, SIZE["label"]) + 8
        others = [d for t, (_, d) in zip(trace.segments, lines) if t.index != s.index]
        tip = _head(*drawn) if not s.lost else ()
        cross: tuple[tuple[float, float, float, float], ...] = ()
        lost: Text | None = None
        if s.lost:
            cx, cy = drawn[2], drawn[3]
            cross = ((cx - CROSS, cy - CROSS, cx + CROSS, cy + CROSS), (cx - CROSS, cy + CROSS, cx + CROSS, cy - CROSS))
            side = 1 if s.src == "A" else -1
            lost = Text(cx + side * (CROSS + 4), cy + CROSS + SIZE["note"], LOST[lang], SIZE["note"],
                        "start" if side > 0 else "end", "accent", bold=True)
            tip = ((cx - CROSS, cy - CROSS), (cx + CROSS, cy + CROSS))
            full = drawn
        own = _bbox(tip)  # a label never hides its own arrowhead (or its ✕)
        best: tuple[int, Box] | None = None
        for dy in NUDGES:
            for f in FRACTIONS:
                plate = centred(full[0] + f * (full[2] - full[0]), full[1] + f * (full[3] - full[1]) + dy, w, LABEL_H)
                room = Box(plate.x - AIR, plate.y - AIR, plate.w + 2 * AIR, plate.h + 2 * AIR)
                bad = (plate.x < left or plate.x2 > right) * 100 + sum(room.overlaps(o) for o in obstacles + placed) \
                    + sum(room.clip(*d) is not None for d in others) + (dy != 0 and plate.clip(*drawn) is not None) + room.overlaps(own)
                if best is None or bad < best[0]:
                    best = (bad, plate)
                if bad == 0:
                    break
            if best is not None and best[0] == 0:
                break
        assert best is not None
        plate = best[1]
        placed.append(plate)
        colour = "peer_a" if s.src == "A" else "peer_b"
        label = Text(plate.x + plate.w / 2, plate.y + plate.h / 2 + BASELINE * SIZE["label"], text, SIZE["label"],
                     "middle", colour)
        if s.lost:
            title = UI[lang]["lost"].format(src=s.src, dst=s.dst, label=text, sent=trace.ms(s.sent))
        else:
            title = UI[lang]["sent"].format(src=s.src, dst=s.dst, label=text, sent=trace.ms(s.sent),
                                         received=trace.ms(s.received if s.received is not None else s.sent))
        arrows.append(Arrow(s.index, s.src, drawn, tip if not s.lost else (), label, plate, title, cross, lost))
    return tuple(arrows)


def _head(x1: float, y1: float, x2: float, y2: float) -> tuple[tuple[float, float], ...]:
    length = math.hypot(x2 - x1, y2 - y1) or 1.0
    ux, uy = (x2 - x1) / length, (y2 - y1) / length
    bx, by = x2 - 10 * ux, y2 - 10 * uy
    return ((x2, y2), (bx - 4 * uy, by + 4 * ux), (bx + 4 * uy, by - 4 * ux))


def _bbox(points: tuple[tuple[float, float], ...]) -> Box:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return Box(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))
