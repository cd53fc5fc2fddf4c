"""The simulator against RFC 9293 Figures 12 and 13, Note 2, the handshake, and mutated specs."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tcpdiagram.errors import SimulationError, UsageError
from tcpdiagram.model import Scenario, Spec, Timer
from tcpdiagram.simulate import check_expectations, simulate
from tcpdiagram.trace import display_width, trace_to_json, trace_to_text

SCENARIOS = ["handshake", "simultaneous_open", "connection_refused", "lost_syn", "connect_timeout", "lost_last_ack",
             "normal_close", "simultaneous_close", "fin_ack_close", "lost_fin", "half_close_data",
             "server_closes_first", "abort", "close_unread_data"]
CLOSES = ["normal_close", "simultaneous_close", "fin_ack_close"]


def segs(spec: Spec, sid: str, numeric: bool = False) -> list[tuple[object, ...]]:
    return [(s.src, s.flag_text, s.seq, s.ack, s.sent, s.received) for s in simulate(spec, sid, numeric).segments]


def with_scenario(spec: Spec, sid: str, **changes: Any) -> Spec:
    return replace(spec, scenarios=tuple(replace(s, **changes) if s.id == sid else s for s in spec.scenarios))


def test_every_scenario_is_listed(spec: Spec) -> None:
    assert [s.id for s in spec.scenarios] == SCENARIOS


@pytest.mark.parametrize("sid", SCENARIOS)
def test_scenario_meets_its_expectation(spec: Spec, sid: str) -> None:
    sc = spec.scenario(sid)
    trace = simulate(spec, sid)
    assert (trace.peers[0].states, trace.peers[1].states) == sc.expect
    assert check_expectations(spec, sc) == []


@pytest.mark.parametrize("sid", SCENARIOS)
def test_golden_trace(spec: Spec, golden, sid: str) -> None:  # type: ignore[no-untyped-def]
    trace = simulate(spec, sid)
    golden.check(f"traces/{sid}.json", json.dumps(trace_to_json(trace), ensure_ascii=False, indent=2) + "\n")
    for lang in ("zh", "en"):
        golden.check(f"traces/{sid}.{lang}.txt", trace_to_text(trace, spec, lang))


def test_handshake_segments(spec: Spec) -> None:
    assert segs(spec, "handshake") == [
        ("A", "SYN", "J", None, 20, 70),
        ("B", "SYN,ACK", "K", "J+1", 70, 120),
        ("A", "ACK", "J+1", "K+1", 120, 170),
    ]


def test_normal_close_is_rfc9293_figure_12(spec: Spec) -> None:
    assert segs(spec, "normal_close") == [
        ("A", "FIN,ACK", "M", "N", 0, 50),
        ("B", "ACK", "N", "M+1", 50, 100),
        ("B", "FIN,ACK", "N", "M+1", 300, 350),
        ("A", "ACK", "M+1", "N+1", 350, 400),
    ]
    # Figure 12 prints exactly these numbers: A starts at 100, B at 300.
    assert [(s[1], s[2], s[3]) for s in segs(spec, "normal_close", numeric=True)] == [
        ("FIN,ACK", "100", "300"), ("ACK", "300", "101"), ("FIN,ACK", "300", "101"), ("ACK", "101", "301"),
    ]
    trace = simulate(spec, "normal_close")
    assert [(t.peer, t.name, t.start, t.end) for t in trace.timers] == [("A", "2MSL", 350, 240350)]
    assert trace.end == 240350


def test_simultaneous_close_is_rfc9293_figure_13(spec: Spec) -> None:
    assert segs(spec, "simultaneous_close") == [
        ("A", "FIN,ACK", "M", "N", 0, 50),
        ("B", "FIN,ACK", "N", "M", 5, 55),  # B's FIN has not seen A's: it acknowledges only M
        ("B", "ACK", "N+1", "M+1", 50, 100),
        ("A", "ACK", "M+1", "N+1", 55, 105),
    ]
    assert [(s[1], s[2], s[3]) for s in segs(spec, "simultaneous_close", numeric=True)][:2] == [
        ("FIN,ACK", "100", "300"), ("FIN,ACK", "300", "100"),
    ]
    fin_a, fin_b = simulate(spec, "simultaneous_close").segments[:2]
    assert fin_a.sent < fin_b.received and fin_b.sent < fin_a.received  # both in flight at once: they cross


def test_fin_ack_close_is_note_2(spec: Spec) -> None:
    assert segs(spec, "fin_ack_close") == [
        ("A", "FIN,ACK", "M", "N", 0, 50),
        ("B", "FIN,ACK", "N", "M+1", 52, 102),  # the delayed ACK (due at 90) rode on the FIN
        ("A", "ACK", "M+1", "N+1", 102, 152),
    ]
    changes = simulate(spec, "fin_ack_close").changes
    assert [c.transition for c in changes if c.peer == "A"] == [
        "ESTABLISHED-close-FIN_WAIT_1", "FIN_WAIT_1-rcv_fin_ack_of_fin-TIME_WAIT", "TIME_WAIT-timeout_2msl-CLOSED"]
    assert [c.segment for c in changes if c.peer == "A"] == [None, 1, None]


def test_delayed_ack_goes_out_alone_when_nothing_follows(spec: Spec) -> None:
    sc = spec.scenario("fin_ack_close")
    late = with_scenario(spec, "fin_ack_close", steps=(sc.steps[0], replace(sc.steps[1], at=300)))
    assert segs(late, "fin_ack_close") == [
        ("A", "FIN,ACK", "M", "N", 0, 50),
        ("B", "ACK", "N", "M+1", 90, 140),  # held 40 ms, then sent on its own
        ("B", "FIN,ACK", "N", "M+1", 300, 350),
        ("A", "ACK", "M+1", "N+1", 350, 400),
    ]
    assert simulate(late, "fin_ack_close").peers[0].states == (
        "ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "TIME_WAIT", "CLOSED")


def test_rst_generation(spec: Spec) -> None:
    # §3.5.2: a reply to a segment without ACK is <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>
    assert segs(spec, "connection_refused") == [("A", "SYN", "J", None, 0, 50), ("B", "RST,ACK", "0", "J+1", 50, 100)]
    # §3.10.5: ABORT sends <SEQ=SND.NXT><CTL=RST>
    assert segs(spec, "abort") == [("A", "RST", "M", None, 0, 50)]


def test_simultaneous_open_repeats_the_isn(spec: Spec) -> None:
    assert segs(spec, "simultaneous_open") == [
        ("A", "SYN", "J", None, 0, 50),
        ("B", "SYN", "K", None, 5, 55),
        ("B", "SYN,ACK", "K", "J+1", 50, 100),
        ("A", "SYN,ACK", "J", "K+1", 55, 105),
    ]


def test_guarded_transition_fires_only_with_its_condition(spec: Spec) -> None:
    sc = spec.scenario("normal_close")
    layers = ("figure", "note", "event_processing", "linux")
    user, rto = Timer("user_timeout", 300_000), Timer("RTO", 1000)
    plain = with_scenario(spec, "normal_close", layers=layers, timers=(*sc.timers, user, rto))
    assert simulate(plain, "normal_close").peers[0].states == sc.expect[0]
    unread = with_scenario(spec, "normal_close", layers=layers, timers=(), steps=sc.steps[:1],
                           peers=(replace(sc.peers[0], conditions=("unread_data",)), sc.peers[1]))
    trace = simulate(unread, "normal_close")
    assert [(s.src, s.flag_text, s.seq) for s in trace.segments][:1] == [("A", "RST", "M")]
    assert trace.peers[0].states == ("ESTABLISHED", "CLOSED")
    assert [c.transition for c in trace.changes][:2] == ["ESTABLISHED-close-CLOSED", "ESTABLISHED-rcv_rst-CLOSED"]


def test_without_a_combined_event_the_segment_is_processed_ack_first(spec: Spec) -> None:
    """Drop the Note 2 event: the FIN+ACK is then split, ACK part first (RFC 9293 §3.10.7.4)."""
    events = tuple(e for e in spec.events if e.id != "rcv_fin_ack_of_fin")
    transitions = tuple(t for t in spec.transitions if t.event != "rcv_fin_ack_of_fin")
    trace = simulate(replace(spec, events=events, transitions=transitions), "fin_ack_close")
    assert trace.peers[0].states == ("ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "TIME_WAIT", "CLOSED")
    assert [(c.transition, c.time, c.segment) for c in trace.changes if c.peer == "A"][1:3] == [
        ("FIN_WAIT_1-rcv_ack_of_fin-FIN_WAIT_2", 102, 1), ("FIN_WAIT_2-rcv_fin-TIME_WAIT", 102, 1)]


def test_duplicate_ack_is_ignored(spec: Spec) -> None:
    """B's ACK of the FIN sent twice: the second brings nothing new and changes nothing."""
    transitions = tuple(replace(t, actions=("snd_ack", "snd_ack")) if t.id == "ESTABLISHED-rcv_fin-CLOSE_WAIT" else t
                        for t in spec.transitions)
    trace = simulate(replace(spec, transitions=transitions), "normal_close")
    assert [s.flag_text for s in trace.segments] == ["FIN,ACK", "ACK", "ACK", "FIN,ACK", "ACK"]
    assert trace.peers[0].states == spec.scenario("normal_close").expect[0]


