"""A captured connection as a Trace and a derived scenario, so the scenarios' sequence-chart renderer draws it."""

from __future__ import annotations

from dataclasses import replace

from ..model import FLAGS, Lang, PeerId, Role, Spec, Text, Theme
from ..trace import Change, PeerTrace, Segment, Trace
from .conn import Conn
from .decode import ACK, FIN, PSH, RST, SYN
from .marks import LABELS
from .strings import UI

BITS: dict[str, int] = {"ACK": ACK, "FIN": FIN, "RST": RST, "SYN": SYN, "PSH": PSH}
PIDS: tuple[PeerId, PeerId] = ("A", "B")


def conn_trace(c: Conn, file: str) -> Trace:
    """Times in µs from the connection's first segment (tick 1 µs); arrows end when the receiver had the segment."""
    assert c.infer is not None
    inf = c.infer
    s = c.summary()
    roles: list[Role] = [e["role"] for e in s["endpoints"]]
    peers = tuple(PeerTrace(PIDS[k], roles[k], tuple(inf.sides[k].states or ["CLOSED"]),
                            name=s["endpoints"][k]["addr"])
                  for k in (0, 1))
    segs = []
    for r in c.records:
        segs.append(Segment(r.index, PIDS[r.side], PIDS[1 - r.side], tuple(f for f in FLAGS if r.flags & BITS.get(f, 0)),
                            str(r.seq), str(r.ack) if r.ack is not None else None, r.time_us,
                            max(r.time_us, inf.received.get(r.index, r.time_us)), length=r.length,
                            extra=" ".join(f"[{LABELS[m]}]" for m in r.marks)))
    changes = tuple(Change(tm, PIDS[side], a, b, ev, tid, seg) for tm, side, a, b, ev, tid, seg in inf.changes)
    end = max([x.sent for x in segs] + [x.received or 0 for x in segs] + [ch.time for ch in changes] + [0])
    return Trace(f"capture-{c.id}", (peers[0], peers[1]), tuple(segs), changes, (), (), end, True, tick_us=1)


def capture_spec(spec: Spec, c: Conn, file: str, trace: Trace) -> Spec:
    """The spec plus a scenario `capture-<id>` whose title, caption and time scale describe the capture."""
    s = c.summary()
    gaps = sorted(b - a for a, b in zip(sorted({x.sent for x in trace.segments}),
                                        sorted({x.sent for x in trace.segments})[1:]) if b > a)
    delay = max(1, gaps[len(gaps) // 2] if gaps else 1000)  # the usual spacing is drawn PX_PER_DELAY tall

    def text(key: str, lang: Lang) -> str:
        return UI[lang][key].format(file=file, id=c.id, state=s["conn_state"], history=s["history"])

    zh, en = c.summary("zh")["notes"], c.summary("en")["notes"]
    notes = {"zh": "".join(f"{n}。" for n in zh), "en": " ".join(f"{n}." for n in en)}
    base = spec.scenarios[0]
    sc = replace(base, id=trace.scenario, title=Text(text("title", "zh"), text("title", "en")),
                 caption=Text(text("caption", "zh") + notes["zh"],
                              text("caption", "en") + (" " + notes["en"] if notes["en"] else "")),
                 delay=delay, steps=(), timers=())
    return replace(spec, scenarios=spec.scenarios + (sc,))


def conn_svg(spec: Spec, c: Conn, file: str, lang: Lang, theme: Theme = "light") -> str:
    from ..render.sequence_place import layout
    from ..render.sequence_svg import sequence_svg

    trace = conn_trace(c, file)
    return sequence_svg(layout(capture_spec(spec, c, file, trace), trace, lang), theme)
