"""Read a capture into connections: the flow table by 4-tuple, split when a port pair is reused, streamed."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..model import Spec
from .conn import Conn, Endpoint
from .decode import ACK, LINK_NAMES, SYN, Packet, Skipped
from .error import CaptureError
from .source import Source
from .stream import segments


@dataclass
class Capture:
    """What a capture held: its connections (in the order they began), frames read, what was skipped and why."""

    name: str
    frames: int = 0
    tcp: int = 0
    skipped: Skipped = field(default_factory=Skipped)
    connections: list[Conn] = field(default_factory=list)
    linktypes: set[int] = field(default_factory=set)


Keep = Callable[[int, tuple[Endpoint, Endpoint]], bool]


def read(path: Path, spec: Spec, keep: Keep = lambda _id, _ends: False) -> Capture:
    """Every TCP connection of the file; `keep(id, ends)` says which keep their segments (for charts and JSON)."""
    cap = read_part(path, spec, 1, 0, keep)
    if not cap.connections:
        raise CaptureError(str(path), 0, why_empty(cap))
    return cap


def read_part(path: Path, spec: Spec, parts: int, mine: int, keep: Keep = lambda _id, _ends: False) -> Capture:
    """The connections of partition `mine` of `parts` (stream.partition), numbered within it; frames and skipped
    ones counted over the whole file. The cyclic garbage collector pauses meanwhile: reading makes no reference
    cycles (tests/test_trace_memory.py), so it would only walk the live connections again and again."""
    cap = Capture(path.name)
    table: dict[tuple[Endpoint, Endpoint], Conn] = {}
    with NoCycles():
        with Source(path) as f:  # its reads are where a signal that came meanwhile ends the run
            for conn in _connections(segments(f, str(path), cap, parts, mine), spec, keep, cap, table):
                conn.close()
        for conn in table.values():
            conn.close()
    return cap


class NoCycles:
    """`with NoCycles():` pauses the cyclic garbage collector for a stretch of code that makes no reference cycles
    (nested ones leave it to the outermost); reference counting still frees everything as usual."""

    def __enter__(self) -> None:
        self.collecting = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc: object) -> None:
        if self.collecting:
            gc.enable()


def _connections(stream: Iterator[Packet], spec: Spec, keep: Keep, cap: Capture,
                 table: dict[tuple[Endpoint, Endpoint], Conn]) -> Iterator[Conn]:
    """Feed each segment to its connection; yield connections replaced by a new one on the same ports."""
    for p in stream:
        a, b = (p.src, p.sport), (p.dst, p.dport)
        key = (a, b) if a <= b else (b, a)
        conn = table.get(key)
        if conn is not None and p.flags & SYN and conn.reused_by(p):
            yield conn
            conn = None
        if conn is None:
            cid = len(cap.connections) + 1
            conn = Conn(cid, (a, b), spec, keep(cid, (a, b)), p.time_ns)
            table[key] = conn
            cap.connections.append(conn)
        conn.add(p)
        if p.flags & ACK and conn.fin_acked[1] and conn.final is None and conn.settled():  # only an ACK settles one
            conn.compact()


def why_empty(cap: Capture) -> str:
    if cap.frames == 0:
        return "the capture holds no packets"
    reasons = ", ".join(f"{n} × {why}" for why, n in cap.skipped.most_common())
    unsupported = sorted(t for t in cap.linktypes if t not in LINK_NAMES)
    if unsupported and all(why.startswith("unsupported link type") for why in cap.skipped):
        return (f"unsupported link type {', '.join(map(str, unsupported))}; tcpdiagram reads "
                f"{', '.join(sorted(set(LINK_NAMES.values())))}")
    return f"no TCP segments in {cap.frames} frames ({reasons})"