@pytest.mark.parametrize("sid", CLOSES)
def test_deleting_a_used_transition_fails_naming_state_and_event(spec: Spec, sid: str) -> None:
    used = {(c.transition, c.source, c.event) for c in simulate(spec, sid).changes}
    assert len(used) >= 4
    for tid, state, event in sorted(used):
        broken = replace(spec, transitions=tuple(t for t in spec.transitions if t.id != tid))
        with pytest.raises(SimulationError) as info:
            simulate(broken, sid)
        message = str(info.value)
        assert sid in message and state in message and repr(event) in message, (tid, message)
        assert check_expectations(broken, broken.scenario(sid)), tid


def test_no_transition_message(spec: Spec) -> None:
    broken = replace(spec, transitions=tuple(t for t in spec.transitions if t.id != "LAST_ACK-rcv_ack_of_fin-CLOSED"))
    with pytest.raises(SimulationError, match=r"scenario 'normal_close': peer B in LAST_ACK at t=400 ms has no "
                                              r"transition for event 'rcv_ack_of_fin' \(segment 3: ACK seq=M\+1"):
        simulate(broken, "normal_close")


def test_missing_timer_length(spec: Spec) -> None:
    broken = with_scenario(spec, "normal_close", timers=())
    with pytest.raises(SimulationError, match="starts timer event 'timeout_2msl'.*no '2MSL'"):
        simulate(broken, "normal_close")
    [(key, message)] = check_expectations(broken, broken.scenario("normal_close"))
    assert key == "timers" and "2MSL" in message


