"""Zeek's view of a connection: its endpoint states, `conn_state` and `history`, by the rules of Zeek's
base/protocols/conn/main.zeek (conn_state, the history letters) and its TCP analyzer's endpoint states."""

from __future__ import annotations

from typing import Final
from . import seqspace as sq
from .decode import ACK, FIN, RST, SYN, Packet

INACTIVE: Final = 0  # Zeek's endpoint states
SYN_SENT: Final = 1
SYN_ACK_SENT: Final = 2
PARTIAL: Final = 3
ESTABLISHED: Final = 4
CLOSED: Final = 5
RESET: Final = 6
ONCE: Final = "adiq"  # recorded at most once per direction
LOGARITHMIC: Final = "cgtw"  # recorded at 1, 10, 100, … occurrences


class Zeek:
    """Feed segments in capture order; `orig` is the side Zeek calls the originator (it may flip: '^')."""

    __slots__ = ("state", "history", "seen", "counts", "last", "orig", "flipped", "size", "top", "first")

    def __init__(self) -> None:
        self.state = [INACTIVE, INACTIVE]
        self.history: list[str] = []
        self.seen: set[str] = set()
        self.counts: dict[str, int] = {}
        self.last: dict[str, int] = {}
        self.orig = 0  # index of the originating side (the first packet's sender unless flipped)
        self.flipped = False
        self.size = [0, 0]  # payload bytes sent, from sequence numbers
        self.top: list[int | None] = [None, None]  # highest sequence number sent + 1
        self.first: list[int | None] = [None, None]  # first data sequence number

    def segment(self, d: int, p: Packet) -> None:
        flags = p.flags
        if not self.history and flags & SYN and flags & ACK and self.state == [INACTIVE, INACTIVE]:
            self.orig, self.flipped = 1 - d, True  # a SYN,ACK first: its sender is the responder ('^')
            self.history.append("^")
        is_orig = d == self.orig
        me, peer = d, 1 - d
        if flags & (SYN | FIN | RST) or not flags & ACK or p.length or p.window == 0:
            self._history(d, p, is_orig)
        elif ("A" if is_orig else "a") not in self.seen:  # _history's case of a bare ACK, the most common segment
            self._add("a", is_orig)
        # the endpoint state machine (TCPSessionAdapter::UpdateStateMachine, the parts that set states)
        st = self.state
        if flags & SYN:
            if flags & ACK:
                if not is_orig and st[peer] == SYN_SENT:
                    st[peer] = ESTABLISHED
                if st[me] in (INACTIVE, SYN_SENT, SYN_ACK_SENT, PARTIAL):
                    st[me] = SYN_ACK_SENT if is_orig else ESTABLISHED
            elif st[me] == INACTIVE:
                if not is_orig and st[peer] == SYN_ACK_SENT:
                    self._flip()
                    st[peer], st[me] = ESTABLISHED, ESTABLISHED  # a SYN/SYN-ACK reversal: established
                else:
                    st[me] = SYN_SENT
        if flags & FIN and st[me] != RESET:
            st[me] = CLOSED
        if flags & RST:
            st[me] = RESET
        if st[me] == INACTIVE and not flags & (SYN | FIN | RST):
            if not is_orig and p.length == 0 and st[self.orig] == SYN_SENT:
                pass  # an ACK of the SYN before the SYN,ACK: not a partial connection
            elif flags & ACK and st[peer] == ESTABLISHED:
                st[me] = ESTABLISHED
            else:
                st[me] = PARTIAL
        elif st[me] in (SYN_SENT, SYN_ACK_SENT) and flags & ACK and not flags & (SYN | FIN | RST):
            if st[peer] in (ESTABLISHED, SYN_ACK_SENT):
                st[me] = ESTABLISHED
                if st[peer] == SYN_ACK_SENT:
                    st[peer] = ESTABLISHED
        if p.length and not flags & RST:
            start = sq.add(p.seq, bool(flags & SYN))
            if self.first[d] is None:
                self.first[d] = start
            end = sq.add(start, p.length)
            top = self.top[d]
            if top is None or sq.gt(end, top):
                self.top[d] = end
            self.size[d] = sq.rel(self.top[d] or 0, self.first[d] or 0)

    def _flip(self) -> None:
        self.orig = 1 - self.orig
        self.flipped = True
        self.history = [c.swapcase() for c in self.history]
        self.history.insert(0, "^")

    def _history(self, d: int, p: Packet, is_orig: bool) -> None:
        flags = p.flags
        bits = bool(flags & SYN) + bool(flags & FIN) + bool(flags & RST)
        if bits > 1:
            self._add("i" if flags & FIN and flags & RST else "q", is_orig)
        elif flags & SYN:
            self._add("h" if flags & ACK else "s", is_orig, p.seq)
        elif flags & FIN:
            self._add("f", is_orig, sq.add(p.seq, p.length))
        elif flags & RST:
            self._add("r", is_orig, p.seq)
        elif p.length:
            self._add("d", is_orig)
        elif flags & ACK:
            self._add("a", is_orig)
        if p.length and not flags & RST and self.top[d] is not None and sq.ge(self.top[d] or 0, sq.add(p.seq, p.length)):
            self._add("t", is_orig)
        if p.window == 0 and not flags & RST and self.state[1 - d] != CLOSED and self.state[d] != RESET:
            self._add("w", is_orig)

    def _add(self, letter: str, is_orig: bool, seq: int | None = None) -> None:
        code = letter.upper() if is_orig else letter
        if letter in ONCE:
            if code in self.seen:
                return
        elif letter in LOGARITHMIC:
            n = self.counts[code] = self.counts.get(code, 0) + 1
            if n not in (1, 10, 100, 1000, 10000, 100000, 1000000):
                return
        elif seq is not None:
            if code in self.seen and self.last.get(code) == seq:
                return
            self.last[code] = seq
        self.seen.add(code)
        self.history.append(code)

    def gap(self, d: int) -> None:
        """The peer acknowledged data from side d that was never captured: a content gap ('g')."""
        self._add("g", d == self.orig)

    def conn_state(self) -> str:
        """main.zeek's conn_state() on the endpoint states."""
        os, rs = self.state[self.orig], self.state[1 - self.orig]
        o_inactive, r_inactive = os in (INACTIVE, PARTIAL), rs in (INACTIVE, PARTIAL)
        if rs == RESET:
            if os in (SYN_SENT, SYN_ACK_SENT) or (os == RESET and self.size[self.orig] == 0
                                                  and self.size[1 - self.orig] == 0):
                return "REJ"
            return "RSTRH" if o_inactive else "RSTR"
        if os == RESET:
            if r_inactive:
                h = "".join(self.history).lstrip("^")
                if h.startswith("S") and "R" in h and not set(h[1:h.index("R")]) & set("HAFGIQ"):
                    return "RSTOS0"
                return "OTH"
            return "RSTO"
        if rs == CLOSED and os == CLOSED:
            return "SF"
        if os == CLOSED:
            return "SH" if r_inactive else "S2"
        if rs == CLOSED:
            return "SHR" if o_inactive else "S3"
        if os == SYN_SENT and rs == INACTIVE:
            return "S0"
        if os == ESTABLISHED and rs == ESTABLISHED:
            return "S1"
        return "OTH"
