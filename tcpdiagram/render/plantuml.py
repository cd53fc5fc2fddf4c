"""PlantUML text of a state view and of a scenario's sequence; spec text written with `<U+XXXX>` escapes."""

from __future__ import annotations

from ..model import Lang, Spec, Theme
from ..trace import Trace
from .state_dot import View
from .style import PALETTES
from .text_common import peer_name, sequence_steps, state_graph

_SAFE = set(" _.,/+=()")


def text(value: str) -> str:
    """Spec text for a PlantUML label: letters, digits (any script) and a few signs kept, the rest `<U+XXXX>`.

    Not `&#N;`: PlantUML 1.2020 decodes those through a regex replacement, where a backslash or `$` fails.
    """
    return "\\n".join("".join(ch if ch.isalnum() or ch in _SAFE else f"<U+{ord(ch):04X}>" for ch in line)
                      for line in value.split("\n"))


def _skin(theme: Theme) -> list[str]:
    pal = PALETTES[theme]
    return ["skinparam backgroundColor transparent", f"skinparam defaultFontColor {pal.ink}",
            f"skinparam ArrowColor {pal.ink}", f"skinparam ArrowFontColor {pal.ink}",
            f"skinparam StateBorderColor {pal.ink}", f"skinparam StateBackgroundColor {pal.fill}",
            f"skinparam SequenceLifeLineBorderColor {pal.ink}", f"skinparam ParticipantBorderColor {pal.ink}",
            f"skinparam ParticipantBackgroundColor {pal.fill}", f"skinparam NoteBackgroundColor {pal.fill}",
            f"skinparam NoteBorderColor {pal.ink}"]


def state_plantuml(spec: Spec, view: View) -> str:
    """The view as a PlantUML state diagram: the usual client path bold, the server path dashed, a scenario's
    path in the peers' colours, the focus state outlined."""
    g = state_graph(spec, view)
    pal = PALETTES[view.theme]
    out = ["@startuml", *_skin(view.theme), "hide empty description", f"title {text(g.title)}"]
    colour = {"A": pal.peer_a, "B": pal.peer_b}
    for n in g.nodes:
        mark = f" ##[bold]{pal.accent[1:]}" if "focus" in n.marks else ""
        if not mark and n.marks:
            mark = f" ##[bold]{colour[n.marks[0]][1:]}"
        out.append(f'state "{text(n.name)}\\n{text(n.label)}" as {n.id}{mark}')
    for e in g.edges:
        look = [colour[p] for p in e.peers] + (["bold"] if e.style == "client" else ["dashed"] if e.style == "server"
                                                else [])
        arrow = f"-[{','.join(look)}]->" if look else "-->"
        out.append(f"{e.source} {arrow} {e.target} : {text(e.label)}")
    return "\n".join([*out, "@enduml"]) + "\n"


def sequence_plantuml(spec: Spec, trace: Trace, lang: Lang, theme: Theme = "light") -> str:
    """The scenario as a PlantUML sequence diagram: calls and timers as side notes, states as hexagon notes."""
    out = ["@startuml", *_skin(theme), f"title {text(spec.scenario(trace.scenario).title.get(lang))}"]
    for p in trace.peers:
        out.append(f'participant "{text(peer_name(trace, p.id, lang))}" as {p.id}')
    out.append(f"hnote over A: {text(trace.peers[0].states[0])}")
    out.append(f"hnote over B: {text(trace.peers[1].states[0])}")
    for s in sequence_steps(spec, trace, lang):
        side = "left of" if s.peer == "A" else "right of"
        if s.kind in ("call", "timer"):
            out.append(f"note {side} {s.peer}: {text(s.text)}")
        elif s.kind == "send":
            out.append(f"{s.peer} {'->x' if s.lost else '->'} {'B' if s.peer == 'A' else 'A'}: {text(s.text)}")
        else:
            out.append(f"hnote over {s.peer}: {text(s.text)}")
    return "\n".join([*out, "@enduml"]) + "\n"
