"""Both endpoints' states, inferred by running the spec's transitions on captured segments (no TCP logic of its own).

A segment an endpoint sends is its action: the output of the transition it last took (SYN,ACK after rcv SYN), or an
app event whose transition sends those flags (close → FIN). A segment it receives is its event, classified by
the simulator's own classifier (sim_endpoint.classify_parts). The capture point sees a segment once, so when the receiver got it is read
from what the receiver sends next: a segment whose ACK covers it shows it had arrived; one that does not shows it had
not (crossing FINs: both pass CLOSING). Whatever the spec does not explain is written to `notes`, never guessed.
"""

from __future__ import annotations

from typing import Final
from dataclasses import dataclass

from ..model import PeerId, Spec, Transition
from . import seqspace as sq
from .decode import ACK, FIN, RST, SYN, Packet
from .machine import Arrival, machine
from .notes import Note, event_fields, note

# The spec conditions a capture can establish (the others, unread data or an orphaned socket, it cannot see).
PASSIVE: Final = "passive_origin"
ACTIVE: Final = "active_origin"
Change = tuple[int, int, str, str, str, str, int | None]  # time µs, side, from, to, event, transition id, segment
MASK: Final = sq.MOD - 1  # sequence arithmetic inlined on the per-segment path: (a - b) & MASK < HALF is sq.ge
HALF: Final = sq.HALF
# TCP flag bits → the spec's flag names, for every combination of the four the spec knows.
_CONTROL: Final = ((SYN, "SYN"), (FIN, "FIN"), (RST, "RST"), (ACK, "ACK"))
NAMES: Final = {bits: frozenset(n for bit, n in _CONTROL if bits & bit) for bits in range(0x20) if not bits & 0x08}
ACK_ONLY: Final = frozenset({"ACK"})
FLAG_TEXT: Final = {bits: ",".join(n for bit, n in _CONTROL if bits & bit) for bits in NAMES}  # SYN,FIN,RST,ACK order
PIDS: Final[tuple[PeerId, PeerId]] = ("A", "B")  # side 0, side 1 as the simulator names its peers


# The hot dataclasses write their own __init__ (init=False): the generated one would run interpreted beside the
# compiled modules (capture/native.py); the fields stay declared for the dataclass's repr and ==.
@dataclass(slots=True, init=False)
class Side:
    """What one endpoint has done and learnt, as far as the capture shows."""

    state: str | None  # None until its first action or event decides where it started
    conditions: frozenset[str]
    isn: int | None
    base: int | None  # offsets (as the simulator counts) start here: the ISN, or the first seq − 1
    rcv_top: int | None  # the end of the peer's data received so far (raw sequence number)
    fin_seq: int | None  # the sequence number of our FIN
    syn_acked: bool
    fin_acked: bool
    peer_syn: bool
    peer_fin: bool
    pending: tuple[frozenset[str], ...]  # flag sets our last transition asked us to send
    states: list[str]
    sent_any: bool

    def __init__(self, state: str | None) -> None:
        self.state, self.conditions, self.isn, self.base, self.rcv_top, self.fin_seq = state, frozenset(), None, \
            None, None, None
        self.syn_acked = self.fin_acked = self.peer_syn = self.peer_fin = self.sent_any = False
        self.pending, self.states = (), []


@dataclass(slots=True, init=False)
class Flight:
    """A segment on its way to the other side; `after` = the receiver's own send it must follow, in µs."""

    index: int
    packet: Packet
    time: int
    after: int | None

    def __init__(self, index: int, packet: Packet, time: int, after: int | None = None) -> None:
        self.index, self.packet, self.time, self.after = index, packet, time, after


