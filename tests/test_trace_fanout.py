"""The listing's fast paths change nothing: in-place IPv4 decoding gives decode.py's segments, the partitions hold
every connection once (port reuse included), and the listing read by several processes is the one-process one."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from capwriter import (ACK, FIN, LINK_ETHERNET, LINK_NULL, LINK_RAW, LINK_SLL, LINK_SLL2, PSH, RST, SYN, Flow,
                       ethernet, ipv4, ipv6, null, pcap, sll, sll2, tcp)
from tcpdiagram.capture.container import frames
from tcpdiagram.capture.decode import Skipped, decode
from tcpdiagram.capture.error import CaptureError
from tcpdiagram.capture.fanout import lines
from tcpdiagram.capture.read import Capture, read
from tcpdiagram.capture.report import listing, listing_lines
from tcpdiagram.capture.stream import segments
from tcpdiagram.model import Spec

CAPTURES = sorted((Path(__file__).parent / "data" / "captures").glob("*/*.pcap*"))


def mixed(path: Path) -> Path:
    """60 interleaved connections over 25 port pairs (so most pairs are reused), closed, reset, half-open, one
    seen from its middle, one whose SYN,ACK comes first, some over IPv6."""
    frames_: list[tuple[int, bytes]] = []
    for k in range(60):
        v6 = k % 9 == 4
        a = (f"2001:db8::{k % 25 + 1:x}" if v6 else f"192.0.2.{k % 25 + 1}", 40000 + k % 25)
        b = ("2001:db8::80" if v6 else "198.51.100.1", 80)
        f = Flow(a, b, isn=(1000 + k * 7919, 5000 + k * 104729))
        t = k * 40.0
        if k == 7:
            f.seg(t, "a", 1, 1, ACK | PSH, data=b"m" * 10).seg(t + 1, "b", 1, 11, ACK)  # mid-connection
        elif k == 11:
            f.seg(t + 5, "b", 0, 1, SYN | ACK).seg(t + 5.5, "a", 0, 0, SYN).seg(t + 10, "a", 1, 1, ACK)
        else:
            f.handshake(t)
            if k % 4 == 1:
                f.seg(t + 12, "b", 1, 1, RST | ACK)
            elif k % 4 != 3:  # k % 4 == 3 stays open
                f.seg(t + 12, "a", 1, 1, ACK | PSH, data=b"x" * 50).seg(t + 14, "b", 1, 51, ACK)
                f.seg(t + 15, "a", 51, 1, FIN | ACK).seg(t + 17, "b", 1, 52, FIN | ACK).seg(t + 19, "a", 52, 2, ACK)
        frames_ += f.frames
    return pcap(path, sorted(frames_, key=lambda x: x[0]))


def both_ways(path: Path) -> tuple[tuple[object, ...], tuple[object, ...]]:
    """(segments(), counts) and (decode() of frames(), counts) of the same file."""
    cap = Capture(path.name)
    with open(path, "rb") as f:
        fast = list(segments(f, str(path), cap))
    skipped = Skipped()
    with open(path, "rb") as f:
        decoded = [decode(fr, n, skipped) for n, fr in enumerate(frames(f, str(path)), 1)]
    slow = [p for p in decoded if p is not None]
    return (fast, cap.frames, cap.tcp, dict(cap.skipped)), (slow, len(decoded), len(slow), dict(skipped))


SEG = tcp(40001, 80, 1000, 2000, ACK | PSH, payload=b"d" * 30, options=b"\x01\x01\x08\x0a" + b"\x00" * 8)
WRAPS = {
    "raw": (LINK_RAW, lambda ip: ip), "ethernet": (LINK_ETHERNET, ethernet),
    "vlan": (LINK_ETHERNET, lambda ip: ethernet(ip, vlans=(10,))), "sll": (LINK_SLL, sll), "sll2": (LINK_SLL2, sll2),
    "null": (LINK_NULL, null),
}


@pytest.mark.parametrize("wrap", sorted(WRAPS))
def test_in_place_decoding_gives_decode_py_segments(tmp_path: Path, wrap: str) -> None:
    link, put = WRAPS[wrap]
    v4, v6 = ipv4("192.0.2.1", "198.51.100.1", SEG), ipv6("2001:db8::1", "2001:db8::2", SEG)
    cases = [v4, v6, ipv4("192.0.2.1", "198.51.100.1", SEG, options=b"\x01\x01\x01\x01"),  # IPv4 options
             ipv4("192.0.2.1", "198.51.100.1", SEG, frag=0x2000), ipv4("192.0.2.1", "198.51.100.1", SEG, frag=5),
             ipv4("192.0.2.1", "198.51.100.1", SEG, proto=17), v4[:30], v4[:45],  # not TCP; cut
             struct.pack("!H", 0) + v4[2:],  # total length 0 (segmentation offload)
             v4[:32] + bytes([0x30]) + v4[33:],  # a TCP header length under 20
             v4[:2] + struct.pack("!H", 30) + v4[4:]]  # an IP length shorter than the TCP header
    path = pcap(tmp_path / "x.pcap", [(k * 1000, put(ip)) for k, ip in enumerate(cases)], linktype=link,
                snaplen=60 if wrap == "raw" else 65535)
    fast, slow = both_ways(path)
    assert fast == slow


@pytest.mark.parametrize("path", CAPTURES, ids=lambda p: p.name)
def test_in_place_decoding_on_real_captures(path: Path) -> None:
    fast, slow = both_ways(path)
    assert fast == slow


def test_partitions_hold_every_connection_once(tmp_path: Path) -> None:
    path = mixed(tmp_path / "m.pcap")
    everything = both_ways(path)[1][0]
    assert isinstance(everything, list)
    for parts in (2, 3):
        seen: dict[frozenset[tuple[bytes, int]], int] = {}
        got = []
        for mine in range(parts):
            with open(path, "rb") as f:
                for p in segments(f, str(path), Capture(path.name), parts, mine):
                    key = frozenset({(p.src, p.sport), (p.dst, p.dport)})
                    assert seen.setdefault(key, mine) == mine  # both directions, every reuse: one partition
                    got.append(p)
        assert sorted(got, key=lambda p: p.number) == everything
        assert len(set(seen.values())) == parts


@pytest.mark.parametrize("processes", [1, 2, 3])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_listing_in_processes_is_the_one_process_listing(tmp_path: Path, spec: Spec, processes: int,
                                                         lang: str) -> None:
    path = mixed(tmp_path / "m.pcap")
    cap = read(path, spec)
    assert len(cap.connections) > 25  # more than the port pairs: reused ones were split
    _cap, got = lines(path, spec, processes)
    assert listing_lines(got, lang) == listing(cap, cap.connections, lang)  # type: ignore[arg-type]


@pytest.mark.parametrize("damage", ["truncated", "no tcp"])
def test_errors_in_processes_are_the_ones_of_one(tmp_path: Path, spec: Spec, damage: str) -> None:
    path = mixed(tmp_path / "m.pcap")
    if damage == "truncated":
        path.write_bytes(path.read_bytes()[:-7])
    else:
        path = pcap(tmp_path / "u.pcap", [(0, ipv4("192.0.2.1", "198.51.100.1", b"u" * 20, proto=17))])
    with pytest.raises(CaptureError) as one:
        read(path, spec)
    with pytest.raises(CaptureError) as two:
        lines(path, spec, 2)
    assert str(two.value) == str(one.value)


def test_the_partition_hash_is_bits_16_to_31_of_the_product() -> None:
    """stream._mix computes the multiplicative hash without numbers over 48 bits; the same as the plain formula, for
    IPv4 and IPv6 address sums."""
    import random

    from tcpdiagram.capture.stream import _mix

    rnd = random.Random(12)  # noqa: S311 - test values, not secrets
    for _ in range(20000):
        addrs, ports, parts = rnd.getrandbits(rnd.choice((32, 128))), rnd.getrandbits(17), rnd.randint(1, 4)
        assert _mix(addrs, ports, parts) == ((addrs + (ports << 7)) * 0x9E3779B1 >> 16 & 0xFFFF) % parts
