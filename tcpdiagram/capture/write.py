"""Write packets as a nanosecond pcap of raw IP (LINKTYPE_RAW), as `tcpdiagram verify --pcap` saves its runs."""

from __future__ import annotations

import struct
from collections.abc import Iterable
from pathlib import Path

MAGIC_NS, LINKTYPE_RAW, SNAPLEN = 0xA1B23C4D, 101, 262144


def write_pcap(path: Path, packets: Iterable[tuple[int, bytes]]) -> None:
    """packets: (time in ns since the epoch, an IPv4 or IPv6 packet)."""
    parts = [struct.pack("<IHHiIII", MAGIC_NS, 2, 4, 0, 0, SNAPLEN, LINKTYPE_RAW)]
    for t, data in packets:
        parts.append(struct.pack("<IIII", t // 1_000_000_000, t % 1_000_000_000, len(data), len(data)) + data)
    from ..fsutil import write_atomic

    write_atomic(path, b"".join(parts))
