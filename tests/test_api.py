"""The public Python API as a notebook or a script uses it: lazy exports, diagrams, saving, the CLI's errors."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import tcpdiagram
from tcpdiagram.errors import FileUnreadable, SpecError, UsageError

ROOT = Path(__file__).resolve().parent.parent
SVG = "{http://www.w3.org/2000/svg}"


def test_import_tcpdiagram_loads_no_api_until_asked() -> None:
    code = "import sys, tcpdiagram; print(sorted(m for m in sys.modules if m.startswith(('tcpdiagram', 'typing'))))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "['tcpdiagram']"
    assert set(tcpdiagram.__all__) >= {"load_spec", "state_diagram", "sequence_chart", "simulate", "Diagram"}
    with pytest.raises(AttributeError):
        tcpdiagram.nothing  # noqa: B018


@pytest.mark.dot
def test_repr_svg_is_a_valid_svg_with_ids_of_its_own() -> None:
    d = tcpdiagram.state_diagram(view="scenario:fin_ack_close", lang="en")
    root = ET.fromstring(d._repr_svg_())  # noqa: S314 - our own output
    assert root.tag == SVG + "svg" and root.get("role") == "img"
    ids = {el.get("id") for el in root.iter()} - {None}
    assert all(i.startswith("tcpd") for i in ids)  # type: ignore[union-attr]
    assert all(ref in ids for ref in (root.get("aria-labelledby") or "").split())
    title = tcpdiagram.load_spec().scenario("fin_ack_close").title.en
    assert root.find(SVG + "title").text == title  # type: ignore[union-attr]
    chart = tcpdiagram.sequence_chart("simultaneous_close", lang="zh")
    other = ET.fromstring(chart._repr_svg_())  # noqa: S314
    assert not ids & ({el.get("id") for el in other.iter()} - {None})  # two diagrams can share a notebook page


@pytest.mark.dot
@pytest.mark.parametrize(("suffix", "magic"), [(".svg", b"<svg "), (".png", b"\x89PNG"), (".pdf", b"%PDF"),
                                                (".mmd", b"sequenceDiagram"), (".puml", b"@startuml")])
def test_save_takes_the_format_from_the_suffix(tmp_path: Path, suffix: str, magic: bytes) -> None:
    target = tcpdiagram.sequence_chart("normal_close", lang="en").save(tmp_path / f"close{suffix}")
    assert target.read_bytes().startswith(magic)


def test_errors_are_the_cli_errors_with_positions(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"unknown scenario 'simultaneous_clos' \(did you mean 'simultaneous_close'"):
        tcpdiagram.sequence_chart("simultaneous_clos")
    with pytest.raises(UsageError, match="unknown view 'ful'"):
        tcpdiagram.state_diagram(view="ful")
    with pytest.raises(UsageError, match="cannot tell the format"):
        tcpdiagram.state_diagram().save(tmp_path / "x.gif")
    with pytest.raises(FileUnreadable, match="nope.yaml: cannot read the spec"):
        tcpdiagram.load_spec(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text((ROOT / "spec" / "tcp.yaml").read_text("utf-8").replace("to: LAST_ACK", "to: LAST_ACKK", 1), "utf-8")
    with pytest.raises(SpecError) as e:
        tcpdiagram.load_spec(bad)
    (issue,) = e.value.issues
    assert issue.pos.line > 0 and issue.pos.col > 0 and "LAST_ACKK" in issue.message


def test_simulate_returns_the_trace(spec: object) -> None:
    trace = tcpdiagram.simulate("simultaneous_close", spec=spec)  # type: ignore[arg-type]
    assert [p.states[-1] for p in trace.peers] == ["CLOSED", "CLOSED"]
    assert "CLOSING" in trace.peers[0].states and "CLOSING" in trace.peers[1].states
