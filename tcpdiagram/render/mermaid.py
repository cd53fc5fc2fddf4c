"""Mermaid text of a state view (stateDiagram-v2) and of a scenario (sequenceDiagram); spec text as entities."""

from __future__ import annotations

from ..model import Lang, Spec, Theme
from ..trace import Trace
from .state_dot import View
from .style import PALETTES
from .text_common import peer_name, sequence_steps, state_graph

_SAFE = set(" _.,/+=")


def text(value: str) -> str:
    """Spec text for a Mermaid label: letters, digits (any script) and a few signs kept, the rest `#N;`."""
    lines = value.split("\n")
    return "<br/>".join("".join(ch if ch.isalnum() or ch in _SAFE else f"#{ord(ch)};" for ch in line)
                        for line in lines)


def state_mermaid(spec: Spec, view: View) -> str:
    """The view as stateDiagram-v2. Mermaid cannot style one transition: paths are shown as state classes."""
    g = state_graph(spec, view)
    pal = PALETTES[view.theme]
    out = ["---", f"title: {_yaml_title(g.title)}", "---", "stateDiagram-v2", "    direction TB"]
    for n in g.nodes:
        out.append(f'    state "{text(n.name)}<br/>{text(n.label)}" as {n.id}')
    for e in g.edges:
        out.append(f"    {e.source} --> {e.target} : {text(e.label)}")
    # One class per state (Mermaid keeps the last): the focus, A's path, B's path, or both peers' (dashed).
    classes = {"focus": f"stroke:{pal.accent},stroke-width:3px", "pathA": f"stroke:{pal.peer_a},stroke-width:3px",
               "pathB": f"stroke:{pal.peer_b},stroke-width:3px",
               "pathAB": f"stroke:{pal.peer_a},stroke-width:3px,stroke-dasharray:6 3"}
    chosen = {n.id: "focus" if "focus" in n.marks else "path" + "".join(m for m in n.marks if m in "AB")
              for n in g.nodes if n.marks}
    for name, style in classes.items():
        ids = [sid for sid, c in chosen.items() if c == name]
        if ids:
            out.append(f"    classDef {name} {style}")
            out.append(f"    class {','.join(ids)} {name}")
    return "\n".join(out) + "\n"


def _yaml_title(title: str) -> str:
    """The front-matter title as a double-quoted YAML scalar (Mermaid reads it with a YAML parser)."""
    return '"' + "".join(ch if ch.isalnum() or ch in " _.,/+=-()" else f"\\u{ord(ch):04x}" for ch in title) + '"'


def sequence_mermaid(spec: Spec, trace: Trace, lang: Lang, theme: Theme = "light") -> str:
    """The scenario as a sequenceDiagram: calls and timers as side notes, states as notes over the lifeline."""
    out = ["sequenceDiagram", f"    title {text(spec.scenario(trace.scenario).title.get(lang))}"]
    for p in trace.peers:
        out.append(f"    participant {p.id} as {text(peer_name(trace, p.id, lang))}")
    out.append(f"    Note over A: {text(trace.peers[0].states[0])}")
    out.append(f"    Note over B: {text(trace.peers[1].states[0])}")
    for s in sequence_steps(spec, trace, lang):
        side = "left of" if s.peer == "A" else "right of"
        if s.kind in ("call", "timer"):
            out.append(f"    Note {side} {s.peer}: {text(s.text)}")
        elif s.kind == "send":
            other = "B" if s.peer == "A" else "A"
            out.append(f"    {s.peer}{'-x' if s.lost else '->>'}{other}: {text(s.text)}")
        else:
            out.append(f"    Note over {s.peer}: {text(s.text)}")
    return "\n".join(out) + "\n"
