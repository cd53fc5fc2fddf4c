"""The benchmark's PlantUML and Mermaid twins of our two diagrams, generated from the spec: the full state diagram
(default layers, bilingual labels) and the close sequence chart (segments, state changes, the 2MSL timer)."""

from __future__ import annotations

from tcpdiagram.model import DEFAULT_LAYERS, Spec
from tcpdiagram.simulate import simulate

CHART = "normal_close"


def _edges(spec: Spec) -> list[tuple[str, str, str, str]]:
    """(from, to, English label, Chinese label) of every transition the full view draws."""
    events = {e.id: e for e in spec.events}
    actions = {a.id: a for a in spec.actions}
    out = []
    for t in spec.transitions:
        if t.layer not in DEFAULT_LAYERS:
            continue
        ev = events[t.event]
        acts = [actions[a] for a in t.actions]
        en = ev.label.en + (" / " + ", ".join(a.label.en for a in acts) if acts else "")
        zh = ev.label.zh + (" / " + "，".join(a.label.zh for a in acts) if acts else "")
        out.append((t.source, t.target, en, zh))
    return out


def plantuml_state(spec: Spec) -> str:
    lines = ["@startuml", "hide empty description", "skinparam defaultFontName Noto Sans CJK SC"]
    lines += [f'state "{s.id}\\n{s.label.zh}" as {s.id}' for s in spec.states]
    lines += [f"{a} --> {b} : {en}\\n{zh}" for a, b, en, zh in _edges(spec)]
    return "\n".join([*lines, "@enduml", ""])


def mermaid_state(spec: Spec) -> str:
    lines = ["stateDiagram-v2"]
    lines += [f"    {s.id}: {s.id}<br/>{s.label.zh}" for s in spec.states]
    lines += [f"    {a} --> {b}: {en}<br/>{zh}" for a, b, en, zh in _edges(spec)]
    return "\n".join(lines) + "\n"


def _chart(spec: Spec) -> list[tuple[str, str, str]]:
    """The chart's steps in time order: ("msg", from→to, label) for a segment sent, ("note", peer, state) for a
    state change."""
    trace = simulate(spec, CHART)
    steps = [(s.sent, 0, ("msg", f"{s.src}:{s.dst}", ",".join(s.flags) + f" seq={s.seq}" + (f" ack={s.ack}" if s.ack else "")))
             for s in trace.segments]
    steps += [(c.time, 1, ("note", c.peer, c.target)) for c in trace.changes]
    return [step for _, _, step in sorted(steps, key=lambda x: (x[0], x[1]))]


def plantuml_sequence(spec: Spec) -> str:
    sc = spec.scenario(CHART)
    lines = ["@startuml", "skinparam defaultFontName Noto Sans CJK SC", f"title {sc.title.zh}",
             'participant "客户端 A" as A', 'participant "服务器 B" as B']
    for kind, who, text in _chart(spec):
        if kind == "msg":
            src, dst = who.split(":")
            lines.append(f"{src} -> {dst} : {text}")
        else:
            lines.append(f"hnote over {who} : {text}")
    return "\n".join([*lines, "@enduml", ""])


def mermaid_sequence(spec: Spec) -> str:
    sc = spec.scenario(CHART)
    lines = ["sequenceDiagram", f"    title {sc.title.zh}", "    participant A as 客户端 A", "    participant B as 服务器 B"]
    for kind, who, text in _chart(spec):
        if kind == "msg":
            src, dst = who.split(":")
            lines.append(f"    {src}->>{dst}: {text}")
        else:
            lines.append(f"    Note over {who}: {text}")
    return "\n".join(lines) + "\n"