def test_expectation_mismatch_is_reported_not_raised(spec: Spec) -> None:
    sc = spec.scenario("normal_close")
    wrong = replace(sc, expect=(sc.expect[0][:-1], sc.expect[1]))
    [(key, message)] = check_expectations(spec, wrong)
    assert key == "expect.A" and "TIME_WAIT → CLOSED" in message


def test_unknown_scenario_is_a_usage_error(spec: Spec) -> None:
    with pytest.raises(UsageError, match=r"unknown scenario 'normal_clos' \(did you mean 'normal_close'\?\).*abort"):
        simulate(spec, "normal_clos")


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_check_expectations_never_raises(spec: Spec, data: st.DataObject) -> None:
    keep = data.draw(st.lists(st.booleans(), min_size=len(spec.transitions), max_size=len(spec.transitions)))
    mutated = replace(spec, transitions=tuple(t for t, k in zip(spec.transitions, keep) if k))
    sc: Scenario = data.draw(st.sampled_from(spec.scenarios))
    for key, message in check_expectations(mutated, sc):
        assert isinstance(key, str) and sc.id in message


def test_text_table_aligns_cjk(spec: Spec) -> None:
    assert display_width("FIN_WAIT_1") == 10 and display_width("（关闭）") == 8
    text = trace_to_text(simulate(spec, "normal_close"), spec, "zh")
    rows = [line for line in text.splitlines() if "│" in line]
    bars = {tuple(display_width(line[: i]) for i, ch in enumerate(line) if ch == "│") for line in rows}
    assert len(bars) == 1  # every column separator sits in the same display column
    assert "（关闭）FIN_WAIT_1" in text and "FIN,ACK seq=M ack=N  A ──► B" in text
