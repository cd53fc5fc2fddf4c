"""Endpoint states inferred through the spec from crafted captures: closes, crossings, odd starts, what the spec
does not allow (reported, never guessed)."""

from __future__ import annotations

from pathlib import Path

from capwriter import ACK, FIN, RST, SYN, Flow, pcap
from tcpdiagram.capture.read import read
from tcpdiagram.model import Spec

FA = FIN | ACK


def states(tmp_path: Path, spec: Spec, flow: Flow) -> tuple[list[list[str]], list[str]]:
    conn = read(flow.write(tmp_path / "c.pcap"), spec, lambda _i, _e: True).connections[0]
    s = conn.summary()
    return [e["states"] for e in s["endpoints"]], s["notes"]


def test_four_segment_close(tmp_path: Path, spec: Spec) -> None:
    f = Flow().handshake().seg(20, "a", 1, 1, FA).seg(21, "b", 1, 2, ACK).seg(30, "b", 1, 2, FA).seg(31, "a", 2, 2, ACK)
    (a, b), notes = states(tmp_path, spec, f)
    assert a == ["CLOSED", "SYN_SENT", "ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "TIME_WAIT"]
    assert b == ["LISTEN", "SYN_RCVD", "ESTABLISHED", "CLOSE_WAIT", "LAST_ACK", "CLOSED"]
    assert notes == ["frame 7 (ACK) is taken to have reached 198.51.100.1:80: nothing it sent later shows it"]


def test_crossing_fins_pass_closing(tmp_path: Path, spec: Spec) -> None:
    """B's FIN does not acknowledge A's: it was sent before A's FIN arrived, so both sides pass CLOSING."""
    f = Flow().handshake().seg(20, "a", 1, 1, FA).seg(21, "b", 1, 1, FA).seg(22, "a", 2, 2, ACK).seg(23, "b", 2, 2, ACK)
    (a, b), _ = states(tmp_path, spec, f)
    assert a[-3:] == ["FIN_WAIT_1", "CLOSING", "TIME_WAIT"]
    assert b[-3:] == ["FIN_WAIT_1", "CLOSING", "TIME_WAIT"]


def test_fin_that_acks_the_fin_is_note_2(tmp_path: Path, spec: Spec) -> None:
    f = Flow().handshake().seg(20, "a", 1, 1, FA).seg(30, "b", 1, 2, FA).seg(31, "a", 2, 2, ACK)
    (a, b), _ = states(tmp_path, spec, f)
    assert a[-2:] == ["FIN_WAIT_1", "TIME_WAIT"]
    assert b[-3:] == ["CLOSE_WAIT", "LAST_ACK", "CLOSED"]


def test_refused_connection_starts_closed(tmp_path: Path, spec: Spec) -> None:
    f = Flow().seg(0, "a", 0, 0, SYN).seg(1, "b", 0, 1, RST | ACK)
    (a, b), notes = states(tmp_path, spec, f)
    assert (a, b) == (["CLOSED", "SYN_SENT", "CLOSED"], ["CLOSED"])
    assert notes == ["frame 2 (RST,ACK) is taken to have reached 192.0.2.1:40001: nothing it sent later shows it"]


def test_mid_connection_starts_established_and_says_so(tmp_path: Path, spec: Spec) -> None:
    f = Flow().seg(0, "a", 1, 1, ACK, data=b"hello").seg(1, "b", 1, 6, ACK).seg(2, "a", 6, 1, FA)
    (a, b), notes = states(tmp_path, spec, f)
    assert a == ["ESTABLISHED", "FIN_WAIT_1"] and b == ["ESTABLISHED", "CLOSE_WAIT"]
    assert any("middle of the connection" in n for n in notes)


def test_syn_ack_captured_before_its_syn(tmp_path: Path, spec: Spec) -> None:
    f = Flow().seg(0, "b", 0, 1, SYN | ACK).seg(0.1, "a", 0, 0, SYN).seg(0.2, "a", 1, 1, ACK)
    conn = read(f.write(tmp_path / "c.pcap"), spec, lambda _i, _e: True).connections[0]
    s = conn.summary()
    assert [e["states"] for e in s["endpoints"]] == [["LISTEN", "SYN_RCVD", "ESTABLISHED"],
                                                    ["CLOSED", "SYN_SENT", "ESTABLISHED"]]
    assert [e["role"] for e in s["endpoints"]] == ["server", "client"]
    assert any("captured before" in n for n in s["notes"])


def test_missing_syn(tmp_path: Path, spec: Spec) -> None:
    f = Flow().seg(0, "b", 0, 1, SYN | ACK).seg(1, "a", 1, 1, ACK)
    (b, a), notes = states(tmp_path, spec, f)
    assert (b, a) == (["SYN_RCVD", "ESTABLISHED"], ["SYN_SENT", "ESTABLISHED"])
    assert any("SYN was not captured" in n for n in notes)


def test_simultaneous_open(tmp_path: Path, spec: Spec) -> None:
    f = (Flow().seg(0, "a", 0, 0, SYN).seg(0.1, "b", 0, 0, SYN).seg(1, "a", 0, 1, SYN | ACK)
         .seg(1.1, "b", 0, 1, SYN | ACK))
    (a, b), _ = states(tmp_path, spec, f)
    assert a == b == ["CLOSED", "SYN_SENT", "SYN_RCVD", "ESTABLISHED"]


def test_what_the_spec_does_not_allow_is_reported(tmp_path: Path, spec: Spec) -> None:
    """A FIN sent in SYN_SENT: no transition of the spec sends it; the state stays, and a note says so."""
    f = Flow().seg(0, "a", 0, 0, SYN).seg(1, "a", 1, 0, FIN)
    (a, _b), notes = states(tmp_path, spec, f)
    assert a == ["CLOSED", "SYN_SENT"]
    assert any("in SYN_SENT sent FIN; no transition of the spec sends it" in n for n in notes)


def test_abort(tmp_path: Path, spec: Spec) -> None:
    f = Flow().handshake().seg(20, "a", 1, 1, RST | ACK)
    (a, b), _ = states(tmp_path, spec, f)
    assert a[-2:] == ["ESTABLISHED", "CLOSED"] and b[-2:] == ["ESTABLISHED", "CLOSED"]


def test_ipv6_endpoints(tmp_path: Path, spec: Spec) -> None:
    f = Flow(a=("2001:db8::1", 40001), b=("2001:db8::2", 443)).handshake()
    conn = read(f.write(tmp_path / "c.pcap"), spec).connections[0]
    assert [e["addr"] for e in conn.summary()["endpoints"]] == ["[2001:db8::1]:40001", "[2001:db8::2]:443"]


def test_every_frame_counts_once(tmp_path: Path, spec: Spec) -> None:
    f = Flow().handshake()
    cap = read(pcap(tmp_path / "c.pcap", f.frames), spec)
    assert (cap.frames, cap.tcp, len(cap.connections)) == (3, 3, 1)
