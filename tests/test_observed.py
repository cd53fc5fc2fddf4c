"""The recorded Linux run drawn as a sequence chart: the trace it makes and the SVG."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tcpdiagram.model import Spec
from tcpdiagram.render.observed_chart import observed_svg, observed_to_trace
from tcpdiagram.verify.record import load_record

RECORD = Path(__file__).resolve().parent.parent / "spec" / "linux-record.json"


@pytest.fixture(scope="module")
def record() -> dict:
    rec = load_record(RECORD)
    assert rec is not None
    return rec


def test_observed_normal_close_is_four_segments_with_the_delayed_ack(spec: Spec, record: dict) -> None:
    trace = observed_to_trace(spec, "normal_close", record["scenarios"]["normal_close"]["observed"])
    assert [(s.src, s.flag_text) for s in trace.segments] == [("A", "FIN,ACK"), ("B", "ACK"), ("B", "FIN,ACK"), ("A", "ACK")]
    fin, ack = trace.segments[0], trace.segments[1]
    assert 40 <= ack.sent - fin.received <= 50, "Linux holds the ACK of a FIN about 40 ms"
    assert trace.peer("A").states == ("ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "TIME_WAIT")
    assert [(c.peer, c.event) for c in trace.calls] == [("A", "close"), ("B", "close")]


def test_observed_simultaneous_open_has_linux_extra_acks(spec: Spec, record: dict) -> None:
    trace = observed_to_trace(spec, "simultaneous_open", record["scenarios"]["simultaneous_open"]["observed"])
    assert len(trace.segments) == 6
    assert [c.event for c in trace.calls] == ["active_open", "active_open"]  # the completions are not redrawn


@pytest.mark.parametrize("lang,title", [("zh", "在 Linux 6.18 上观测到的同时关闭"),
                                        ("en", "Simultaneous close, as observed on Linux 6.18")])
def test_observed_chart_svg(spec: Spec, record: dict, lang: str, title: str) -> None:
    svg = observed_svg(spec, record, "simultaneous_close", lang)  # type: ignore[arg-type]
    assert svg is not None
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.find(f"{ns}title").text == title  # type: ignore[union-attr]
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    assert ids and all(i.startswith("seq-simultaneous_close_linux-") for i in ids)
    assert len(ids) == len(set(ids))
    assert "<script" not in svg and "foreignObject" not in svg
    assert observed_svg(spec, {"scenarios": {}}, "simultaneous_close", lang) is None  # type: ignore[arg-type]


def test_a_record_is_shown_only_while_it_agrees_with_the_spec(spec: Spec, record: dict) -> None:
    from dataclasses import replace

    from tcpdiagram.site.linux import still_agrees

    assert all(still_agrees(spec, record, sc.id) for sc in spec.scenarios)
    assert not still_agrees(spec, {"scenarios": {}}, "normal_close")
    # the spec now says B closes at once, which would fold its ACK into the FIN: the record no longer fits
    sc = spec.scenario("normal_close")
    b = replace(sc.peers[1], delayed_ack=400)
    edited = replace(spec, scenarios=tuple(replace(s, peers=(s.peers[0], b)) if s.id == sc.id else s
                                           for s in spec.scenarios))
    assert not still_agrees(edited, record, "normal_close")
