"""Frames → TCP segments: link layers (Ethernet + 802.1Q/QinQ, SLL, SLL2, raw IP, BSD NULL/loopback), IPv4, IPv6, TCP."""

from __future__ import annotations

import struct
from collections import Counter
from typing import Final, NamedTuple

from .container import Frame

# Link types (https://www.tcpdump.org/linktypes.html) → how to find the IP packet in the frame.
LINK_NULL: Final = 0
LINK_ETHERNET: Final = 1
LINK_RAW: Final = 101
LINK_LOOP: Final = 108
LINK_SLL: Final = 113
LINK_IPV4: Final = 228
LINK_IPV6: Final = 229
LINK_SLL2: Final = 276
LINK_RAW_ALT: Final = (12, 14)  # DLT_RAW as some BSDs number it
LINK_NAMES = {LINK_NULL: "BSD loopback", LINK_ETHERNET: "Ethernet", LINK_RAW: "raw IP", LINK_LOOP: "OpenBSD loopback",
              LINK_SLL: "Linux cooked (SLL)", LINK_IPV4: "raw IPv4", LINK_IPV6: "raw IPv6", LINK_SLL2: "Linux cooked v2 (SLL2)",
              12: "raw IP", 14: "raw IP"}
ETH_IPV4, ETH_IPV6, ETH_VLAN = 0x0800, 0x86DD, (0x8100, 0x88A8, 0x9100)
NULL_IPV6 = (24, 28, 30)  # AF_INET6 on NetBSD/OpenBSD, FreeBSD, macOS
IPV6_EXT = (0, 43, 60, 135, 139, 140)  # hop-by-hop, routing, destination options, mobility, HIP, shim6
IPV6_FRAGMENT: Final = 44
IPV6_AH: Final = 51
PROTO_TCP: Final = 6
FIN: Final = 0x01  # the TCP flag bits
SYN: Final = 0x02
RST: Final = 0x04
PSH: Final = 0x08
ACK: Final = 0x10
URG: Final = 0x20
ECE: Final = 0x40
CWR: Final = 0x80
FLAG_NAMES = ((SYN, "SYN"), (FIN, "FIN"), (RST, "RST"), (PSH, "PSH"), (ACK, "ACK"), (URG, "URG"), (ECE, "ECE"), (CWR, "CWR"))

_TCP = struct.Struct("!HHIIBBH")


class Packet(NamedTuple):
    """One TCP segment as captured. Addresses are packed bytes (4 or 16); `length` is the payload on the wire."""

    number: int  # 1-based frame number in the file, as Wireshark counts
    time_ns: int
    src: bytes
    sport: int
    dst: bytes
    dport: int
    seq: int
    ack: int
    flags: int
    window: int
    length: int
    options: bytes  # the raw TCP options (parsed on demand by options.py)
    cut: bool  # the snap length cut the TCP header or payload


class Skipped(Counter[str]):
    """Why frames were not used: reason → count."""


def ip_packet(frame: Frame) -> tuple[int, int] | str:
    """(offset of the IP header, IP version) in the frame, or why there is none."""
    link, data = frame.linktype, frame.data
    if link == LINK_ETHERNET:
        pos = 12
        if len(data) < 14:
            return "frame shorter than an Ethernet header"
        etype = (data[12] << 8) | data[13]
        while etype in ETH_VLAN:  # 802.1Q, 802.1ad (QinQ) tags, any depth
            pos += 4
            if len(data) < pos + 2:
                return "frame cut inside a VLAN tag"
            etype = (data[pos] << 8) | data[pos + 1]
        return _ethertype(etype, pos + 2)
    if link == LINK_SLL:
        return _ethertype((data[14] << 8) | data[15], 16) if len(data) >= 16 else "frame shorter than an SLL header"
    if link == LINK_SLL2:
        return _ethertype((data[0] << 8) | data[1], 20) if len(data) >= 20 else "frame shorter than an SLL2 header"
    if link in (LINK_RAW, LINK_IPV4, LINK_IPV6) or link in LINK_RAW_ALT:
        return _version(data, 0)
    if link in (LINK_NULL, LINK_LOOP):
        if len(data) < 4:
            return "frame shorter than a loopback header"
        family = struct.unpack(">I" if link == LINK_LOOP else "<I", data[:4])[0]
        if family > 0xFFFF:  # NULL is in the capturing machine's byte order: this one was big-endian
            family = struct.unpack(">I", data[:4])[0]
        if family == 2:
            return 4, 4
        if family in NULL_IPV6:
            return 4, 6
        return f"loopback address family {family}"
    return f"unsupported link type {link}"


