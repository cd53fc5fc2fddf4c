"""The chart of a recorded Linux run: the record (verify's trace shape) as a Trace, drawn by the sequence-chart renderer."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..model import FLAGS, LANGS, Lang, PeerId, Spec, Text
from ..trace import Call, Change, PeerTrace, Segment, Trace
from .. import words

Json = dict[str, Any]

# The recorded socket calls that are app events of the spec (the rest, recv() or accept(), are not drawn).
CALL_EVENTS = (
    ("close() with SO_LINGER", "abort"),
    ("shutdown(", "close"),
    ("close()", "close"),
    ("listen()", "passive_open"),
    ("connect()", "active_open"),
    ("send(", "send"),
)
SUFFIX = "_linux"
TITLE: dict[str, str] = {lang: words.text("observed.title").get(lang) for lang in LANGS}
CAPTION: dict[str, str] = {lang: words.text("observed.caption").get(lang) for lang in LANGS}


def _event(call: str) -> str | None:
    for prefix, event in CALL_EVENTS:
        if call.startswith(prefix):
            return event
    return None


def observed_to_trace(spec: Spec, scenario_id: str, observed: Json) -> Trace:
    """The record of one run (verify's trace shape) as a Trace of the derived scenario `<id>_linux`."""
    sc = spec.scenario(scenario_id)
    roles = {p.id: p.role for p in sc.peers}
    a, b = (PeerTrace(pid, roles[pid], tuple(observed["peers"][pid]["states"])) for pid in ("A", "B"))
    peers = (a, b)
    segments = tuple(
        Segment(
            index=i, src=s["src"], dst=s["dst"], flags=tuple(f for f in FLAGS if f in s["flags"]),
            seq=str(s["seq"]), ack=str(s["ack"]) if "ACK" in s["flags"] else None,
            sent=int(s["sent"]), received=None if s.get("received") is None else int(s["received"]),
            length=int(s.get("len") or 0), lost=s.get("received") is None,
        )
        for i, s in enumerate(observed["segments"])
    )
    changes = []
    for pid in ("A", "B"):
        timeline = observed["peers"][pid]["timeline"]
        for before, after in zip(timeline, timeline[1:]):
            if before["state"] != after["state"]:
                changes.append(Change(int(after["t"]), pid, before["state"], after["state"], "", "", None))
    changes.sort(key=lambda c: (c.time, c.peer))
    calls: list[Call] = []
    started: set[tuple[PeerId, str]] = set()
    for c in observed["calls"]:
        event = _event(c["call"])
        if event is None or (c["peer"], event) in started:  # a second connect() only reports completion
            continue
        started.add((c["peer"], event))
        calls.append(Call(int(c["t"]), c["peer"], event))
    times = [s.received if s.received is not None else s.sent for s in segments] + [c.time for c in changes] \
        + [c.time for c in calls]
    return Trace(scenario_id + SUFFIX, peers, segments, tuple(changes), tuple(calls), (), max(times, default=0),
                 True)


def observed_spec(spec: Spec, record: Json, scenario_id: str) -> Spec:
    """The spec with a scenario `<id>_linux` whose title and caption say where and how often it was observed."""
    sc = spec.scenario(scenario_id)
    rec = record["scenarios"][scenario_id]
    kernel = record["kernel"]

    def text(table: dict[str, str], lang: Lang) -> str:
        return table[lang].format(v=kernel["version"], release=kernel["release"], runs=rec["runs"],
                                  title=sc.title.get(lang))

    derived = replace(sc, id=sc.id + SUFFIX, title=Text(text(TITLE, "zh"), text(TITLE, "en")),
                      caption=Text(text(CAPTION, "zh"), text(CAPTION, "en")))
    return replace(spec, scenarios=spec.scenarios + (derived,))


def observed_svg(spec: Spec, record: Json, scenario_id: str, lang: Lang, theme: str = "light") -> str | None:
    """The sequence chart of the recorded run, or None when the record has no such scenario."""
    from .sequence_place import layout
    from .sequence_svg import sequence_svg

    if scenario_id not in record.get("scenarios", {}):
        return None
    trace = observed_to_trace(spec, scenario_id, record["scenarios"][scenario_id]["observed"])
    return sequence_svg(layout(observed_spec(spec, record, scenario_id), trace, lang), theme)  # type: ignore[arg-type]
