"""Reading captures: pcap (µs/ns, both byte orders), pcapng (interfaces with their own link type and resolution),
link layers, IPv4 options and fragments, IPv6 extension headers, snap length, TCP options."""

from __future__ import annotations

from pathlib import Path

import pytest

from capwriter import (ACK, LINK_ETHERNET, LINK_NULL, LINK_RAW, LINK_SLL, LINK_SLL2, PSH, SYN, Flow, ethernet,
                       ipv4, ipv6, null, pcap, pcapng, sll, sll2, tcp)
from tcpdiagram.capture.container import frames
from tcpdiagram.capture.decode import Skipped, decode
from tcpdiagram.capture.options import parse
from tcpdiagram.capture.read import read
from tcpdiagram.model import Spec

SEG = tcp(40001, 80, 1000, 0, SYN)


def packets(path: Path) -> tuple[list, Skipped]:  # type: ignore[type-arg]
    skipped = Skipped()
    with open(path, "rb") as f:
        out = [decode(fr, n, skipped) for n, fr in enumerate(frames(f, str(path)), 1)]
    return [p for p in out if p is not None], skipped


@pytest.mark.parametrize("ns", [False, True])
@pytest.mark.parametrize("big", [False, True])
def test_pcap_resolutions_and_byte_orders(tmp_path: Path, ns: bool, big: bool) -> None:
    t = 1_700_000_000_123_456_789
    path = pcap(tmp_path / "x.pcap", [(t, ipv4("192.0.2.1", "198.51.100.1", SEG))], ns=ns, big=big)
    (p,), _ = packets(path)
    assert p.time_ns == (t if ns else t // 1000 * 1000)
    assert (p.sport, p.dport, p.seq, p.flags) == (40001, 80, 1000, SYN)


def test_pcapng_interfaces_keep_their_own_link_type_and_resolution(tmp_path: Path) -> None:
    raw = ipv4("192.0.2.1", "198.51.100.1", SEG)
    path = pcapng(tmp_path / "x.pcapng", [(LINK_ETHERNET, None), (LINK_RAW, 9), (LINK_SLL2, 0x80 | 10)],
                  [(0, 1_500_000, ethernet(raw)), (1, 1_500_000_000, raw), (2, 3 * 1024, sll2(raw))])
    got, skipped = packets(path)
    assert [p.time_ns for p in got] == [1_500_000_000, 1_500_000_000, 3_000_000_000]
    assert not skipped


@pytest.mark.parametrize("wrap", [
    pytest.param(lambda ip: (LINK_ETHERNET, ethernet(ip)), id="ethernet"),
    pytest.param(lambda ip: (LINK_ETHERNET, ethernet(ip, vlans=(10,))), id="802.1Q"),
    pytest.param(lambda ip: (LINK_ETHERNET, ethernet(ip, vlans=(100, 10))), id="QinQ"),
    pytest.param(lambda ip: (LINK_SLL, sll(ip)), id="SLL"),
    pytest.param(lambda ip: (LINK_SLL2, sll2(ip)), id="SLL2"),
    pytest.param(lambda ip: (LINK_NULL, null(ip)), id="NULL"),
    pytest.param(lambda ip: (LINK_RAW, ip), id="raw"),
])
@pytest.mark.parametrize("v6", [False, True])
def test_link_layers(tmp_path: Path, wrap, v6: bool) -> None:  # type: ignore[no-untyped-def]
    ip = ipv6("2001:db8::1", "2001:db8::2", SEG) if v6 else ipv4("192.0.2.1", "198.51.100.1", SEG)
    link, frame = wrap(ip)
    (p,), _ = packets(pcap(tmp_path / "x.pcap", [(0, frame)], linktype=link))
    assert (len(p.src), p.sport, p.seq) == (16 if v6 else 4, 40001, 1000)


def test_ipv4_options_fragments_and_ipv6_extension_headers(tmp_path: Path) -> None:
    data = tcp(40001, 80, 1, 1, ACK | PSH, payload=b"x" * 10)
    path = pcap(tmp_path / "x.pcap", [
        (0, ipv4("192.0.2.1", "198.51.100.1", data, options=b"\x94\x04\x00\x00")),  # router alert
        (1, ipv4("192.0.2.1", "198.51.100.1", b"later bytes of a fragment", frag=0x0003)),
        (2, ipv6("2001:db8::1", "2001:db8::2", data, ext=(0, 60, 43))),
        (3, ipv4("192.0.2.1", "198.51.100.1", b"", proto=17)),
    ])
    got, skipped = packets(path)
    assert [p.length for p in got] == [10, 10]
    assert skipped == {"IPv4 fragment after the first (no TCP header)": 1, "not TCP": 1}


def test_snap_length_keeps_the_length_from_the_ip_header(tmp_path: Path) -> None:
    big = ipv4("192.0.2.1", "198.51.100.1", tcp(40001, 80, 1, 1, ACK, payload=b"y" * 1000))
    (p,), _ = packets(pcap(tmp_path / "x.pcap", [(0, big)], snaplen=60))
    assert (p.length, p.cut) == (1000, True)


def test_tcp_options() -> None:
    opts = (b"\x02\x04\x05\xb4" b"\x01\x03\x03\x07" b"\x04\x02" b"\x08\x0a\x00\x00\x00\x01\x00\x00\x00\x02"
            b"\x01\x01\x05\x0a\x00\x00\x00\x10\x00\x00\x00\x20")
    assert parse(opts) == {"mss": 1460, "wscale": 7, "sack_perm": True, "ts": [1, 2], "sack": [[16, 32]]}


def test_connections_split_on_port_reuse_and_keep_relative_numbers(tmp_path: Path, spec: Spec) -> None:
    f = Flow().handshake().seg(20, "a", 1, 1, 0x11).seg(25, "b", 1, 2, 0x11).seg(30, "a", 2, 2, ACK)
    again = Flow(isn=(90000, 70000)).handshake(t=100)
    path = pcap(tmp_path / "x.pcap", f.frames + again.frames)
    cap = read(path, spec, lambda _i, _e: True)
    assert [c.packets for c in cap.connections] == [6, 3]
    assert [(r.seq, r.ack) for r in cap.connections[1].records] == [(0, None), (0, 1), (1, 1)]
