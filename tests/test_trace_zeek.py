"""Zeek's conn_state and history on small crafted captures, one per state (rules of base/protocols/conn/main.zeek)."""

from __future__ import annotations

from pathlib import Path

import pytest

from capwriter import ACK, FIN, PSH, RST, SYN, Flow, ethernet, pcapng, sll2
from tcpdiagram.capture.read import read
from tcpdiagram.model import Spec

FA, D = FIN | ACK, ACK | PSH


def hs() -> Flow:
    return Flow().handshake()


CASES: dict[str, tuple[Flow, str]] = {
    "S0": (Flow().seg(0, "a", 0, 0, SYN), "S"),
    "S1": (hs().seg(20, "a", 1, 1, D, data=b"hi"), "ShAD"),
    "SF": (hs().seg(20, "a", 1, 1, FA).seg(21, "b", 1, 2, FA).seg(22, "a", 2, 2, ACK), "ShAFf"),
    "REJ": (Flow().seg(0, "a", 0, 0, SYN).seg(1, "b", 0, 1, RST | ACK), "Sr"),
    "S2": (hs().seg(20, "a", 1, 1, FA), "ShAF"),
    "S3": (hs().seg(20, "b", 1, 1, FA), "ShAf"),
    "RSTO": (hs().seg(20, "a", 1, 1, RST | ACK), "ShAR"),
    "RSTR": (hs().seg(20, "b", 1, 1, RST | ACK), "ShAr"),
    "RSTOS0": (Flow().seg(0, "a", 0, 0, SYN).seg(1, "a", 1, 0, RST), "SR"),
    "RSTRH": (Flow().seg(0, "b", 0, 1, SYN | ACK).seg(1, "b", 1, 1, RST), "^hr"),
    "SH": (Flow().seg(0, "a", 0, 0, SYN).seg(1, "a", 1, 0, FIN), "SF"),
    "SHR": (Flow().seg(0, "b", 0, 1, SYN | ACK).seg(1, "b", 1, 1, FA), "^hf"),
    "OTH": (Flow().seg(0, "a", 1, 1, D, data=b"mid").seg(1, "b", 1, 4, ACK), "Da"),
}


@pytest.mark.parametrize("state", sorted(CASES))
def test_conn_state(tmp_path: Path, spec: Spec, state: str) -> None:
    flow, history = CASES[state]
    s = read(flow.write(tmp_path / f"{state}.pcap"), spec).connections[0].summary()
    assert (s["conn_state"], s["history"]) == (state, history)


def test_conn_state_in_pcapng_with_ipv6_vlan_and_sll2(tmp_path: Path, spec: Spec) -> None:
    flow = Flow(a=("2001:db8::1", 40001), b=("2001:db8::2", 443)).handshake().seg(20, "a", 1, 1, FA) \
        .seg(21, "b", 1, 2, FA).seg(22, "a", 2, 2, ACK)
    packets = [(k % 2, t // 1000, ethernet(ip, vlans=(7,)) if k % 2 == 0 else sll2(ip))
               for k, (t, ip) in enumerate(flow.frames)]
    path = pcapng(tmp_path / "v6.pcapng", [(1, None), (276, None)], packets)
    s = read(path, spec).connections[0].summary()
    assert (s["conn_state"], s["history"]) == ("SF", "ShAFf")
    assert s["endpoints"][0]["states"][-1] == "TIME_WAIT"


def test_history_repeats_letters_as_zeek_does(tmp_path: Path, spec: Spec) -> None:
    """'a' and 'd' once per direction; 't' (retransmitted payload) at 1 and 10 occurrences."""
    flow = hs().seg(20, "a", 1, 1, D, data=b"x" * 10)
    for k in range(10):
        flow.seg(30 + k * 300, "a", 1, 1, D, data=b"x" * 10)
    s = read(flow.write(tmp_path / "t.pcap"), spec).connections[0].summary()
    assert s["history"] == "ShADTT"
