"""A capture's TCP segments in one pass: pcap records cut from large reads, the usual IPv4 frame decoded in place,
every other frame by decode.py; optionally only the connections of one partition (by a hash of the 4-tuple)."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import Final, TYPE_CHECKING

from .container import CHUNK, PCAP_MAGIC, Frame, frames_after, pcap_header, refill_header, refill_record
from .decode import LINK_ETHERNET, LINK_IPV4, LINK_IPV6, LINK_RAW, LINK_RAW_ALT, LINK_SLL, LINK_SLL2, Packet, decode

if TYPE_CHECKING:
    from .read import Capture
    from .source import Readable

# Where a link type puts the IP header, and where its ethertype is (None: raw IP, no ethertype).
_FAST_LINKS: Final[dict[int, tuple[int, int | None]]] = {
    LINK_ETHERNET: (14, 12), LINK_SLL: (16, 14), LINK_SLL2: (20, 0), LINK_RAW: (0, None), LINK_IPV4: (0, None),
    LINK_IPV6: (0, None), **{t: (0, None) for t in LINK_RAW_ALT}}
# An IPv4 header without options, then the TCP header: total length, flags+fragment offset, addresses (as numbers,
# for the partition; the packet keeps their bytes), ports, sequence and acknowledgement numbers, data offset, flags,
# window.
_IP_TCP: Final = struct.Struct("!2xH2xH4xIIHHIIBBH")
_new: Final = tuple.__new__


def partition(src: bytes, sport: int, dst: bytes, dport: int, parts: int) -> int:
    """Which of `parts` partitions a connection belongs to: the same for both directions and every port reuse."""
    return _mix(int.from_bytes(src, "big") ^ int.from_bytes(dst, "big"), sport ^ dport, parts)


def _mix(addrs: int, ports: int, parts: int) -> int:
    """A multiplicative hash of both: bits 16-31 of (addrs + (ports << 7)) * 0x9E3779B1, modulo `parts`. Only the
    product's low 32 bits count, so it is multiplied out in 16-bit halves: compiled (capture/native.py), every
    product is then a machine multiplication (mypyc takes a factor over 2**30 for a big number)."""
    x = addrs + (ports << 7)
    xl, xh = x & 0xFFFF, x >> 16 & 0xFFFF
    return (((xl * 0x79B1) >> 16) + xh * 0x79B1 + xl * 0x9E37 & 0xFFFF) % parts


def segments(f: Readable, name: str, cap: Capture, parts: int = 1, mine: int = 0) -> Iterator[Packet]:
    """Every TCP segment of the file in capture order (of partition `mine` when `parts` > 1); counts frames, TCP
    segments (of all partitions) and skipped frames in `cap`."""
    head = f.read(4)
    if head not in PCAP_MAGIC:  # pcapng (or not a capture: frames_after says which)
        yield from _general(frames_after(f, name, head), cap, parts, mine)
        return
    order, ns_per_unit, linktype = pcap_header(f, name, head)
    cap.linktypes.add(linktype)
    fast = _FAST_LINKS.get(linktype)
    ip_off, etype_at = fast if fast is not None else (0, None)
    need = ip_off + 40 if fast is not None else 1 << 62  # shorter frames (and other link types): decode.py
    unpack, record = _IP_TCP.unpack_from, struct.Struct(order + "IIII").unpack_from
    skipped = cap.skipped
    n = tcp = 0
    buf, pos, offset = f.read(CHUNK), 0, 24
    sec: int  # declared: what struct returns is then a machine integer when compiled (capture/native.py)
    frac: int
    incl: int
    orig: int
    total: int
    frag: int
    src_i: int
    dst_i: int
    sport: int
    dport: int
    seq: int
    ack: int
    off: int
    flags: int
    window: int
    try:
        while True:  # container.pcap_records' walk, inline
            if len(buf) - pos < 16:
                buf, pos = refill_header(f, buf, pos, name, offset), 0
                if not buf:
                    return
            sec, frac, incl, orig = record(buf, pos)
            end = pos + 16 + incl
            if end > len(buf):
                buf, pos, end = refill_record(f, buf, pos, incl, name, offset), 0, 16 + incl
            s, at = pos + 16, offset
            offset += 16 + incl
            pos = end
            n += 1
            i = s + ip_off
            if (incl >= need and buf[i] == 0x45 and buf[i + 9] == 6
                    and (etype_at is None or (buf[s + etype_at] == 8 and buf[s + etype_at + 1] == 0))):
                total, frag, src_i, dst_i, sport, dport, seq, ack, off, flags, window = unpack(buf, i)
                tcp_len = total - 20 if total else incl - ip_off - 20
                hlen = (off >> 4) * 4
                if not frag & 0x1FFF and 20 <= hlen <= tcp_len:
                    tcp += 1
                    if parts > 1 and _mix(src_i ^ dst_i, sport ^ dport, parts) != mine:
                        continue
                    t = i + 20
                    opts = buf[t + 20:s + min(ip_off + 20 + hlen, incl)] if hlen > 20 else b""
                    yield _new(Packet, (n, sec * 1_000_000_000 + frac * ns_per_unit, buf[i + 12:i + 16], sport,
                                        buf[i + 16:i + 20], dport, seq, ack, flags, window, tcp_len - hlen, opts,
                                        incl < ip_off + 20 + tcp_len))
                    continue
            p = decode(Frame(linktype, sec * 1_000_000_000 + frac * ns_per_unit, buf[s:s + incl], orig, at), n,
                       skipped)
            if p is not None:
                tcp += 1
                if parts == 1 or partition(p.src, p.sport, p.dst, p.dport, parts) == mine:
                    yield p
    finally:
        cap.frames, cap.tcp = n, tcp


def _general(stream: Iterator[Frame], cap: Capture, parts: int, mine: int) -> Iterator[Packet]:
    skipped = cap.skipped
    for n, frame in enumerate(stream, 1):
        cap.frames = n
        cap.linktypes.add(frame.linktype)
        p = decode(frame, n, skipped)
        if p is None:
            continue
        cap.tcp += 1
        if parts == 1 or partition(p.src, p.sport, p.dst, p.dport, parts) == mine:
            yield p
