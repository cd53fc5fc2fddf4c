"""The benchmark's PlantUML and Mermaid twins of our two diagrams: the full state diagram (default layers) and the
close sequence chart, as `tcpdiagram render … -f plantuml|mermaid` writes them (the exporters users run)."""

from __future__ import annotations

from tcpdiagram.model import Spec
from tcpdiagram.render.mermaid import sequence_mermaid, state_mermaid
from tcpdiagram.render.plantuml import sequence_plantuml, state_plantuml
from tcpdiagram.render.state import make_view
from tcpdiagram.simulate import simulate

CHART = "normal_close"
LANG = "zh"  # the Chinese labels: what a CJK font must render in each tool


def plantuml_state(spec: Spec) -> str:
    return state_plantuml(spec, make_view(spec, "full", lang=LANG))


def mermaid_state(spec: Spec) -> str:
    return state_mermaid(spec, make_view(spec, "full", lang=LANG))


def plantuml_sequence(spec: Spec) -> str:
    return sequence_plantuml(spec, simulate(spec, CHART), LANG)


def mermaid_sequence(spec: Spec) -> str:
    return sequence_mermaid(spec, simulate(spec, CHART), LANG)
