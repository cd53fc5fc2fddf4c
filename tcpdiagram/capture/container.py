"""Stream the frames of a pcap or pcapng file: (interface link type, time in ns, captured bytes, length on the wire)."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, NamedTuple

from .error import CaptureError

if TYPE_CHECKING:
    from .source import Readable

PCAP_MAGIC = {  # first four bytes → (byte order, ns per timestamp fraction unit)
    b"\xd4\xc3\xb2\xa1": ("<", 1000), b"\xa1\xb2\xc3\xd4": (">", 1000),  # microseconds
    b"\x4d\x3c\xb2\xa1": ("<", 1), b"\xa1\xb2\x3c\x4d": (">", 1),  # nanoseconds
}
PCAPNG_SHB = b"\x0a\x0d\x0d\x0a"
BYTE_ORDER_MAGIC = 0x1A2B3C4D
MAX_FRAME: Final = 256 * 1024 * 1024  # a record longer than this is a damaged file, not a packet
BLOCK_IDB, BLOCK_OPB, BLOCK_SPB, BLOCK_EPB = 1, 2, 3, 6
OPT_TSRESOL, OPT_TSOFFSET = 9, 14


class Frame(NamedTuple):
    """One captured frame; `offset` is where its record starts in the file (for messages)."""

    linktype: int
    time_ns: int
    data: bytes
    wire_len: int
    offset: int


@dataclass(frozen=True)
class Interface:
    linktype: int
    snaplen: int
    units_per_s: int  # timestamp units per second (if_tsresol), 10**6 by default
    offset_s: int  # if_tsoffset, seconds added to every timestamp


def frames(f: Readable, name: str) -> Iterator[Frame]:
    """Every frame of the file, read a chunk at a time (memory does not grow with the file)."""
    return frames_after(f, name, f.read(4))


def frames_after(f: Readable, name: str, head: bytes) -> Iterator[Frame]:
    """The frames of a file whose first four bytes, `head`, were read already."""
    if head in PCAP_MAGIC:
        yield from _pcap(f, name, head)
    elif head == PCAPNG_SHB:
        yield from _pcapng(f, name, head)
    elif len(head) < 4:
        raise CaptureError(name, 0, f"not a capture: the file has {len(head)} bytes")
    else:
        raise CaptureError(name, 0, f"not a pcap or pcapng capture (starts with {head.hex()}; "
                                    "pcap starts with a1b2c3d4 or a1b23c4d, pcapng with 0a0d0d0a)")


def _need(f: Readable, n: int, name: str, offset: int, what: str) -> bytes:
    data = f.read(n)
    if len(data) < n:
        raise CaptureError(name, offset, f"truncated: {what} needs {n} bytes, the file ends after {len(data)}")
    return data


CHUNK: Final = 1 << 16  # bytes read at a time: records are cut from these, so a file is never read whole


def pcap_header(f: Readable, name: str, magic: bytes) -> tuple[str, int, int]:
    """(byte order, ns per timestamp unit, link type) from the pcap file header after its magic."""
    order, ns_per_unit = PCAP_MAGIC[magic]
    rest = _need(f, 20, name, 4, "the pcap file header")
    _major, _minor, _zone, _sigfigs, _snaplen, link = struct.unpack(order + "HHiIII", rest)
    return order, ns_per_unit, link & 0x0FFFFFFF  # the top bits of the link type may carry the FCS length


def refill_header(f: Readable, buf: bytes, pos: int, name: str, offset: int) -> bytes:
    """The rest of `buf` from `pos` and the next chunk, holding at least a record header; b"" at the end."""
    buf = buf[pos:] + f.read(CHUNK)
    if 0 < len(buf) < 16:
        raise CaptureError(name, offset, f"truncated: a record header needs 16 bytes, the file ends after {len(buf)}")
    return buf


def refill_record(f: Readable, buf: bytes, pos: int, incl: int, name: str, offset: int) -> bytes:
    """The rest of `buf` from `pos` (a record header) and what the file has next, holding the whole record."""
    if incl > MAX_FRAME:
        raise CaptureError(name, offset, f"bad record: captured length {incl} is larger than {MAX_FRAME}")
    buf = buf[pos:] + f.read(max(CHUNK, 16 + incl - (len(buf) - pos)))
    if 16 + incl > len(buf):
        raise CaptureError(name, offset + 16, f"truncated: the packet needs {incl} bytes, "
                                              f"the file ends after {len(buf) - 16}")
    return buf


def pcap_records(f: Readable, name: str, order: str, ns_per_unit: int) -> Iterator[tuple[bytes, int, int, int, int, int]]:
    """Every record after the file header as (chunk, start of its data in the chunk, captured length, time in ns,
    length on the wire, file offset of the record); the file is read CHUNK bytes at a time (stream.segments
    walks records the same way, inline)."""
    unpack = struct.Struct(order + "IIII").unpack_from
    buf, pos, offset = f.read(CHUNK), 0, 24
    while True:
        if len(buf) - pos < 16:
            buf, pos = refill_header(f, buf, pos, name, offset), 0
            if not buf:
                return
        sec, frac, incl, orig = unpack(buf, pos)
        end = pos + 16 + incl
        if end > len(buf):
            buf, pos, end = refill_record(f, buf, pos, incl, name, offset), 0, 16 + incl
        yield buf, pos + 16, incl, sec * 1_000_000_000 + frac * ns_per_unit, orig, offset
        offset += 16 + incl
        pos = end


def _pcap(f: Readable, name: str, magic: bytes) -> Iterator[Frame]:
    order, ns_per_unit, linktype = pcap_header(f, name, magic)
    for buf, start, incl, time_ns, orig, offset in pcap_records(f, name, order, ns_per_unit):
        yield Frame(linktype, time_ns, buf[start:start + incl], orig, offset)


def _tsresol(value: int) -> int:
    """if_tsresol: 10**-n seconds, or 2**-n when the top bit is set."""
    return int(2 ** (value & 0x7F) if value & 0x80 else 10 ** value)


def _options(body: bytes, start: int, order: str) -> Iterator[tuple[int, bytes]]:
    pos = start
    while pos + 4 <= len(body):
        code, length = struct.unpack_from(order + "HH", body, pos)
        if code == 0:
            return
        yield code, body[pos + 4:pos + 4 + length]
        pos += 4 + (length + 3) // 4 * 4


def _interface(body: bytes, order: str, name: str, offset: int) -> Interface:
    if len(body) < 8:
        raise CaptureError(name, offset, "bad interface description block: shorter than 8 bytes")
    linktype, _reserved, snaplen = struct.unpack_from(order + "HHI", body)
    units, shift = 10**6, 0
    for code, value in _options(body, 8, order):
        if code == OPT_TSRESOL and len(value) >= 1:
            units = _tsresol(value[0])
        elif code == OPT_TSOFFSET and len(value) >= 8:
            shift = struct.unpack(order + "q", value[:8])[0]
    return Interface(linktype, snaplen, units, shift)


def _pcapng(f: Readable, name: str, first: bytes) -> Iterator[Frame]:
    order = "<"
    interfaces: list[Interface] = []
    offset, btype_raw = 0, first
    while True:
        head = btype_raw + _need(f, 8 - len(btype_raw), name, offset, "a block header") if btype_raw else f.read(8)
        if not head:
            return
        if len(head) < 8:
            raise CaptureError(name, offset, f"truncated: a block header needs 8 bytes, the file ends after {len(head)}")
        if head[:4] == PCAPNG_SHB:  # a new section: its own byte order, its own interfaces
            bom = _need(f, 4, name, offset + 8, "the section header's byte-order magic")
            order = "<" if struct.unpack("<I", bom)[0] == BYTE_ORDER_MAGIC else ">"
            if struct.unpack(order + "I", bom)[0] != BYTE_ORDER_MAGIC:
                raise CaptureError(name, offset + 8, f"bad section header: byte-order magic {bom.hex()}")
            interfaces = []
            btype, total = struct.unpack(order + "II", head)
            body_start = 12
        else:
            btype, total = struct.unpack(order + "II", head)
            body_start = 8
        if total < 12 or total % 4 or total > MAX_FRAME:
            raise CaptureError(name, offset + 4, f"bad block length {total} (block type {btype:#x}): "
                                                 "it must be a multiple of 4, at least 12")
        rest = _need(f, total - body_start, name, offset + body_start, f"the block of type {btype:#x} ({total} bytes)")
        body, trailer = rest[:-4], rest[-4:]
        if struct.unpack(order + "I", trailer)[0] != total:
            raise CaptureError(name, offset + total - 4, f"bad block: trailing length {struct.unpack(order + 'I', trailer)[0]} "
                                                         f"differs from the leading {total}")
        if btype == BLOCK_IDB:
            interfaces.append(_interface(body, order, name, offset))
        elif btype in (BLOCK_EPB, BLOCK_OPB, BLOCK_SPB):
            frame = _packet(btype, body, order, interfaces, name, offset)
            if frame is not None:
                yield frame
        offset += total
        btype_raw = b""


def _packet(btype: int, body: bytes, order: str, interfaces: list[Interface], name: str, offset: int) -> Frame | None:
    if btype == BLOCK_SPB:
        if len(body) < 4 or not interfaces:
            raise CaptureError(name, offset, "bad simple packet block: no interface described before it"
                               if not interfaces else "bad simple packet block: shorter than 4 bytes")
        (orig,) = struct.unpack_from(order + "I", body)
        iface = interfaces[0]
        cap = min(orig, len(body) - 4, iface.snaplen or orig)
        return Frame(iface.linktype, 0, body[4:4 + cap], orig, offset)
    if btype == BLOCK_EPB:
        if len(body) < 20:
            raise CaptureError(name, offset, "bad enhanced packet block: shorter than 20 bytes")
        ifid, hi, lo, cap, orig = struct.unpack_from(order + "IIIII", body)
        start = 20
    else:  # the obsolete Packet Block
        if len(body) < 20:
            raise CaptureError(name, offset, "bad packet block: shorter than 20 bytes")
        ifid, _drops, hi, lo, cap, orig = struct.unpack_from(order + "HHIIII", body)
        start = 20
    if ifid >= len(interfaces):
        raise CaptureError(name, offset, f"packet block names interface {ifid}, but only {len(interfaces)} "
                                         "are described before it")
    if start + cap > len(body):
        raise CaptureError(name, offset, f"bad packet block: captured length {cap} runs past the block")
    iface = interfaces[ifid]
    units = (hi << 32) | lo
    time_ns = iface.offset_s * 1_000_000_000 + units * 1_000_000_000 // iface.units_per_s
    return Frame(iface.linktype, time_ns, body[start:start + cap], orig, offset)
