"""Reading streams the file: the peak memory of listing a capture does not grow with the capture's size."""

from __future__ import annotations

import struct
import sys
import tracemalloc
from pathlib import Path

from tcpdiagram.capture.read import read
from tcpdiagram.model import Spec

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from gen_capture import write  # noqa: E402

from capwriter import ACK, PSH, SYN, ipv4, tcp  # noqa: E402


def long_connection(path: Path, segments: int) -> Path:
    """One connection: a handshake, then `segments` data segments each acknowledged, written a record at a time."""
    a, b = ("192.0.2.1", 40001), ("198.51.100.1", 80)
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 101))

        def put(t: int, src: tuple[str, int], dst: tuple[str, int], seq: int, ack: int, flags: int, data: bytes = b"") -> None:
            ip = ipv4(src[0], dst[0], tcp(src[1], dst[1], seq, ack, flags, payload=data))
            f.write(struct.pack("<IIII", t // 10**6, t % 10**6, len(ip), len(ip)) + ip)

        put(0, a, b, 0, 0, SYN)
        put(1, b, a, 0, 1, SYN | ACK)
        put(2, a, b, 1, 1, ACK)
        for k in range(segments):
            put(10 + 2 * k, a, b, 1 + 100 * k, 1, ACK | PSH, b"z" * 100)
            put(11 + 2 * k, b, a, 1, 101 + 100 * k, ACK)
    return path


def peak(path: Path, spec: Spec) -> int:
    tracemalloc.start()
    try:
        read(path, spec)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_one_long_connection_reads_in_constant_memory(tmp_path: Path, spec: Spec) -> None:
    small = peak(long_connection(tmp_path / "s.pcap", 1_000), spec)
    large = peak(long_connection(tmp_path / "l.pcap", 10_000), spec)  # 10 times the packets
    assert large < small + 256 * 1024, (small, large)


def test_finished_connections_keep_only_a_summary(tmp_path: Path, spec: Spec) -> None:
    """Memory grows with the number of connections (each keeps its listing line), not with their segments."""
    write(tmp_path / "a.pcap", 300)
    write(tmp_path / "b.pcap", 1_500)
    small, large = peak(tmp_path / "a.pcap", spec), peak(tmp_path / "b.pcap", spec)
    per_conn = (large - small) / 1_200
    assert per_conn < 4_000, per_conn  # bytes per finished connection: its summary, not its nine segments' readers


def test_reading_makes_no_reference_cycles(tmp_path: Path, spec: Spec) -> None:
    """read_part pauses the cyclic GC while it reads; that is only safe if reading leaves no cycles behind."""
    import gc

    captures = sorted((Path(__file__).parent / "data" / "captures").glob("*/*.pcap*"))
    captures.append(write_and_return(tmp_path / "g.pcap", 300))
    gc.collect()
    was = gc.isenabled()
    gc.disable()
    try:
        for path in captures:
            for keep in (False, True):
                read(path, spec, lambda _i, _e, k=keep: k)
        found = gc.collect()
    finally:
        if was:
            gc.enable()
    assert found == 0


def write_and_return(path: Path, connections: int) -> Path:
    write(path, connections)
    return path
