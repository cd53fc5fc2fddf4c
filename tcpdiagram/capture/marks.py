"""Wireshark's TCP analysis marks per segment, by the rules of the Wireshark User's Guide §7.5 "TCP Analysis"
(https://www.wireshark.org/docs/wsug_html_chunked/ChAdvTCPAnalysis.html), in capture order as Wireshark reads."""

from __future__ import annotations

from . import seqspace as sq
from .decode import ACK, FIN, RST, SYN, Packet
from .options import wscale

OOO_DEFAULT_NS = 3_000_000  # out-of-order threshold before the handshake RTT is known
FAST_RETRANS_NS = 20_000_000  # a fast retransmission follows the last duplicate ACK within 20 ms

# Mark ids (JSON) → the text Wireshark shows in its Info column.
LABELS = {
    "retransmission": "TCP Retransmission", "fast_retransmission": "TCP Fast Retransmission",
    "spurious_retransmission": "TCP Spurious Retransmission", "out_of_order": "TCP Out-Of-Order",
    "duplicate_ack": "TCP Dup ACK", "zero_window": "TCP ZeroWindow", "zero_window_probe": "TCP ZeroWindowProbe",
    "zero_window_probe_ack": "TCP ZeroWindowProbeAck", "window_full": "TCP Window Full",
    "window_update": "TCP Window Update", "keep_alive": "TCP Keep-Alive", "keep_alive_ack": "TCP Keep-Alive ACK",
    "previous_segment_not_captured": "TCP Previous segment not captured", "acked_unseen_segment": "TCP ACKed unseen segment",
}


class _Dir:
    __slots__ = ("nextseq", "nextseq_time", "lastack", "lastack_time", "window", "scale", "dupacks", "last_marks",
                 "syn_scale", "seen", "maxack")

    def __init__(self) -> None:
        self.nextseq: int | None = None
        self.nextseq_time = 0
        self.lastack: int | None = None
        self.lastack_time = 0
        self.window: int | None = None
        self.scale = 0
        self.syn_scale: int | None = None  # the shift this side's SYN offered
        self.dupacks = 0
        self.last_marks: tuple[str, ...] = ()
        self.seen = False
        self.maxack: int | None = None  # "next expected acknowledgement number": moved only by unmarked segments


class Marks:
    """Feed every segment of one connection in capture order; each call returns that segment's marks."""

    __slots__ = ("dirs", "syn_time", "irtt", "synack_seen")

    def __init__(self) -> None:
        self.dirs = (_Dir(), _Dir())
        self.syn_time: int | None = None
        self.irtt: int | None = None
        self.synack_seen = False

    def segment(self, d: int, p: Packet) -> tuple[str, ...]:
        fwd, rev = self.dirs[d], self.dirs[1 - d]
        flags, seq, ack, seglen, now = p.flags, p.seq, p.ack, p.length, p.time_ns
        control = flags & (SYN | FIN | RST)
        self._handshake(d, p)
        window = p.window if flags & SYN else p.window << fwd.scale
        marks: list[str] = []
        finished = False
        if p.window == 0 and not control:
            marks.append("zero_window")
        if seglen == 1 and fwd.nextseq is not None and seq == fwd.nextseq and rev.window == 0:
            marks.append("zero_window_probe")
            finished = True
        if not finished and fwd.nextseq is not None and sq.gt(seq, fwd.nextseq) and not flags & RST:
            marks.append("previous_segment_not_captured")
        keep_alive = (not finished and seglen <= 1 and not control and fwd.nextseq is not None
                      and seq == sq.add(fwd.nextseq, -1))
        if keep_alive:
            marks.append("keep_alive")
        same_ack = fwd.lastack is not None and flags & ACK and ack == fwd.lastack
        at_next = fwd.nextseq is not None and seq == fwd.nextseq
        if not finished and not keep_alive:
            if seglen == 0 and window and window != fwd.window and at_next and same_ack and not control:
                marks.append("window_update")
            if (seglen > 0 and not control and rev.window is not None and rev.lastack is not None
                    and sq.add(seq, seglen) == sq.add(rev.lastack, rev.window)):
                marks.append("window_full")
            base = seglen == 0 and window == fwd.window and at_next and same_ack and not control
            if base and "keep_alive" in rev.last_marks:
                marks.append("keep_alive_ack")
            elif base and window == 0 and "zero_window_probe" in rev.last_marks:
                marks.append("zero_window_probe_ack")
            elif base and window and fwd.lastack:
                fwd.dupacks += 1
                marks.append("duplicate_ack")
            if flags & ACK and rev.maxack is not None and sq.gt(ack, rev.maxack):
                marks.append("acked_unseen_segment")
                rev.maxack = ack  # reported once: later ACKs of the same unseen data are not marked again
            if seglen > 0 or flags & (SYN | FIN):
                marks += self._retransmission(fwd, rev, p)
        if flags & ACK and (fwd.lastack is None or ack != fwd.lastack):
            fwd.dupacks = 0
        retrans = {"retransmission", "fast_retransmission", "spurious_retransmission", "out_of_order"} & set(marks)
        nxt = sq.add(seq, seglen + bool(flags & SYN) + bool(flags & FIN))
        if not retrans and not keep_alive and not flags & RST:
            if fwd.nextseq is None or sq.gt(nxt, fwd.nextseq) or "zero_window_probe" in marks:
                fwd.nextseq, fwd.nextseq_time = nxt, now
        if (not marks or "zero_window_probe" in marks) and fwd.nextseq is not None:
            fwd.maxack = fwd.nextseq
        if flags & ACK:
            fwd.lastack, fwd.lastack_time = ack, now
        fwd.window, fwd.seen, fwd.last_marks = window, True, tuple(marks)
        return tuple(marks)

    def _retransmission(self, fwd: _Dir, rev: _Dir, p: Packet) -> list[str]:
        seq, seglen, now = p.seq, p.length, p.time_ns
        behind = fwd.nextseq is not None and sq.gt(fwd.nextseq, seq)
        if behind and rev.dupacks >= 2 and rev.lastack == seq and now - rev.lastack_time < FAST_RETRANS_NS:
            return ["fast_retransmission"]
        threshold = self.irtt if self.irtt else OOO_DEFAULT_NS
        if behind and now - fwd.nextseq_time < threshold and fwd.nextseq != sq.add(seq, seglen):
            return ["out_of_order"]
        if seglen > 0 and rev.lastack and sq.ge(rev.lastack, sq.add(seq, seglen)):
            return ["spurious_retransmission"]
        return ["retransmission"] if behind else []

    def _handshake(self, d: int, p: Packet) -> None:
        """Window scaling from both SYNs (RFC 7323 §2.2); the handshake RTT from the SYN to the third segment."""
        fwd, rev = self.dirs[d], self.dirs[1 - d]
        if p.flags & SYN:
            fwd.syn_scale = wscale(p.options)
            if p.flags & ACK:
                self.synack_seen = True
                both = fwd.syn_scale is not None and rev.syn_scale is not None
                fwd.scale = fwd.syn_scale if both and fwd.syn_scale is not None else 0
                rev.scale = rev.syn_scale if both and rev.syn_scale is not None else 0
            elif self.syn_time is None:
                self.syn_time = p.time_ns
        elif p.flags & ACK and self.synack_seen and self.irtt is None and self.syn_time is not None:
            self.irtt = p.time_ns - self.syn_time
