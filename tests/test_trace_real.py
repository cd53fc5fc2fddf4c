"""Every public capture in tests/data/captures traced with the states its README gives or its segments show."""

from __future__ import annotations

from pathlib import Path

import pytest

from tcpdiagram.capture.read import read
from tcpdiagram.model import Spec

CAPTURES = Path(__file__).parent / "data" / "captures"
E, C = "ESTABLISHED", "CLOSED"
# file → [(endpoint, states, role)] per connection, conn_state, history. Leading CLOSED/LISTEN are the spec's
# start states (a capture cannot show them; the README leaves them out).
EXPECT: dict[str, tuple[dict[str, list[str]], str, str]] = {
    # README: client …FIN_WAIT_1 → FIN_WAIT_2 → TIME_WAIT; server …CLOSE_WAIT → LAST_ACK → CLOSED
    "tcpdump/dns_tcp.pcap": ({"192.168.1.11:33779": ["CLOSED", "SYN_SENT", E, "FIN_WAIT_1", "FIN_WAIT_2", "TIME_WAIT"],
                              "209.87.249.18:53": ["LISTEN", "SYN_RCVD", E, "CLOSE_WAIT", "LAST_ACK", C]}, "SF", "ShADadFf"),
    # README: the server closes first after a gap; Zeek's own conn.log says SF, ShADafgF
    "zeek/miss_end_data.pcap": ({"77.238.160.184:80": ["LISTEN", "SYN_RCVD", E, "FIN_WAIT_1", "FIN_WAIT_2", "TIME_WAIT"],
                                 "192.168.122.230:60648": ["CLOSED", "SYN_SENT", E, "CLOSE_WAIT", "LAST_ACK", C]},
                                "SF", "ShADafgF"),
    # handshake only (nanosecond pcap)
    "tcpdump/tcp-handshake-nano.pcap": ({"131.155.215.69:46656": ["CLOSED", "SYN_SENT", E],
                                         "137.116.81.94:80": ["LISTEN", "SYN_RCVD", E]}, "S1", "ShA"),
    # one RST,ACK carrying data, nothing before it: seen from the middle, both reset
    "tcpdump/tcp_rst_data.pcap": ({"199.204.31.89:80": [E, C], "172.16.133.41:52875": [E, C]}, "OTH", "R"),
    # handshake, data both ways, the server resets
    "tcpdump/mptcp-fclose.pcap": ({"10.1.1.2:37479": ["CLOSED", "SYN_SENT", E, C],
                                   "10.2.1.2:2002": ["LISTEN", "SYN_RCVD", E, C]}, "RSTR", "ShADadr"),
    # the SYN,ACK is captured first; the server's FIN acks the client's: FIN_WAIT_1 → TIME_WAIT (Note 2)
    "zeek/handshake-reorder.pcap": ({"192.150.187.43:80": ["LISTEN", "SYN_RCVD", E, "CLOSE_WAIT", "LAST_ACK", C],
                                     "141.142.228.5:59856": ["CLOSED", "SYN_SENT", E, "FIN_WAIT_1", "TIME_WAIT"]},
                                    "SF", "^hSADadFf"),
    # a lone SYN: the server's state is the spec's assumption (LISTEN, then the SYN taken as delivered)
    "zeek/syn.pcap": ({"141.142.228.5:59856": ["CLOSED", "SYN_SENT"], "192.150.187.43:80": ["LISTEN", "SYN_RCVD"]},
                      "S0", "S"),
    "zeek/syn-synack.pcap": ({"141.142.228.5:59856": ["CLOSED", "SYN_SENT", E],
                              "192.150.187.43:80": ["LISTEN", "SYN_RCVD"]}, "S1", "Sh"),
    # RST in SYN_SENT: the spec's ABORT there sends nothing, so the client's state stays (a note says so);
    # the server, in SYN_RCVD from LISTEN, returns to LISTEN on the RST (RFC 9293 Figure 5, Note 1)
    "zeek/syn-then-rst.pcap": ({"1.1.1.1:13131": ["CLOSED", "SYN_SENT"], "1.1.1.2:31313": ["LISTEN", "SYN_RCVD", "LISTEN"]},
                               "RSTOS0", "SR"),
    "zeek/syn-then-ack-then-rst.pcap": ({"1.1.1.1:13131": ["CLOSED", "SYN_SENT"],
                                         "1.1.1.2:31313": ["LISTEN", "SYN_RCVD", "LISTEN"]}, "RSTOS0", "SaR"),
    "zeek/single-rst.pcap": ({"10.0.0.10:48777": [E, C], "10.0.0.80:80": [E, C]}, "OTH", "R"),
    # mid-stream data and a retransmission 300 s later (pcapng)
    "zeek/retransmit-timeout.pcapng": ({"10.0.0.1:51889": [E], "192.168.0.1:80": [E]}, "OTH", "DaT"),
    "zeek/fin_retransmission.pcap": ({"10.1.30.117:55344": ["CLOSED", "SYN_SENT", "SYN_RCVD", C],
                                      "17.167.193.62:443": ["LISTEN", "SYN_RCVD", C]}, "RSTR", "SFhr"),
    "zeek/rst-inject-rae.pcap": ({"1.2.0.2:2527": ["CLOSED", "SYN_SENT", E, C], "1.2.0.3:6649": ["LISTEN", "SYN_RCVD", E, C]},
                                 "RSTR", "SrhADar"),
}


def test_every_shared_capture_has_an_expectation() -> None:
    assert sorted(str(p.relative_to(CAPTURES)) for p in CAPTURES.glob("*/*.pcap*")) == sorted(EXPECT)


@pytest.mark.parametrize("name", sorted(EXPECT))
def test_real_capture(spec: Spec, name: str) -> None:
    states, conn_state, history = EXPECT[name]
    cap = read(CAPTURES / name, spec)
    assert len(cap.connections) == 1
    s = cap.connections[0].summary()
    assert {e["addr"]: e["states"] for e in s["endpoints"]} == states
    assert (s["conn_state"], s["history"]) == (conn_state, history)


def test_what_the_spec_does_not_explain_is_said(spec: Spec) -> None:
    notes = read(CAPTURES / "zeek/syn-then-rst.pcap", spec).connections[0].summary()["notes"]
    assert "frame 2: 1.1.1.1:13131 in SYN_SENT sent RST; no transition of the spec sends it from SYN_SENT" in notes


def test_nanosecond_times_are_kept(spec: Spec) -> None:
    conn = read(CAPTURES / "tcpdump/tcp-handshake-nano.pcap", spec, lambda _i, _e: True).connections[0]
    assert [r.time_us for r in conn.records] == [0, 127521, 127609]
    assert conn.last_ns - conn.first_ns == 127_609_669


def test_frames_that_are_not_tcp_are_counted(spec: Spec) -> None:
    cap = read(CAPTURES / "tcpdump/mptcp-fclose.pcap", spec)
    assert (cap.frames, cap.tcp, sum(cap.skipped.values())) == (11, 9, 2)
