"""One TCP connection of a capture: its two endpoints, relative numbers, and the three readers fed per segment."""

from __future__ import annotations

import socket
import typing
from dataclasses import dataclass
from typing import Any, NamedTuple

from ..model import Lang, Spec
from . import seqspace as sq
from .decode import ACK, FIN, RST, SYN, Packet
from .infer import Inference
from .marks import Marks
from .notes import Note, note, text
from .zeek import Zeek

Endpoint = tuple[bytes, int]
MASK: typing.Final = sq.MOD - 1  # sequence arithmetic inlined on the per-segment path (see seqspace)
HALF: typing.Final = sq.HALF


def addr_text(ep: Endpoint) -> str:
    """`192.0.2.1:40001`, or `[2001:db8::1]:443` for IPv6."""
    ip, port = ep
    if len(ip) == 16:
        return f"[{socket.inet_ntop(socket.AF_INET6, ip)}]:{port}"
    return f"{socket.inet_ntop(socket.AF_INET, ip)}:{port}"


@dataclass
class Record:
    """A segment as the chart and the JSON show it."""

    index: int
    number: int
    side: int
    time_us: int
    flags: int
    seq: int  # relative to its sender's ISN
    ack: int | None  # relative to the receiver's ISN; None without the ACK flag
    length: int
    window: int
    marks: tuple[str, ...]
    options: bytes


class Final(NamedTuple):
    """A settled connection's summary, small: one per listed connection stays in memory."""

    roles: tuple[str, str]
    states: tuple[tuple[str, ...], tuple[str, ...]]
    conn_state: str
    history: str
    notes: tuple[Note, ...]