def _ethertype(etype: int, pos: int) -> tuple[int, int] | str:
    if etype == ETH_IPV4:
        return pos, 4
    if etype == ETH_IPV6:
        return pos, 6
    return f"ethertype {etype:#06x} (not IP)"


def _version(data: bytes, pos: int) -> tuple[int, int] | str:
    if len(data) <= pos:
        return "empty packet"
    v = data[pos] >> 4
    return (pos, v) if v in (4, 6) else f"IP version {v}"


def decode(frame: Frame, number: int, skipped: Skipped) -> Packet | None:
    """The TCP segment in the frame, or None (the reason counted in `skipped`)."""
    where = ip_packet(frame)
    if isinstance(where, str):
        skipped[where] += 1
        return None
    pos, version = where
    data = frame.data
    cut_ip = False
    if version == 4:
        if len(data) < pos + 20 or data[pos] >> 4 != 4:
            skipped["IPv4 header cut by the snap length" if len(data) < pos + 20 else "bad IPv4 header"] += 1
            return None
        ihl = (data[pos] & 0x0F) * 4
        total = (data[pos + 2] << 8) | data[pos + 3]
        if data[pos + 9] != PROTO_TCP:
            skipped["not TCP"] += 1
            return None
        if ((data[pos + 6] << 8) | data[pos + 7]) & 0x1FFF:
            skipped["IPv4 fragment after the first (no TCP header)"] += 1
            return None
        src, dst = data[pos + 12:pos + 16], data[pos + 16:pos + 20]
        start, tcp_len = pos + ihl, total - ihl
        if total == 0:  # TCP segmentation offload: the length is not filled in
            tcp_len = len(data) - start
    else:
        if len(data) < pos + 40:
            skipped["IPv6 header cut by the snap length"] += 1
            return None
        payload = (data[pos + 4] << 8) | data[pos + 5]
        nxt, start = data[pos + 6], pos + 40
        src, dst = data[pos + 8:pos + 24], data[pos + 24:pos + 40]
        end = start + payload if payload else len(data)
        while nxt != PROTO_TCP:
            if len(data) < start + 8:
                skipped["IPv6 extension header cut by the snap length" if nxt in IPV6_EXT + (IPV6_FRAGMENT, IPV6_AH)
                        else "not TCP"] += 1
                return None
            if nxt in IPV6_EXT:
                nxt, start = data[start], start + (data[start + 1] + 1) * 8
            elif nxt == IPV6_AH:
                nxt, start = data[start], start + (data[start + 1] + 2) * 4
            elif nxt == IPV6_FRAGMENT:
                if ((data[start + 2] << 8) | data[start + 3]) & 0xFFF8:
                    skipped["IPv6 fragment after the first (no TCP header)"] += 1
                    return None
                nxt, start = data[start], start + 8
            else:
                skipped["not TCP"] += 1
                return None
        tcp_len = end - start
    if len(data) < start + 20:
        skipped["TCP header cut by the snap length"] += 1
        return None
    sport, dport, seq, ack, off, flags, window = _TCP.unpack_from(data, start)
    hlen = (off >> 4) * 4
    if hlen < 20 or tcp_len < hlen:
        skipped["bad TCP header length"] += 1
        return None
    opt_end = min(start + hlen, len(data))
    cut_ip = len(data) < start + tcp_len
    return Packet(number, frame.time_ns, bytes(src), sport, bytes(dst), dport, seq, ack, flags, window,
                  tcp_len - hlen, bytes(data[start + 20:opt_end]) if hlen > 20 else b"", cut_ip)


def flag_names(flags: int) -> list[str]:
    """Flag bits as names, SYN FIN RST PSH ACK URG ECE CWR order."""
    return [name for bit, name in FLAG_NAMES if flags & bit]
