"""A generated capture for the `trace` benchmark: N interleaved TCP connections (handshake, data, 4-segment close),
9 segments each, written as a microsecond pcap of raw IPv4 one record at a time."""

from __future__ import annotations

import struct
import sys
from collections.abc import Iterator
from pathlib import Path

FIN, SYN, ACK, PSH = 0x01, 0x02, 0x10, 0x08
SEGMENTS = 9
PAYLOAD = b"x" * 100
CONCURRENT = 200  # connections open at any moment; each advances one segment per round


def _segments(k: int) -> list[tuple[int, int, int, int, int, bytes]]:
    """(from client?, seq, ack, flags, window, payload) of connection k, relative numbers."""
    c, s = 1000 + k, 500000 + k
    n = len(PAYLOAD)
    return [
        (1, c, 0, SYN, 64240, b""), (0, s, c + 1, SYN | ACK, 65160, b""), (1, c + 1, s + 1, ACK, 502, b""),
        (1, c + 1, s + 1, ACK | PSH, 502, PAYLOAD), (0, s + 1, c + 1 + n, ACK, 509, b""),
        (1, c + 1 + n, s + 1, FIN | ACK, 502, b""), (0, s + 1, c + 2 + n, ACK, 509, b""),
        (0, s + 1, c + 2 + n, FIN | ACK, 509, b""), (1, c + 2 + n, s + 2, ACK, 502, b""),
    ]


def _packet(k: int, seg: tuple[int, int, int, int, int, bytes]) -> bytes:
    up, seq, ack, flags, win, data = seg
    cli = bytes([10, (k >> 16) & 0xFF, (k >> 8) & 0xFF, k & 0xFF])
    srv = bytes([192, 0, 2, 80])
    cport, sport = 1024 + k % 60000, 80
    src, dst, sp, dp = (cli, srv, cport, sport) if up else (srv, cli, sport, cport)
    tcp = struct.pack("!HHIIBBHHH", sp, dp, seq % 2**32, ack % 2**32, 5 << 4, flags, win, 0, 0) + data
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0, 64, 6, 0, src, dst) + tcp


def packets(n: int) -> Iterator[bytes]:
    """Round-robin over CONCURRENT open connections; a finished one is replaced by the next."""
    open_: list[tuple[int, int]] = []  # (connection, next segment)
    started = 0
    while started < n or open_:
        while len(open_) < CONCURRENT and started < n:
            open_.append((started, 0))
            started += 1
        nxt = []
        for k, i in open_:
            yield _packet(k, _segments(k)[i])
            if i + 1 < SEGMENTS:
                nxt.append((k, i + 1))
        open_ = nxt


def write(path: Path, connections: int) -> int:
    """Write the capture; return its packet count."""
    count = 0
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 101))
        for count, data in enumerate(packets(connections), 1):
            t = 1_700_000_000_000_000 + count * 50  # µs, 50 µs apart
            f.write(struct.pack("<IIII", t // 1_000_000, t % 1_000_000, len(data), len(data)) + data)
    return count


if __name__ == "__main__":
    print(write(Path(sys.argv[1]), int(sys.argv[2])))
