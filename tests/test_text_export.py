"""Mermaid and PlantUML export: the text renders with the real tools (mermaid-cli on Debian chromium, PlantUML)."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tcpdiagram import api
from tcpdiagram.model import Spec, Text

ROOT = Path(__file__).resolve().parent.parent
# `make test` installs mermaid-cli here (npm, PUPPETEER_SKIP_DOWNLOAD=1: it drives Debian's chromium).
MMDC = ROOT / ".make-stamps" / "node" / "node_modules" / ".bin" / "mmdc"
HOSTILE = 'x --> y : z ; "q" #35; &#35; %%{init}%% @enduml <b>b</b> \\n end'


def _mmdc() -> str:
    exe = str(MMDC) if MMDC.exists() else shutil.which("mmdc")
    if exe is None or shutil.which("chromium") is None:
        pytest.skip("mermaid-cli or chromium cannot be installed here (make test installs both: npm, apt)")
    return exe


def _plantuml() -> str:
    exe = shutil.which("plantuml")
    if exe is None:
        pytest.skip("PlantUML cannot be installed here (make test installs Debian's plantuml)")
    return exe


def mermaid_svg(text: str, tmp_path: Path) -> str:
    exe = _mmdc()
    config = tmp_path / "puppeteer.json"
    config.write_text(json.dumps({"executablePath": shutil.which("chromium"), "args": ["--no-sandbox"]}), "utf-8")
    (tmp_path / "in.mmd").write_text(text, "utf-8")
    done = subprocess.run([exe, "-q", "-p", str(config), "-i", str(tmp_path / "in.mmd"), "-o", str(tmp_path / "o.svg")],
                          capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr
    return (tmp_path / "o.svg").read_text("utf-8")


def plantuml_svg(text: str) -> str:
    done = subprocess.run([_plantuml(), "-tsvg", "-pipe", "-charset", "UTF-8"], input=text.encode("utf-8"),
                          capture_output=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace") + done.stdout.decode("utf-8", "replace")
    svg = done.stdout.decode("utf-8")
    assert "Syntax Error" not in svg and "error has occured" not in svg, svg[:2000]  # PlantUML exits 0 on these
    return svg


def all_text(svg: str) -> str:
    """Every text node of the SVG (mermaid puts labels in HTML inside foreignObject), whitespace collapsed."""
    root = ET.fromstring(svg)
    return re.sub(r"\s+", " ", " ".join(t for el in root.iter() for t in (el.text, el.tail) if t))


@pytest.mark.parametrize("fmt", ["mermaid", "plantuml"])
def test_state_diagram_renders_with_every_state_and_label(spec: Spec, fmt: str, tmp_path: Path) -> None:
    text = api.state_diagram("scenario:simultaneous_close", lang="zh", spec=spec).text(fmt)
    svg = mermaid_svg(text, tmp_path) if fmt == "mermaid" else plantuml_svg(text)
    shown = all_text(svg)
    for s in spec.states:
        assert s.id in shown and s.label.zh in shown, s.id
    assert "收到 FIN / 发送 ACK" in shown  # an edge label, in Chinese


@pytest.mark.parametrize("fmt", ["mermaid", "plantuml"])
def test_sequence_chart_renders_every_segment_in_order(spec: Spec, fmt: str, tmp_path: Path) -> None:
    chart = api.sequence_chart("simultaneous_close", lang="en", spec=spec)
    text = chart.text(fmt)
    svg = mermaid_svg(text, tmp_path) if fmt == "mermaid" else plantuml_svg(text)
    shown = all_text(svg)
    trace = api.simulate("simultaneous_close", spec=spec)
    places = [shown.index(f"{seg.label} ({seg.sent} → {seg.received} ms)") for seg in trace.segments]
    assert places == sorted(places)
    assert "CLOSING" in shown and "TIME_WAIT" in shown and "2MSL" in shown


@pytest.mark.parametrize("fmt", ["mermaid", "plantuml"])
def test_a_lost_segment_is_a_lost_message(spec: Spec, fmt: str, tmp_path: Path) -> None:
    text = api.sequence_chart("lost_last_ack", lang="en", spec=spec).text(fmt)
    trace = api.simulate("lost_last_ack", spec=spec)
    (lost,) = [s for s in trace.segments if s.received is None]
    arrow = "-x" if fmt == "mermaid" else "->x"
    assert f"{lost.src}{'' if fmt == 'mermaid' else ' '}{arrow}" in text
    svg = mermaid_svg(text, tmp_path) if fmt == "mermaid" else plantuml_svg(text)
    shown = all_text(svg)
    assert f"({lost.sent} ms, lost)" in shown and "(retransmitted)" in shown


def _hostile(spec: Spec) -> Spec:
    t = Text(zh=HOSTILE, en=HOSTILE)
    states = tuple(dataclasses.replace(s, label=t) if s.id == "LISTEN" else s for s in spec.states)
    events = tuple(dataclasses.replace(e, label=t) if e.id in ("passive_open", "close") else e for e in spec.events)
    scenarios = tuple(dataclasses.replace(s, title=t) for s in spec.scenarios)
    return dataclasses.replace(spec, states=states, events=events, scenarios=scenarios)


@pytest.mark.parametrize("fmt", ["mermaid", "plantuml"])
def test_spec_text_never_becomes_syntax(spec: Spec, fmt: str, tmp_path: Path) -> None:
    bad = _hostile(spec)
    state = api.state_diagram("full", lang="en", spec=bad).text(fmt)
    chart = api.sequence_chart("normal_close", lang="en", spec=bad).text(fmt)
    for text in (state, chart):
        assert "-->" not in text.replace(" --> ", "") and "%%" not in text and "<b>" not in text
        assert text.count("@enduml") == (1 if fmt == "plantuml" else 0)
    render = (lambda t: mermaid_svg(t, tmp_path)) if fmt == "mermaid" else plantuml_svg
    for text in (state, chart):
        shown = all_text(render(text))
        assert HOSTILE in shown, shown[:500]


def test_the_cli_prints_both_formats(spec: Spec) -> None:
    assert api.state_diagram(spec=spec).to("mermaid").decode().splitlines()[3] == "stateDiagram-v2"
    assert api.sequence_chart("abort", spec=spec).to("plantuml").decode().startswith("@startuml\n")
