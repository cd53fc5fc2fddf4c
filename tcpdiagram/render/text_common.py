"""What the Mermaid and PlantUML exports share: the view's states and edges, and a scenario as ordered events."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Literal

from ..model import Lang, PeerId, Spec
from ..trace import LOST, ROLE_NAMES, Trace
from ..words import t
from .state_dot import View, closed_id, edge_label, select, state_name, to_end, word

EdgeStyle = Literal["client", "server", "other"]
END_SUFFIX = "__end"  # the second CLOSED at the bottom, as the Graphviz diagram draws it


@dataclass(frozen=True)
class Node:
    id: str  # safe in both languages: spec ids are [A-Za-z][A-Za-z0-9_]*
    name: str  # in the view's naming profile
    label: str  # in the view's language
    marks: tuple[str, ...]  # "focus", "A", "B": what the view highlights on this state


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    label: str
    style: EdgeStyle
    peers: tuple[PeerId, ...]  # the scenario peers that fire it (scenario views)


@dataclass(frozen=True)
class StateGraph:
    title: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]


def state_graph(spec: Spec, view: View) -> StateGraph:
    """The states and transitions a view shows (the same selection as the Graphviz diagram)."""
    states, trs = select(spec, view)
    paths = {pid: set(ids) for pid, ids in view.highlight}
    cid = closed_id(spec)
    edges = tuple(
        Edge(t.source, t.target + END_SUFFIX if to_end(spec, t) else t.target,
             edge_label(spec, t, view.lang, view.naming), t.path or "other",
             tuple(pid for pid in ("A", "B") if t.id in paths.get(pid, set())))
        for t in trs)
    on_path = {pid: {x for e in edges if pid in e.peers for x in (e.source, e.target)} for pid in ("A", "B")}
    for pid in paths:  # a peer that fires nothing still stands in its start state
        if not on_path[pid] and view.scenario:
            on_path[pid] = {spec.scenario(view.scenario).peer(pid).start}
    shown = [(s.id, s) for s in states]
    if cid is not None and any(to_end(spec, t) for t in trs):
        shown.append((cid + END_SUFFIX, spec.state(cid)))
    nodes = tuple(
        Node(nid, s.names.get(view.naming), s.label.get(view.lang),
             (("focus",) if view.kind == "state" and nid == view.focus else ())
             + tuple(pid for pid in ("A", "B") if nid in on_path[pid]))
        for nid, s in shown)
    return StateGraph(_title(spec, view), tuple(nodes), edges)


def _title(spec: Spec, view: View) -> str:
    if view.kind == "scenario" and view.scenario:
        return spec.scenario(view.scenario).title.get(view.lang)
    if view.kind == "state" and view.focus:
        return word("focus", view.lang).format(name=state_name(spec, view.focus, view.naming))
    return spec.meta.title.get(view.lang)


@dataclass(frozen=True)
class Step:
    """One thing a sequence export writes, in time order: a call, a timer running out, a segment, a new state."""

    kind: Literal["call", "timer", "send", "state"]
    time: int
    peer: PeerId  # the sender for "send"
    text: str
    lost: bool = False  # a segment the network lost (drawn with the format's "lost message" arrow)


def sequence_steps(spec: Spec, trace: Trace, lang: Lang) -> list[Step]:
    """The trace as one ordered list; at one moment: calls and timers, then segments sent, then new states.

    Every segment is written where it is sent, with its send and arrival times in its label: these formats draw
    a message as one horizontal arrow, so two segments in flight at once cannot cross.
    """
    ms = t(lang, "chart.ms")  # "{} ms"
    steps: list[tuple[int, int, int, Step]] = []
    for n, c in enumerate(trace.calls):
        steps.append((c.time, 0, n, Step("call", c.time, c.peer, spec.event(c.event).label.get(lang))))
    for n, span in enumerate(trace.timers):
        steps.append((span.end, 0, 1000 + n, Step("timer", span.end, span.peer, span.name)))
    for seg in trace.segments:
        when = f"{ms.format(seg.sent)}, {LOST[lang]}" if seg.received is None else f"{seg.sent} → {ms.format(seg.received)}"
        text = f"{seg.marked(lang)} ({when})"
        steps.append((seg.sent, 1, seg.index, Step("send", seg.sent, seg.src, text, seg.received is None)))
    for n, ch in enumerate(trace.changes):
        if ch.target != ch.source:
            steps.append((ch.time, 2, n, Step("state", ch.time, ch.peer, ch.target)))
    return [s for *_, s in sorted(steps, key=lambda x: x[:3])]


def peer_name(trace: Trace, pid: PeerId, lang: Lang) -> str:
    role = ROLE_NAMES[lang][trace.peer(pid).role]
    return f"{pid} {role}" if role else pid


def escape_chars(text: str, keep: Callable[[str], bool], entity: Callable[[int], str]) -> str:
    """Every character that `keep` refuses written as the format's numeric entity (nothing can become syntax)."""
    return "".join(ch if keep(ch) else entity(ord(ch)) for ch in text)
