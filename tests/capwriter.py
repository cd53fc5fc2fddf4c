"""A tiny capture writer for tests: TCP/IP packets, link layers, pcap (µs/ns, either byte order) and pcapng files."""

from __future__ import annotations

import ipaddress
import struct
from dataclasses import dataclass, field
from pathlib import Path

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10
LINK_ETHERNET, LINK_RAW, LINK_NULL, LINK_SLL, LINK_SLL2 = 1, 101, 0, 113, 276


def tcp(sport: int, dport: int, seq: int, ack: int, flags: int, win: int = 65535, payload: bytes = b"",
        options: bytes = b"") -> bytes:
    options += b"\x00" * (-len(options) % 4)
    off = (20 + len(options)) // 4
    return struct.pack("!HHIIBBHHH", sport, dport, seq % 2**32, ack % 2**32, off << 4, flags, win, 0, 0) + options + payload


def ipv4(src: str, dst: str, segment: bytes, frag: int = 0, options: bytes = b"", proto: int = 6) -> bytes:
    options += b"\x00" * (-len(options) % 4)
    ihl = 5 + len(options) // 4
    head = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, ihl * 4 + len(segment), 1, frag, 64, proto, 0,
                       ipaddress.IPv4Address(src).packed, ipaddress.IPv4Address(dst).packed)
    return head + options + segment


def ipv6(src: str, dst: str, segment: bytes, ext: tuple[int, ...] = ()) -> bytes:
    """`ext`: extension header types (0 hop-by-hop, 60 destination options, 43 routing) before TCP."""
    chain = list(ext) + [6]
    body = b""
    for k, kind in enumerate(ext):
        body += bytes([chain[k + 1], 0]) + b"\x01\x04\x00\x00\x00\x00"  # 8 bytes: next, len 0, a PadN
    body += segment
    return struct.pack("!IHBB16s16s", 6 << 28, len(body), chain[0], 64, ipaddress.IPv6Address(src).packed,
                       ipaddress.IPv6Address(dst).packed) + body


def ethernet(packet: bytes, vlans: tuple[int, ...] = (), tpid: int = 0x8100) -> bytes:
    etype = 0x86DD if packet[0] >> 4 == 6 else 0x0800
    tags = b""
    for k, vid in enumerate(vlans):
        tags += struct.pack("!HH", 0x88A8 if k == 0 and len(vlans) > 1 else tpid, vid)
    return b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + tags + struct.pack("!H", etype) + packet


def sll(packet: bytes) -> bytes:
    etype = 0x86DD if packet[0] >> 4 == 6 else 0x0800
    return struct.pack("!HHH8sH", 0, 1, 6, b"\x02\x00\x00\x00\x00\x01\x00\x00", etype) + packet


def sll2(packet: bytes) -> bytes:
    etype = 0x86DD if packet[0] >> 4 == 6 else 0x0800
    return struct.pack("!HHIHBB8s", etype, 0, 2, 1, 0, 6, b"\x02\x00\x00\x00\x00\x01\x00\x00") + packet


def null(packet: bytes) -> bytes:
    return struct.pack("<I", 30 if packet[0] >> 4 == 6 else 2) + packet


def pcap(path: Path, frames: list[tuple[int, bytes]], linktype: int = LINK_RAW, ns: bool = False, big: bool = False,
         snaplen: int = 65535) -> Path:
    """frames: (time in ns, bytes); a frame longer than snaplen is cut, its wire length kept."""
    o = ">" if big else "<"
    out = [struct.pack(o + "IHHiIII", 0xA1B23C4D if ns else 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype)]
    for t, data in frames:
        cut = data[:snaplen]
        frac = t % 10**9 if ns else (t % 10**9) // 1000
        out.append(struct.pack(o + "IIII", t // 10**9, frac, len(cut), len(data)) + cut)
    path.write_bytes(b"".join(out))
    return path


def _block(kind: int, body: bytes) -> bytes:
    body += b"\x00" * (-len(body) % 4)
    return struct.pack("<II", kind, len(body) + 12) + body + struct.pack("<I", len(body) + 12)


def pcapng(path: Path, interfaces: list[tuple[int, int | None]], packets: list[tuple[int, int, bytes]],
           unknown_block: bool = True) -> Path:
    """interfaces: (link type, if_tsresol byte or None for µs); packets: (interface, time in that unit, bytes)."""
    out = [_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))]
    for link, resol in interfaces:
        opts = struct.pack("<HH", 9, 1) + bytes([resol]) + b"\x00\x00\x00" if resol is not None else b""
        out.append(_block(1, struct.pack("<HHI", link, 0, 0) + opts + (struct.pack("<HH", 0, 0) if opts else b"")))
    if unknown_block:
        out.append(_block(0x0BAD, b"custom data the reader must skip"))
    for ifid, units, data in packets:
        out.append(_block(6, struct.pack("<IIIII", ifid, units >> 32, units & 0xFFFFFFFF, len(data), len(data)) + data))
    path.write_bytes(b"".join(out))
    return path


@dataclass
class Flow:
    """Segments of one connection between a (client) and b (server), raw IP, times in ms."""

    a: tuple[str, int] = ("192.0.2.1", 40001)
    b: tuple[str, int] = ("198.51.100.1", 80)
    isn: tuple[int, int] = (1000, 5000)
    frames: list[tuple[int, bytes]] = field(default_factory=list)

    def seg(self, t_ms: float, frm: str, seq: int, ack: int, flags: int, win: int = 65535, data: bytes = b"",
            options: bytes = b"") -> Flow:
        """seq/ack relative to the sender's / receiver's ISN."""
        (sh, sp), (dh, dp) = (self.a, self.b) if frm == "a" else (self.b, self.a)
        mine, theirs = (self.isn[0], self.isn[1]) if frm == "a" else (self.isn[1], self.isn[0])
        segment = tcp(sp, dp, mine + seq, theirs + ack if flags & ACK else 0, flags, win, data, options)
        ip = ipv6(sh, dh, segment) if ":" in sh else ipv4(sh, dh, segment)
        self.frames.append((int(t_ms * 1_000_000), ip))
        return self

    def handshake(self, t: float = 0, rtt: float = 10) -> Flow:
        return (self.seg(t, "a", 0, 0, SYN).seg(t + rtt / 2, "b", 0, 1, SYN | ACK)
                .seg(t + rtt, "a", 1, 1, ACK))

    def write(self, path: Path, **kw: object) -> Path:
        return pcap(path, self.frames, **kw)  # type: ignore[arg-type]