@dataclass(slots=True, init=False)
class Conn:
    """Packets in capture order go to `add`; `close` ends it (the capture ended, or its ports were reused)."""

    id: int
    ends: tuple[Endpoint, Endpoint]
    spec: Spec
    keep: bool
    first_ns: int
    last_ns: int
    first_frame: int  # frame number of its first segment: connections are numbered in this order
    packets: int
    records: list[Record]
    base: list[int | None]
    isn: list[int | None]
    fins: list[bool]
    rst: bool
    held: tuple[int, Packet, tuple[str, ...]] | None
    notes: list[Note]
    zeek: Zeek | None
    marks: Marks | None  # Wireshark's marks, read only for connections whose segments are kept
    infer: Inference | None
    final: Final | None  # the summary, once the connection settled and its readers were dropped
    late: int  # segments that came after it settled: counted, not read
    fin_acked: list[bool]
    seen_top: list[int | None]
    fin_at: list[int | None]
    openers: set[int]  # sides that sent a SYN without ACK
    names: tuple[str, str]  # addr_text of both ends, made once (the notes and the listing show them)

    def __init__(self, id: int, ends: tuple[Endpoint, Endpoint], spec: Spec, keep: bool,  # noqa: A002 - the field
                 first_ns: int) -> None:
        """Its own __init__ (init=False): the dataclass's would run interpreted beside the compiled modules."""
        self.id, self.ends, self.spec, self.keep, self.first_ns = id, ends, spec, keep, first_ns
        self.last_ns = self.first_frame = self.packets = self.late = 0
        self.records, self.notes, self.openers = [], [], set()
        self.base, self.isn, self.seen_top, self.fin_at = [None, None], [None, None], [None, None], [None, None]
        self.fins, self.fin_acked = [False, False], [False, False]
        self.rst, self.held, self.final = False, None, None
        self.zeek = Zeek()
        self.names = (addr_text(ends[0]), addr_text(ends[1]))
        self.infer = Inference(spec, self.names, keep)
        self.marks = Marks() if keep else None

    def side(self, p: Packet) -> int:
        return 0 if (p.src, p.sport) == self.ends[0] else 1

    def ended(self) -> bool:
        return self.rst or (self.fins[0] and self.fins[1])

    def reused_by(self, p: Packet) -> bool:
        """A SYN that starts a new connection on these ports: the old one ended, or this ISN is new."""
        if not p.flags & SYN or p.flags & ACK:
            return False
        d = self.side(p)
        old = self.isn[d]
        return (self.ended() and old != p.seq) or (old is not None and old != p.seq and not self.established())

    def established(self) -> bool:
        return self.isn[0] is not None and self.isn[1] is not None and self.packets > 2

    def add(self, p: Packet) -> None:
        flags, seq, length = p.flags, p.seq, p.length
        d = 0 if (p.src, p.sport) == self.ends[0] else 1
        if self.packets == 0:
            self.first_ns, self.first_frame = p.time_ns, p.number
        self.packets += 1
        self.last_ns = p.time_ns
        zeek, keep = self.zeek, self.keep
        if self.final is not None or zeek is None:
            self.late += 1
            if keep:
                self._record(d, p, ())
            return
        if flags & SYN:
            if not flags & ACK:
                self.openers.add(d)
            if self.isn[d] is None:
                self.isn[d] = seq
        if keep:  # the relative numbers a record shows
            base = self.base
            if flags & SYN and (base[d] is None or not self.records_from(d)):
                base[d] = seq
            if base[d] is None:
                base[d] = (seq - 1) & MASK
            if flags & ACK and base[1 - d] is None:
                base[1 - d] = (p.ack - 1) & MASK
        if flags & FIN:
            self.fins[d] = True
        if flags & RST:
            self.rst = True
        marks = self.marks.segment(d, p) if self.marks is not None else ()  # the listing shows no marks
        seen_top = self.seen_top
        if not flags & RST and (length or flags & SYN):  # what was seen of the stream: SYN and data
            end, top = (seq + length + bool(flags & SYN)) & MASK, seen_top[d]
            if top is None or (end != top and (end - top) & MASK < HALF):
                seen_top[d] = end
        if flags & FIN:
            self.fin_at[d] = (seq + length) & MASK
        zeek.segment(d, p)
        e = 1 - d
        if flags & ACK:
            ack, other, fin = p.ack, seen_top[e], self.fin_at[e]
            acked = ack
            if fin is not None:
                after_fin = (fin + 1) & MASK
                if (ack - after_fin) & MASK < HALF:
                    self.fin_acked[e] = True
                if ack == after_fin:
                    acked = (ack - 1) & MASK
            if not flags & RST and other is not None and acked != other and (acked - other) & MASK < HALF:
                zeek.gap(e)  # acknowledged data that was never captured
                seen_top[e] = acked
        if keep:
            self._record(d, p, marks)
        inf = self.infer
        if self.held is None and inf is not None and not (self.packets == 1 and flags & SYN and flags & ACK):
            inf.segment(d, self.packets - 1, p, (p.time_ns - self.first_ns) // 1000)  # _infer's usual case
        else:
            self._infer(self.packets - 1, d, p)

    def _record(self, d: int, p: Packet, marks: tuple[str, ...]) -> None:
        b, ob = self.base[d] or 0, self.base[1 - d] or 0
        self.records.append(Record(self.packets - 1, p.number, d, self.us(p.time_ns), p.flags, sq.rel(p.seq, b),
                                   sq.rel(p.ack, ob) if p.flags & ACK else None, p.length, p.window, marks,
                                   p.options))

    def records_from(self, d: int) -> bool:
        return any(r.side == d for r in self.records)

    def us(self, ns: int) -> int:
        return (ns - self.first_ns) // 1000

    def _infer(self, index: int, d: int, p: Packet) -> None:
        """Wire order for the inference: a SYN,ACK captured before its SYN waits one packet for it."""
        assert self.infer is not None
        if index == 0 and p.flags & SYN and p.flags & ACK:
            self.held = (index, p, ())
            return
        if self.held is not None:
            hi, hp, _ = self.held
            self.held = None
            if p.flags & SYN and not p.flags & ACK and d != self.side(hp) and sq.add(p.seq, 1) == hp.ack:
                self.notes.append(note("reordered", synack=hp.number, syn=p.number))
                self.infer.segment(d, index, p, self.us(p.time_ns))
                self.infer.segment(1 - d, hi, hp, self.us(max(hp.time_ns, p.time_ns)))
                return
            self.infer.segment(self.side(hp), hi, hp, self.us(hp.time_ns), syn_ack_only=True)
        self.infer.segment(d, index, p, self.us(p.time_ns))

    def settled(self) -> bool:
        """Both FINs sent and acknowledged in the capture: what comes later is counted, not read (a reset
        connection stays open: segments after a RST are read, since a RST may be refused)."""
        return self.held is None and self.fin_acked[0] and self.fin_acked[1]

    def compact(self) -> None:
        """Finish the readers and keep only the summary, so memory follows open connections, not the file."""
        self.close()
        assert self.infer is not None and self.zeek is not None
        inf = self.infer
        self.final = tuple.__new__(Final, (  # not Final(…): a NamedTuple's __new__ runs interpreted
            self.roles(), (tuple(inf.sides[0].states), tuple(inf.sides[1].states)), self.zeek.conn_state(),
            "".join(self.zeek.history), tuple(self.notes + inf.notes)))
        self.zeek = self.marks = None
        if not self.keep:  # a chart still needs the inference's changes
            self.infer = None

    def close(self) -> None:
        if self.final is not None:
            return
        assert self.infer is not None
        if self.held is not None:
            hi, hp, _ = self.held
            self.held = None
            self.infer.segment(self.side(hp), hi, hp, self.us(hp.time_ns), syn_ack_only=True)
        self.infer.finish()

    # ---- results ------------------------------------------------------------------------------
    def roles(self) -> tuple[str, str]:
        """client/server from who sent a SYN without ACK; peer/peer when both did (simultaneous open) or none."""
        if len(self.openers) != 1:
            return ("peer", "peer")
        return ("client", "server") if 0 in self.openers else ("server", "client")

    def summary(self, lang: Lang = "en") -> dict[str, Any]:
        """The connection as JSON shows it (notes in English) or, with `lang`, as the tables and charts write it."""
        if self.final is not None:
            f = self.final
            late = [note("late", count=self.late)] if self.late else []
            return self._summary(f.roles, f.states, f.conn_state, f.history, list(f.notes) + late, lang)
        assert self.infer is not None and self.zeek is not None
        inf, z = self.infer, self.zeek
        return self._summary(self.roles(), (tuple(inf.sides[0].states), tuple(inf.sides[1].states)), z.conn_state(),
                             "".join(z.history), self.notes + inf.notes, lang)

    def row(self) -> tuple[str, str, float, str, str | None, str | None]:
        """What the listing shows: both addresses, duration (s), conn_state and each endpoint's last state."""
        states: tuple[list[str] | tuple[str, ...], list[str] | tuple[str, ...]]
        if self.final is not None:
            states, conn_state = self.final.states, self.final.conn_state
        else:
            assert self.infer is not None and self.zeek is not None
            states, conn_state = (self.infer.sides[0].states, self.infer.sides[1].states), self.zeek.conn_state()
        return (self.names[0], self.names[1], round((self.last_ns - self.first_ns) / 1e9, 9),
                conn_state, states[0][-1] if states[0] else None, states[1][-1] if states[1] else None)

    def _summary(self, roles: tuple[str, str], states: tuple[tuple[str, ...], tuple[str, ...]], conn_state: str,
                 history: str, notes: list[Note], lang: Lang) -> dict[str, Any]:
        return {
            "id": self.id,
            "endpoints": [{"addr": addr_text(self.ends[k]), "role": roles[k], "states": list(states[k])} for k in (0, 1)],
            "packets": self.packets,
            "start": round(self.first_ns / 1e9, 9),
            "duration": round((self.last_ns - self.first_ns) / 1e9, 9),
            "conn_state": conn_state,
            "history": history,
            "notes": [text(n, lang) for n in notes],
        }