class Inference:
    """Feed segments in wire order with `segment`, then `finish`; read `sides`, `changes`, `received`, `notes`."""

    def __init__(self, spec: Spec, name: tuple[str, str], keep: bool = True) -> None:
        self.spec = spec
        self.m = machine(spec)
        self.name = name
        self.keep = keep  # keep `received` (when each segment reached its receiver) for a chart
        self.transitions = spec.transitions
        self.closed = self.m.starts
        self.established = self.m.established
        self.sides = (Side(None), Side(None))
        self.flight: tuple[list[Flight], list[Flight]] = ([], [])  # [d]: travelling towards side d
        self.changes: list[Change] = []
        self.received: dict[int, int] = {}
        self.notes: list[Note] = []
        self.started = False
        self.rcv_syn = self.m.rcv_syn
        self.sends, self.after_app = self.m.sends_by_id, self.m.after_app_by_id  # by id(transition)

    # ---- the start ----------------------------------------------------------------------------
    def start(self, d: int, p: Packet, syn_ack_only: bool) -> None:
        """Decide the start from the first segment: a SYN opens; a SYN,ACK alone or anything else does not."""
        self.started = True
        a, b = self.sides[d], self.sides[1 - d]
        if p.flags & SYN and not p.flags & ACK:
            return  # both start undecided; the SYN's sender takes an app event that sends it
        if p.flags & SYN and syn_ack_only:
            rcvd = next((t.target for t in self.transitions if t.event == self._rcv_syn() and t.source in self.closed
                         and frozenset({"SYN", "ACK"}) in self._sends(t)), None)
            sent = next((t.target for t in self.transitions if t.source in self.closed and t.when is None
                         and self.spec.event(t.event).kind == "app" and frozenset({"SYN"}) in self._sends(t)), None)
            if rcvd and sent:
                self._begin(a, rcvd, frozenset({PASSIVE}))
                a.peer_syn, a.pending = True, (frozenset({"SYN", "ACK"}),)
                self._begin(b, sent, frozenset({ACTIVE}))
                b.isn, b.sent_any = sq.add(p.ack, -1), True
                self.notes.append(note("syn_missing", client=self.name[1 - d], sent=sent, server=self.name[d],
                                       rcvd=rcvd))
                return
        for s in self.sides:
            self._begin(s, self.established, frozenset())
            s.syn_acked = s.peer_syn = True
        self.notes.append(note("midstream", state=self.established))

    def _rcv_syn(self) -> str:
        return self.m.rcv_syn

    def _begin(self, side: Side, state: str, conditions: frozenset[str]) -> None:
        side.state, side.conditions, side.states = state, conditions, [state]

    # ---- segments -----------------------------------------------------------------------------
    def segment(self, d: int, index: int, p: Packet, t: int, syn_ack_only: bool = False) -> None:
        """Segment `index` sent by side d, captured at t µs."""
        if not self.started:
            self.start(d, p, syn_ack_only)
        me = self.sides[d]
        control = p.flags & (SYN | FIN | RST)
        if me.base is None or (control & SYN and me.isn is None):
            me.base = p.seq if control & SYN else (p.seq - 1) & MASK
        if self.flight[d]:
            self._resolve(d, p, t)
        if control or me.pending:
            self._act(d, me, index, p, t)
        me.sent_any = True
        peer = self.sides[1 - d]
        if control or (peer.isn is not None and not peer.syn_acked) or (peer.fin_seq is not None and not peer.fin_acked):
            self.flight[1 - d].append(Flight(index, p, t))
        elif self.keep:
            self.received[index] = t

    def _resolve(self, d: int, p: Packet, t: int) -> None:
        """Side d is sending p: deliver first what p's ACK shows it had received; the rest arrived after p."""
        keep: list[Flight] = []
        acks, ack = p.flags & ACK, p.ack
        for f in self.flight[d]:
            q = f.packet
            qf = q.flags
            end = q.seq + q.length + bool(qf & SYN) + bool(qf & FIN)
            if qf & RST or (acks and (ack - end) & MASK < HALF):  # a RST takes no sequence space
                self._deliver(d, f, p)
            else:
                if f.after is None:
                    f.after = t
                keep.append(f)
        flying = self.flight[d]
        flying.clear()  # not `[:] = keep`: compiled, these two are direct calls (capture/native.py)
        flying.extend(keep)

    def finish(self) -> None:
        """The capture ended: what is still in flight is taken as delivered, in time order."""
        rest = [(f.after if f.after is not None else f.time, f.index, d, f) for d in (0, 1) for f in self.flight[d]]
        if len(rest) > 1:
            rest.sort(key=lambda x: (x[0], x[1]))
        for _t, _i, d, f in rest:
            if not self.sides[d].sent_any:
                self._note_once(note("silent", who=self.name[d]))
            else:
                self.notes.append(note("assumed_delivered", frame=f.packet.number, flags=FLAG_TEXT[f.packet.flags & 0x17],
                                       who=self.name[d]))
            self._deliver(d, f, None)
        self.flight = ([], [])
        for d, s in enumerate(self.sides):
            missing = [fl for fl in s.pending if fl - {"ACK"}]
            if missing:
                self.notes.append(note("missing_send", who=self.name[d], flags=",".join(_order(missing[0]))))

    def _note_once(self, n: Note) -> None:
        if n not in self.notes:
            self.notes.append(n)

    # ---- an endpoint acts ---------------------------------------------------------------------
    def _act(self, d: int, me: Side, index: int, p: Packet, t: int) -> None:
        flags = p.flags
        bits = flags & RST  # what this segment sends that is new: its SYN, its FIN, a RST
        if flags & SYN and me.isn is None:
            bits |= SYN
            me.isn = p.seq
        if flags & FIN and me.fin_seq is None:
            bits |= FIN
            me.fin_seq = (p.seq + p.length + bool(flags & SYN)) & MASK
        new = NAMES[bits]
        wanted = NAMES[bits | ACK] if flags & ACK and bits & SYN else new
        pending = me.pending
        for i, fl in enumerate(pending):  # the segment our last transition asked for
            if fl == wanted or (not bits and fl == ACK_ONLY):
                me.pending = pending[:i] + pending[i + 1:]
                return
        if not bits:
            return
        tr = self._app_transition(me, new)
        if tr is None:
            where = me.state or " or ".join(self.closed)
            self.notes.append(note("no_send", frame=p.number, who=self.name[d], state=where,
                                   flags=",".join(_order(new))))
            return
        if me.state is None:
            self._begin(me, tr.source, frozenset())
        self._fire(d, me, tr, t, index)
        if "SYN" in new:
            me.conditions = me.conditions | {ACTIVE}

    def _app_transition(self, me: Side, new: frozenset[str]) -> Transition | None:
        return self.m.app_transition(me.state, new)

    def _sends(self, tr: Transition) -> tuple[frozenset[str], ...]:
        return self.m.sends(tr)

    def _fire(self, d: int, me: Side, tr: Transition, t: int, index: int | None, consumed: bool = True) -> None:
        source, target = tr.source, tr.target  # read once: a Transition (model.py) is not compiled
        if self.keep:  # only a chart draws the changes
            self.changes.append((t, d, source, target, tr.event, tr.id, index))
        if target != source:
            me.states.append(target)
        me.state = target
        # the captured segment is the first thing an app event's transition sends
        me.pending = self.after_app[id(tr)] if consumed else self.sends[id(tr)]

    # ---- an endpoint receives -----------------------------------------------------------------
    def _deliver(self, d: int, f: Flight, reply: Packet | None) -> None:
        me, q = self.sides[d], f.packet
        at = f.after if f.after is not None else f.time
        if self.keep:
            self.received[f.index] = at
        qf = q.flags
        if (qf & RST and me.isn is not None and not me.syn_acked
                and not (qf & ACK and (q.ack - me.isn - 1) & MASK < HALF)):
            self.notes.append(note("rst_refused", frame=q.number, who=self.name[d]))
            return
        peer = self.sides[1 - d]
        pbase = peer.base if peer.base is not None else (q.seq - 1) & MASK
        mbase = me.base if me.base is not None else (q.ack - 1) & MASK
        rcv_nxt = None if not me.peer_syn else ((me.rcv_top if me.rcv_top is not None else pbase + 1) - pbase) & MASK
        question: Arrival = (PIDS[d], me.isn is not None, me.syn_acked,
                    (me.fin_seq - mbase) & MASK if me.fin_seq is not None else None, me.fin_acked, rcv_nxt, me.peer_fin,
                    NAMES[qf & 0x17], (q.seq - pbase) & MASK, (q.ack - mbase) & MASK if qf & ACK else None, q.length)
        for part, event in self.m.arrival(question):
            acks, syn = part.acks, part.syn  # read once: a Match (model.py) is not compiled
            me.syn_acked |= acks == "syn"
            me.fin_acked |= acks == "fin"
            me.peer_syn |= syn
            me.peer_fin |= part.fin
            if syn:
                me.rcv_top = sq.add(q.seq, 1)
            if part.data:
                me.rcv_top = sq.add(q.seq, q.length + bool(q.flags & SYN))
            if event is None:
                self.notes.append(note("no_event", frame=q.number, who=self.name[d],
                                       what=f"rst={part.rst}, syn={part.syn}, fin={part.fin}, acks={part.acks}"))
                continue
            if me.state is None:
                self._begin(me, self._start_for(d, event, reply), frozenset())
            tr = self.m.pick(me.state or "", event, me.conditions)
            if tr is None:
                self.notes.append(note("no_transition", frame=q.number, who=self.name[d], state=me.state,
                                       **event_fields(self.spec, event)))
                continue
            if event == self.rcv_syn and tr.source in self.closed:
                me.conditions = me.conditions | {PASSIVE}
            self._fire(d, me, tr, at, f.index, consumed=False)

    def _start_for(self, d: int, event: str, reply: Packet | None) -> str:
        """Where a side that is first seen receiving started: the closed-group state whose transition for this
        event sends what it replied (a SYN,ACK: LISTEN; a RST: CLOSED), else one that moves on that event."""
        key = (event, reply.flags & (SYN | FIN | RST) if reply is not None else None)
        got = self.m.starts_for.get(key)
        if got is None:
            got = self.m.starts_for[key] = self._start_choice(*key)
        state, why = got
        if why is not None:
            self.notes.append(note("assumed_start", who=self.name[d], state=state, why=why))
        return state

    def _start_choice(self, event: str, reply: int | None) -> tuple[str, str | None]:
        """_start_for's answer for a reply's SYN/FIN/RST bits (None: no reply), and why it was assumed, if it was."""
        found = [(s, self.m.pick(s, event, frozenset())) for s in self.closed]
        cands = [(s, tr) for s, tr in found if tr is not None]
        if reply is not None:
            got = {n for n, bit in (("SYN", SYN), ("FIN", FIN), ("RST", RST)) if reply & bit}
            for s, tr in cands:
                if any(set(fl) - {"ACK"} == got for fl in self._sends(tr)):
                    return s, None
        for s, tr in cands:
            if tr.target != tr.source:
                return s, "no_reply" if reply is None else "reply_mismatch"
        return (cands[0][0] if cands else self.closed[0]), None


def _order(flags: frozenset[str] | set[str]) -> list[str]:
    return [f for f in ("SYN", "FIN", "RST", "ACK") if f in flags]


