"""`tcpdiagram verify`: comparison, Linux rules, record, and (as root, marker netns) real runs on the kernel."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tcpdiagram.model import Spec
from tcpdiagram.verify.apps import after_eof
from tcpdiagram.verify.compare import agrees, compare, side_by_side
from tcpdiagram.verify.expect import apply, differences_for, flags_text, parse_segment, simulated
from tcpdiagram.verify.netns import NETNS_DIR, CannotVerify, preflight
from tcpdiagram.verify.observe import segments_json
from tcpdiagram.verify.record import build_record, dumps, load_record, write_record
from tcpdiagram.verify.wire import DelayLine, Packet

ROOT = Path(__file__).resolve().parent.parent
ISSUE_SCENARIOS = ("handshake", "simultaneous_open", "connection_refused", "normal_close",
                   "simultaneous_close", "fin_ack_close", "abort", "lost_syn", "connect_timeout", "lost_last_ack",
                   "lost_fin", "half_close_data", "server_closes_first", "close_unread_data")
RERECORD = "re-record as root: tcpdiagram verify --runs 5 --record spec/linux-record.json"


def _observed(a: list[str], b: list[str], segs: list[str], tw: int | None = None) -> dict[str, Any]:
    peers: dict[str, Any] = {}
    for p, states in (("A", a), ("B", b)):
        peers[p] = {"states": states, "timeline": [{"t": 10 * i, "state": s, "via": "tcp_info"} for i, s in enumerate(states)]}
        if tw is not None and states[-1] == "TIME_WAIT":
            peers[p]["time_wait_timer_ms"] = tw
    segments = []
    for i, text in enumerate(segs):
        src, dst, flags = parse_segment(text)
        segments.append({"src": src, "dst": dst, "flags": flags, "seq": i, "ack": None, "sent": 5 * i, "received": 5 * i + 50})
    return {"peers": peers, "segments": segments}


def test_segment_notation_round_trips() -> None:
    for text in ("A>B S", "B>A S.", "A>B .", "A>B F.", "B>A R.", "A>B R"):
        src, dst, flags = parse_segment(text)
        assert f"{src}>{dst} {flags_text(flags)}" == text
    assert parse_segment("A>B F.")[2] == ["ACK", "FIN"]
    with pytest.raises(ValueError, match="bad segment 'A>A S'"):
        parse_segment("A>A S")


def test_linux_rules_come_from_the_spec_and_are_bilingual(spec: Spec) -> None:
    ids = {d.id for sc in spec.scenarios for d in differences_for(spec, sc.id)}
    assert ids == {"time_wait_60s", "simultaneous_open_extra_acks", "rst_carries_ack", "timers_late_32ms",
                   "rto_304_fin", "rto_304_last_ack", "syn_retries_2", "syn_linear_timeouts_0", "unread_rst_carries_ack"}
    for sc in spec.scenarios:
        for d in differences_for(spec, sc.id):
            assert set(d.text) == {"zh", "en"} and all(d.text.values()), d.id


@pytest.mark.parametrize("sid,used", [
    ("handshake", []), ("simultaneous_open", ["simultaneous_open_extra_acks"]), ("connection_refused", []),
    ("normal_close", ["time_wait_60s"]), ("simultaneous_close", ["time_wait_60s"]),
    ("fin_ack_close", ["time_wait_60s"]), ("abort", ["rst_carries_ack"]),
    ("lost_syn", ["timers_late_32ms"]), ("connect_timeout", ["timers_late_32ms", "syn_retries_2", "syn_linear_timeouts_0"]),
    ("lost_last_ack", ["time_wait_60s", "timers_late_32ms", "rto_304_last_ack"]),
    ("lost_fin", ["time_wait_60s", "timers_late_32ms", "rto_304_fin"]), ("half_close_data", ["time_wait_60s"]),
    ("server_closes_first", ["time_wait_60s"]), ("close_unread_data", ["unread_rst_carries_ack"]),
])
def test_linux_rules_change_the_simulation_only_where_documented(spec: Spec, sid: str, used: list[str]) -> None:
    sim = simulated(spec, sid)
    linux, applied = apply(sim, differences_for(spec, sid))
    assert applied == used
    assert sim == simulated(spec, sid)  # apply() copies
    if "time_wait_60s" in used:
        assert any(p["states"][-1] == "TIME_WAIT" and p["time_wait_timer_ms"] == 60000 for p in linux["peers"].values())


def test_compare_agrees_and_names_each_difference(spec: Spec) -> None:
    expected, _ = apply(simulated(spec, "fin_ack_close"), differences_for(spec, "fin_ack_close"))
    a, b = ["ESTABLISHED", "FIN_WAIT_1", "TIME_WAIT"], ["ESTABLISHED", "CLOSE_WAIT", "LAST_ACK", "CLOSED"]
    good = _observed(a, b, ["A>B F.", "B>A F.", "A>B ."], tw=60000)
    assert agrees(compare(expected, good))
    # the four-segment outcome of the race (B's bare ACK first) must fail on both states and segments
    four = _observed(["ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "TIME_WAIT"], b,
                     ["A>B F.", "B>A .", "B>A F.", "A>B ."], tw=60000)
    failed = {c.what for c in compare(expected, four) if not c.ok}
    assert failed == {"A states", "segments"}
    text = side_by_side(expected, four, compare(expected, four))
    assert "[DIFFERS]" in text and "FIN_WAIT_2@20" in text and "<-" in text
    no_timer = _observed(a, b, ["A>B F.", "B>A F.", "A>B ."])
    assert {c.what for c in compare(expected, no_timer) if not c.ok} == {"A TIME_WAIT timer"}


def test_unlisted_linux_difference_fails(spec: Spec) -> None:
    sim = simulated(spec, "simultaneous_open")  # the spec alone: 4 segments, Linux sends 6
    states = ["CLOSED", "SYN_SENT", "SYN_RCVD", "ESTABLISHED"]
    linux = _observed(states, states, ["A>B S", "B>A S", "B>A S.", "A>B S.", "A>B .", "B>A ."])
    assert [c.what for c in compare(sim, linux) if not c.ok] == ["segments"]


def test_passive_close_waits_for_eof(spec: Spec) -> None:
    def closes(sid: str) -> list[bool]:
        sc = spec.scenario(sid)
        return [after_eof(s, sc) for s in sc.steps if s.event == "close"]

    assert closes("fin_ack_close") == [False, True]
    assert closes("normal_close") == [False, True]
    assert closes("simultaneous_close") == [False, False]


def test_segments_pair_send_and_arrival_with_relative_numbers() -> None:
    addr = {"A": "192.0.2.1", "B": "198.51.100.1"}
    t0 = 1_000_000_000

    def pkt(t_ms: float, out: bool, src: str, seq: int, ack: int, flags: tuple[str, ...], raw: bytes) -> Packet:
        dst = addr["B"] if src == addr["A"] else addr["A"]
        return Packet(t0 + int(t_ms * 1e6), out, src, dst, 40001, 40002, seq, ack, flags, 0, raw)

    packets = {
        "A": [pkt(-100, True, addr["A"], 1000, 0, ("SYN",), b"s"), pkt(0.4, True, addr["A"], 1006, 5001, ("ACK", "FIN"), b"f"),
              pkt(52.6, False, addr["B"], 5001, 1007, ("ACK", "FIN"), b"g")],
        "B": [pkt(-50, True, addr["B"], 5000, 1001, ("ACK", "SYN"), b"t"), pkt(50.7, False, addr["A"], 1006, 5001, ("ACK", "FIN"), b"f"),
              pkt(2.2, True, addr["B"], 5001, 1007, ("ACK", "FIN"), b"g")],
    }
    segs = segments_json(packets, addr, t0)
    assert [(s["src"], s["seq"], s["ack"], s["sent"], s["received"]) for s in segs] == [
        ("A", 6, 1, 0, 51), ("B", 1, 7, 2, 53)]


def test_record_is_deterministic_and_reads_back(tmp_path: Path) -> None:
    obs = _observed(["CLOSED", "SYN_SENT", "ESTABLISHED"], ["CLOSED", "LISTEN"], ["A>B S"])
    one: dict[str, dict[str, Any]] = {"handshake": {"runs": 1, "passed": 1, "differences": [], "observed": obs},
           "abort": {"observed": None, "passed": 0, "runs": 0, "differences": []}}
    two = dict(reversed(list(one.items())))
    assert dumps(build_record("6.18.44-x", "close", one)) == dumps(build_record("6.18.44-x", "close", two))
    path = tmp_path / "record.json"
    path.write_text(dumps(build_record("6.18.44-x", "close", one)), encoding="utf-8")
    rec = load_record(path)
    assert rec is not None and rec["kernel"]["version"] == "6.18"
    assert rec["scenarios"]["handshake"] == one["handshake"]
    assert load_record(tmp_path / "missing.json") is None
    path.write_text('{"format": 99, "scenarios": {}}', encoding="utf-8")
    assert load_record(path) is None


def test_record_merges_into_the_existing_one(tmp_path: Path) -> None:
    obs = _observed(["CLOSED", "SYN_SENT", "ESTABLISHED"], ["CLOSED", "LISTEN"], ["A>B S"])
    path = tmp_path / "linux-record.json"
    first = {"handshake": {"runs": 5, "passed": 5, "differences": [], "observed": obs}}
    write_record(path, build_record("6.18.44-x", "close", first))
    write_record(path, build_record("6.18.44-x", "close", {"lost_syn": {"runs": 5, "passed": 5, "differences": [],
                                                                         "observed": obs}}))
    rec = load_record(path)
    assert rec is not None and sorted(rec["scenarios"]) == ["handshake", "lost_syn"]  # merged, not replaced
    write_record(path, build_record("6.18.44-x", "close", {"handshake": {"runs": 3, "passed": 3, "differences": [],
                                                                          "observed": obs}}))
    rec = load_record(path)
    assert rec is not None and rec["scenarios"]["handshake"]["runs"] == 3 and "lost_syn" in rec["scenarios"]
    write_record(path, build_record("6.18.44-z", "close", {"lost_fin": first["handshake"]}))  # another build
    rec = load_record(path)
    assert rec is not None and sorted(rec["scenarios"]) == ["handshake", "lost_fin", "lost_syn"]
    assert rec["scenarios"]["handshake"]["kernel"]["release"] == "6.18.44-x" and "kernel" not in rec["scenarios"]["lost_fin"]
    write_record(path, build_record("6.19.1-y", "close", first))  # another kernel version: its record replaces the old
    rec = load_record(path)
    assert rec is not None and sorted(rec["scenarios"]) == ["handshake"]


def test_delay_line_drops_what_a_loss_rule_names(spec: Spec) -> None:
    import struct as st

    def packet(flags: int) -> bytes:
        ip = bytes([0x45, 0]) + st.pack("!H", 40) + bytes(5) + bytes([6]) + bytes(2) + bytes([192, 0, 2, 1, 198, 51, 100, 1])
        return ip + st.pack("!HHIIBBHHH", 40001, 40002, 1, 1, 5 << 4, flags, 0, 0, 0)

    line = DelayLine(-1, -1, 0)
    line.lose = spec.scenario("lost_last_ack").lose  # the first pure ACK A sends
    fin_ack, ack = packet(0x11), packet(0x10)
    assert [line.drops(0, p) for p in (fin_ack, ack, ack)] == [False, True, False]
    assert line.drops(1, ack) is False  # B's ACKs are never A's
    every = DelayLine(-1, -1, 0)
    every.lose = spec.scenario("connect_timeout").lose
    assert all(every.drops(0, packet(0x02)) for _ in range(4))


def test_committed_record_agrees_with_the_spec(spec: Spec) -> None:
    rec = load_record(ROOT / "spec" / "linux-record.json")
    assert rec is not None, f"spec/linux-record.json is missing or unreadable; {RERECORD}"
    assert set(ISSUE_SCENARIOS) <= set(rec["scenarios"]), RERECORD
    for sid, sc in rec["scenarios"].items():
        assert sc["runs"] >= 5 and sc["passed"] == sc["runs"], sid
        expected, used = apply(simulated(spec, sid), differences_for(spec, sid))
        checks = compare(expected, sc["observed"])
        assert agrees(checks), f"{sid}: the record disagrees with the spec; {RERECORD}\n" + side_by_side(
            expected, sc["observed"], checks)
        assert sc["differences"] == used


def test_cannot_verify_is_exit_3_with_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    if sys.platform.startswith("linux"):
        with pytest.raises(CannotVerify, match="needs root") as e:
            preflight()
        assert e.value.exit_code == 3 and "\n" not in str(e.value)
    proc = subprocess.run([sys.executable, "-m", "tcpdiagram", "verify", "nonesuch"], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)
    assert proc.returncode == 2 and "unknown scenario 'nonesuch'" in proc.stderr


# ---- real runs on this machine's kernel ------------------------------------------------------------------


def _netns_reason() -> str | None:
    try:
        preflight()
    except CannotVerify as e:
        return str(e)
    return None


@pytest.fixture
def netns() -> None:
    reason = _netns_reason()
    if reason:
        pytest.skip(f"real Linux runs skipped: {reason}")


def _ours(pid: int) -> list[str]:
    return sorted(p.name for p in NETNS_DIR.glob(f"tcpdiagram-{pid}-*")) if NETNS_DIR.is_dir() else []


@pytest.mark.netns
def test_every_scenario_once_on_the_kernel(netns: None, tmp_path: Path, spec: Spec) -> None:
    from tcpdiagram.verify import run

    lines: list[str] = []
    record = tmp_path / "linux-record.json"
    rc = run([], runs=1, record=record, write=lines.append)
    assert rc == 0, "\n".join(lines)
    rec = load_record(record)
    assert rec is not None and set(rec["scenarios"]) == {s.id for s in spec.scenarios}
    assert all(sc["passed"] == sc["runs"] == 1 for sc in rec["scenarios"].values())
    assert json.loads(record.read_text(encoding="utf-8")) == rec
    assert _ours(os.getpid()) == []


@pytest.mark.netns
@pytest.mark.parametrize("sig,code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_interrupted_run_removes_its_namespaces(netns: None, sig: int, code: int) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "tcpdiagram", "verify", "--runs", "20", "normal_close"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while not _ours(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _ours(proc.pid), "the run never created its namespaces"
        time.sleep(0.3)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == code, err
    assert "Traceback" not in err
    assert _ours(proc.pid) == []
