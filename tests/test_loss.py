"""Loss, data and retransmission: the seven scenarios, their sequence numbers, mutations, and bad loss rules and timers."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from tcpdiagram.cli import main
from tcpdiagram.errors import SimulationError
from tcpdiagram.model import Spec
from tcpdiagram.simulate import check_expectations, simulate
from tcpdiagram.trace import trace_to_json

NEW = ["lost_syn", "connect_timeout", "lost_last_ack", "lost_fin", "half_close_data", "server_closes_first",
       "close_unread_data"]
SPEC = Path(__file__).resolve().parent.parent / "spec" / "tcp.yaml"


def segs(spec: Spec, sid: str, numeric: bool = False) -> list[tuple[object, ...]]:
    return [(s.src, s.marked("en"), s.sent, s.received) for s in simulate(spec, sid, numeric).segments]


def test_lost_last_ack_time_wait_answers_and_restarts_2msl(spec: Spec) -> None:
    trace = simulate(spec, "lost_last_ack")
    assert segs(spec, "lost_last_ack") == [
        ("A", "FIN,ACK seq=M ack=N", 0, 50),
        ("B", "ACK seq=N ack=M+1", 90, 140),  # B's delayed ACK
        ("B", "FIN,ACK seq=N ack=M+1", 300, 350),
        ("A", "ACK seq=M+1 ack=N+1", 350, None),  # lost
        ("B", "FIN,ACK (retransmitted) seq=N ack=M+1", 1300, 1350),  # after B's RTO of 1 s
        ("A", "ACK seq=M+1 ack=N+1", 1350, 1400),  # A, in TIME_WAIT, answers
    ]
    assert [s.lost for s in trace.segments] == [False, False, False, True, False, False]
    a_changes = [(c.time, c.transition) for c in trace.changes if c.peer == "A"]
    assert (1350, "TIME_WAIT-rcv_fin_again-TIME_WAIT") in a_changes
    b_changes = [(c.time, c.transition) for c in trace.changes if c.peer == "B"]
    assert b_changes[-2:] == [(1300, "LAST_ACK-retransmission_timeout-LAST_ACK"), (1400, "LAST_ACK-rcv_ack_of_fin-CLOSED")]
    spans = [(t.peer, t.name, t.start, t.end, t.outcome) for t in trace.timers if t.name in ("2MSL", "RTO")]
    assert ("A", "2MSL", 350, 1350, "restarted") in spans
    assert ("A", "2MSL", 1350, 241350, "fired") in spans  # the new span starts when the FIN arrives
    assert ("B", "RTO", 300, 1300, "fired") in spans


def test_simulate_cli_json_marks_loss_retransmission_len_and_timers(capsys: pytest.CaptureFixture[str],
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["tcpdiagram", "simulate", "lost_last_ack", "--spec", str(SPEC), "-f", "json"])
    try:
        main()
    except SystemExit as e:
        assert e.code in (0, None)
    data = json.loads(capsys.readouterr().out)
    assert [(s["lost"], s["retransmission"], s["len"]) for s in data["segments"]][3:5] == [(True, False, 0),
                                                                                          (False, True, 0)]
    assert data["segments"][3]["received"] is None
    assert {"peer": "A", "timer": "2MSL", "event": "timeout_2msl", "start": 1350, "end": 241350,
            "outcome": "fired"} in data["timers"]


def test_lost_fin_lost_syn_and_connect_timeout(spec: Spec) -> None:
    assert segs(spec, "lost_fin")[:3] == [("A", "FIN,ACK seq=M ack=N", 0, None),
                                          ("A", "FIN,ACK (retransmitted) seq=M ack=N", 1000, 1050),
                                          ("B", "ACK seq=N ack=M+1", 1090, 1140)]
    assert segs(spec, "lost_syn")[:3] == [("A", "SYN seq=J", 20, None), ("A", "SYN (retransmitted) seq=J", 1020, 1070),
                                          ("B", "SYN,ACK seq=K ack=J+1", 1070, 1120)]
    # exponential backoff: 1 s, 2 s, 4 s, then the retry limit (2) gives up
    assert [(s.sent, s.lost, s.retransmission) for s in simulate(spec, "connect_timeout").segments] == [
        (20, True, False), (1020, True, True), (3020, True, True)]
    trace = simulate(spec, "connect_timeout")
    assert trace.peers[0].error == "ETIMEDOUT"
    assert [(c.time, c.transition) for c in trace.changes if c.peer == "A"][-1] == (
        7020, "SYN_SENT-retries_exhausted-CLOSED")
    assert [(t.start, t.end) for t in trace.timers if t.name == "RTO"] == [(20, 1020), (1020, 3020), (3020, 7020)]


def test_half_close_data_advances_by_length(spec: Spec) -> None:
    got = [(s.src, s.label) for s in simulate(spec, "half_close_data").segments]
    assert got[2:] == [
        ("B", "PSH,ACK seq=N len=100 ack=M+1"), ("A", "ACK seq=M+1 ack=N+100"),
        ("B", "PSH,ACK seq=N+100 len=100 ack=M+1"), ("A", "ACK seq=M+1 ack=N+200"),
        ("B", "PSH,ACK seq=N+200 len=100 ack=M+1"), ("A", "ACK seq=M+1 ack=N+300"),
        ("B", "FIN,ACK seq=N+300 ack=M+1"), ("A", "ACK seq=M+1 ack=N+301"),
    ]


NUMERIC = {
    "lost_syn": [("SYN", "100", None), ("SYN", "100", None), ("SYN,ACK", "300", "101"), ("ACK", "101", "301")],
    "connect_timeout": [("SYN", "100", None)] * 3,
    "lost_last_ack": [("FIN,ACK", "100", "300"), ("ACK", "300", "101"), ("FIN,ACK", "300", "101"),
                      ("ACK", "101", "301"), ("FIN,ACK", "300", "101"), ("ACK", "101", "301")],
    "lost_fin": [("FIN,ACK", "100", "300"), ("FIN,ACK", "100", "300"), ("ACK", "300", "101"),
                 ("FIN,ACK", "300", "101"), ("ACK", "101", "301")],
    "half_close_data": [("FIN,ACK", "100", "300"), ("ACK", "300", "101"), ("PSH,ACK", "300", "101"),
                        ("ACK", "101", "400"), ("PSH,ACK", "400", "101"), ("ACK", "101", "500"),
                        ("PSH,ACK", "500", "101"), ("ACK", "101", "600"), ("FIN,ACK", "600", "101"),
                        ("ACK", "101", "601")],
    "server_closes_first": [("FIN,ACK", "300", "100"), ("ACK", "100", "301"), ("FIN,ACK", "100", "301"),
                            ("ACK", "301", "101")],
    "close_unread_data": [("PSH,ACK", "300", "100"), ("ACK", "100", "400"), ("RST", "100", None)],
}


@pytest.mark.parametrize("sid", NEW)
def test_numeric_sequence_numbers(spec: Spec, sid: str) -> None:
    assert [(s.flag_text, s.seq, s.ack) for s in simulate(spec, sid, numeric=True).segments] == NUMERIC[sid]


@pytest.mark.parametrize("sid", NEW)
def test_new_scenario_meets_both_expectations(spec: Spec, sid: str) -> None:
    sc = spec.scenario(sid)
    trace = simulate(spec, sid)
    assert (trace.peers[0].states, trace.peers[1].states) == sc.expect
    assert (trace.peers[0].error, trace.peers[1].error) == sc.expect_errors
    assert check_expectations(spec, sc) == []
    assert trace_to_json(simulate(spec, sid)) == trace_to_json(trace)  # deterministic


def _new_transitions(spec: Spec) -> list[tuple[str, str]]:
    """(scenario, transition) for each transition a new scenario uses that the seven needed added to the spec."""
    added = {t.id for t in spec.transitions if t.event in ("send", "rcv_data", "rcv_fin_again", "retransmission_timeout",
                                                           "retries_exhausted")}
    out = []
    for sid in NEW:
        for tid in sorted({c.transition for c in simulate(spec, sid).changes} & added):
            out.append((sid, tid))
    return out


def test_every_added_transition_is_exercised(spec: Spec) -> None:
    used = {tid for _sid, tid in _new_transitions(spec)}
    assert {"TIME_WAIT-rcv_fin_again-TIME_WAIT", "LAST_ACK-retransmission_timeout-LAST_ACK",
            "FIN_WAIT_1-retransmission_timeout-FIN_WAIT_1", "SYN_SENT-retransmission_timeout-SYN_SENT",
            "SYN_SENT-retries_exhausted-CLOSED", "CLOSE_WAIT-send-CLOSE_WAIT", "FIN_WAIT_2-rcv_data-FIN_WAIT_2",
            "ESTABLISHED-send-ESTABLISHED", "ESTABLISHED-rcv_data-ESTABLISHED"} <= used


def test_removing_each_new_transition_fails_its_scenario(spec: Spec) -> None:
    cases = _new_transitions(spec)
    assert len(cases) >= 10
    for sid, tid in cases:
        state, event = tid.split("-")[0], tid.split("-")[1]
        broken = replace(spec, transitions=tuple(t for t in spec.transitions if t.id != tid))
        problems = check_expectations(broken, broken.scenario(sid))
        assert problems, tid
        message = " | ".join(m for _key, m in problems)
        assert sid in message and state in message and repr(event) in message, (tid, message)


def test_without_the_time_wait_transition_lost_last_ack_names_it(spec: Spec) -> None:
    broken = replace(spec, transitions=tuple(t for t in spec.transitions if t.id != "TIME_WAIT-rcv_fin_again-TIME_WAIT"))
    with pytest.raises(SimulationError, match=r"peer A in TIME_WAIT at t=1350 ms has no transition for event "
                                              r"'rcv_fin_again' \(segment 4: FIN,ACK seq=N ack=M\+1 from B "
                                              r"\(retransmitted\)\)"):
        simulate(broken, "lost_last_ack")


# ---- bad loss rules and timer values, as `check` reports them ----------------------------------------------


def _check(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
           old: str, new: str) -> tuple[int, str, str]:
    """Run `check` on a copy of the spec with `old` replaced once (inside lost_last_ack or half_close_data)."""
    text = SPEC.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    bad = text.replace(old, new)
    path = tmp_path / "tcp.yaml"
    path.write_text(bad, encoding="utf-8")
    monkeypatch.setattr(sys, "argv", ["tcpdiagram", "check", "--spec", str(path)])
    with pytest.raises(SystemExit) as e:
        main()
    return int(e.value.code or 0), capsys.readouterr().err, bad


def _at(text: str, needle: str, offset: int = 0) -> str:
    """'LINE:COL' of the first `needle` in `text` (plus `offset` columns)."""
    before = text[: text.index(needle)]
    return f"{before.count(chr(10)) + 1}:{len(before) - before.rfind(chr(10)) + offset}"


LOSE = "        - {from: A, flags: [ACK], nth: 1}  # the first pure ACK A sends: its ACK of B's FIN"
BAD = [
    ("rule_matches_nothing", LOSE, LOSE.replace("nth: 1", "nth: 7"), LOSE.replace("nth: 1", "nth: 7"), 10,
     "network.lose[0]: scenario 'lost_last_ack': loss rule 1 (segment #7 that A sends with flags ACK) matches no "
     "segment; A sent: ACK ×1, FIN,ACK ×1"),
    ("rule_flags_never_sent", LOSE, LOSE.replace("[ACK]", "[FIN]"), LOSE.replace("[ACK]", "[FIN]"), 10,
     "network.lose[0]: scenario 'lost_last_ack': loss rule 1 (segment #1 that A sends with flags FIN) matches no "
     "segment; A sent: ACK ×1, FIN,ACK ×1"),
    ("rule_bad_ordinal", LOSE, LOSE.replace("nth: 1", "nth: 0"), "nth: 0", 5,
     "network.lose[0].nth: '0' is not an ordinal (1, 2, …) or 'every'"),
    ("zero_timer", "timers: {2MSL: 240000, RTO: 1000, user_timeout: 300000}\n    seq: {A: M, B: N}\n    steps:\n"
     "      - {at: 0, peer: A, event: close}\n      - {at: 300",
     "timers: {2MSL: 240000, RTO: 0, user_timeout: 300000}\n    seq: {A: M, B: N}\n    steps:\n"
     "      - {at: 0, peer: A, event: close}\n      - {at: 300", "RTO: 0", 5, "timers.RTO: 0 is out of range (1..1000000000)"),
    ("negative_timer", "timers: {2MSL: 240000, RTO: 1000, user_timeout: 300000}\n    seq: {A: M, B: N}\n    steps:\n"
     "      - {at: 0, peer: A, event: close}\n      - {at: 300",
     "timers: {2MSL: 240000, RTO: -5, user_timeout: 300000}\n    seq: {A: M, B: N}\n    steps:\n"
     "      - {at: 0, peer: A, event: close}\n      - {at: 300", "RTO: -5", 5,
     "timers.RTO: '-5' is not a whole number of milliseconds"),
    ("negative_bytes", "{at: 200, peer: B, event: send, bytes: 100}", "{at: 200, peer: B, event: send, bytes: -3}",
     "bytes: -3", 7, "steps[1].bytes: '-3' is not a whole number of bytes"),
    ("zero_retries", "retries: {RTO: 2}", "retries: {RTO: 0}", "retries: {RTO: 0}", 15, "retries.RTO: 0 is out of range (1..100)"),
    ("retries_of_no_timer", "retries: {RTO: 2}", "retries: {RTX: 2}", "RTX: 2", 5,
     "retries.RTX: retry limit for 'RTX', which is not the duration of a timer with 'start: unacked' "
     "(did you mean 'RTO'?)"),
]


@pytest.mark.parametrize("name,old,new,needle,offset,message", BAD, ids=[b[0] for b in BAD])
def test_bad_loss_rules_and_timers_point_at_the_value(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch, name: str, old: str, new: str,
                                                      needle: str, offset: int, message: str) -> None:
    code, err, bad = _check(tmp_path, capsys, monkeypatch, old, new)
    assert code == 1, err
    where = _at(bad, needle, offset)
    lines = [line for line in err.splitlines() if ".yaml:" in line]
    assert any(line.endswith(f"tcp.yaml:{where}: scenarios[{_index(bad, line)}].{message}") for line in lines), (
        where, err)
    assert "Traceback" not in err


def _index(text: str, line: str) -> str:
    return line.split("scenarios[", 1)[1].split("]", 1)[0] if "scenarios[" in line else "?"


# ---- the example a course author copies (README and the site's "Writing scenarios" page) ------------------


def _example(text: str, after: str) -> str:
    import re

    found = re.search(r"```yaml\n(.*?)```", text.split(after, 1)[1], re.S)
    assert found is not None
    return found.group(1)


@pytest.mark.parametrize("source,after", [("README.md", "### Writing a lossy scenario"),
                                          ("site/docs/en/writing.md", "## An example to copy"),
                                          ("site/docs/zh/writing.md", "## 可以照抄的例子")])
def test_copied_example_checks_and_simulates(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch, source: str, after: str) -> None:
    root = SPEC.parent.parent
    block = _example((root / source).read_text(encoding="utf-8"), after)
    text = SPEC.read_text(encoding="utf-8")
    end = text.index("\n# Where Linux differs from RFC 9293 in every scenario")
    path = tmp_path / "tcp.yaml"
    path.write_text(text[:end] + "\n" + block.rstrip("\n") + text[end:], encoding="utf-8")
    from tcpdiagram.specfile import load_checked

    spec = load_checked(path, use_cache=False)
    trace = simulate(spec, "my_lost_ack")
    assert [s.lost for s in trace.segments].count(True) == 1
    assert any(s.retransmission and "FIN" in s.flags for s in trace.segments)
    assert any(c.transition == "TIME_WAIT-rcv_fin_again-TIME_WAIT" for c in trace.changes)
