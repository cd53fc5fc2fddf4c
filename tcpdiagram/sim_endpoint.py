"""The simulator's endpoint: sequence numbers, what is in flight and unacknowledged, and what an arrival brings."""

from __future__ import annotations

from dataclasses import dataclass, field

from .model import Acks, Flag, Match, PeerId

NUMERIC_BASE: dict[PeerId, int] = {"A": 100, "B": 300}  # RFC 9293 Figures 7 and 12


@dataclass(frozen=True)
class SeqNo:
    """A sequence number: `offset` past peer `pid`'s symbol (J, K, M, N), or absolute when `pid` is None."""

    pid: PeerId | None
    offset: int

    def text(self, symbols: tuple[str, str], numeric: bool) -> str:
        if self.pid is None:
            return str(self.offset)
        if numeric:
            return str(NUMERIC_BASE[self.pid] + self.offset)
        symbol = symbols[0 if self.pid == "A" else 1]
        return f"{symbol}+{self.offset}" if self.offset else symbol


@dataclass
class Wire:
    """A segment on the channel, sequence numbers kept as values so the receiver can reason on them."""

    index: int
    src: PeerId
    flags: frozenset[Flag]
    seq: SeqNo
    ack: SeqNo | None
    data: int = 0  # bytes of data it carries

    @property
    def length(self) -> int:
        """Sequence space it occupies: SYN and FIN one each, plus its data (RFC 9293 §3.4 SEG.LEN)."""
        return ("SYN" in self.flags) + ("FIN" in self.flags) + self.data


@dataclass(frozen=True)
class Outstanding:
    """A sent segment that occupies sequence space and is not yet acknowledged: what a retransmission resends."""

    seq: int  # offset from our own symbol
    flags: frozenset[Flag]  # without ACK (it rides along once synchronized)
    data: int

    @property
    def end(self) -> int:
        return self.seq + ("SYN" in self.flags) + ("FIN" in self.flags) + self.data


@dataclass
class Endpoint:
    """One simulated peer: its state, conditions and what it has sent and received."""

    pid: PeerId
    state: str
    conditions: tuple[str, ...]
    delayed_ack: int
    reads: bool = True
    snd_nxt: int = 0  # offsets from our own symbol (J, M, … or 100/300)
    snd_una: int = 0
    syn_sent: bool = False
    syn_acked: bool = False
    fin_seq: int | None = None
    fin_acked: bool = False
    rcv_nxt: int | None = None  # offset in the peer's space; None until the peer's SYN is known
    peer_fin: bool = False
    unread: int = 0  # bytes received that the application has not read
    unacked: list[Outstanding] = field(default_factory=list)
    held_ack: int | None = None  # token of a delayed ACK waiting to go out
    timers: dict[str, int] = field(default_factory=dict)  # timer event id → token of the armed timer
    retries: dict[str, int] = field(default_factory=dict)  # timer name → expiries since the last new ACK
    states: list[str] = field(default_factory=list)
    error: str | None = None

    def sent(self, seq: int, flags: frozenset[Flag], data: int) -> None:
        """Remember a segment that occupies sequence space until it is acknowledged (a repeated SYN only once)."""
        out = Outstanding(seq, flags - {"ACK"}, data)
        if out.end > out.seq and not any(o.seq == out.seq and o.flags == out.flags for o in self.unacked):
            self.unacked.append(out)

    def take_ack(self, wire: Wire) -> bool:
        """Process the ACK field for the retransmission queue; True when it acknowledges something new."""
        if wire.ack is None or wire.ack.pid != self.pid or wire.ack.offset <= self.snd_una or "RST" in wire.flags:
            return False
        self.snd_una = wire.ack.offset
        self.unacked = [o for o in self.unacked if o.end > self.snd_una]
        self.retries.clear()
        return True


def classify_parts(ep: Endpoint, wire: Wire) -> tuple[Match | None, list[Match]]:
    """What the segment brings that is new: (the whole tuple, its parts in RFC 9293 order), or (None, [])."""
    if "RST" in wire.flags:  # a RST's ACK field only makes it acceptable (§3.10.7.3): it acknowledges nothing
        rst = Match(True, False, False, "none")
        return rst, [rst]
    syn = "SYN" in wire.flags and ep.rcv_nxt is None
    fin = "FIN" in wire.flags and not ep.peer_fin
    again = "FIN" in wire.flags and ep.peer_fin
    data = wire.data > 0 and ep.rcv_nxt is not None and wire.seq.offset + wire.data > ep.rcv_nxt
    ack = wire.ack.offset if wire.ack is not None and wire.ack.pid == ep.pid else -1
    acks_syn = ep.syn_sent and not ep.syn_acked and ack >= 1
    acks_fin = ep.fin_seq is not None and not ep.fin_acked and ack >= ep.fin_seq + 1
    if not (syn or fin or acks_syn or acks_fin or data or again):
        return None, []
    whole: Match | None = None
    if not (acks_syn and acks_fin):
        acks: Acks = "syn" if acks_syn else "fin" if acks_fin else "none"
        whole = Match(False, syn, fin, acks, data, again)
    ack_parts: tuple[tuple[Acks, bool], ...] = (("syn", acks_syn), ("fin", acks_fin))
    parts = [Match(False, False, False, a) for a, on in ack_parts if on]
    parts += [Match(False, True, False, "none")] if syn else []
    parts += [Match(False, False, False, "none", data=True)] if data else []  # step 7, the text, before step 8
    parts += [Match(False, False, True, "none")] if fin else []
    parts += [Match(False, False, False, "none", again=True)] if again else []
    return whole, parts


def learn(ep: Endpoint, wire: Wire, part: Match) -> None:
    """Update what the endpoint knows from one part of an arriving segment."""
    if part.acks == "syn":
        ep.syn_acked = True
    elif part.acks == "fin":
        ep.fin_acked = True
    if part.syn:
        ep.rcv_nxt = wire.seq.offset + 1
    if part.data:
        ep.rcv_nxt = wire.seq.offset + wire.data
        if not ep.reads:
            ep.unread += wire.data
    if part.fin:
        ep.peer_fin = True
        ep.rcv_nxt = (ep.rcv_nxt or 0) + 1
