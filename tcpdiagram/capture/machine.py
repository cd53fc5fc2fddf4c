"""The spec's machine as lookup tables for reading captures: built once per spec, read per segment."""

from __future__ import annotations

from collections.abc import Iterable

from ..model import Event, Match, PeerId, Spec, Transition
from ..sim_endpoint import Endpoint, SeqNo, Wire, classify_parts


def match_event(events: Iterable[Event], match: Match) -> str | None:
    """The segment event whose `match` is exactly this one (as simulate._Run.match_event)."""
    return next((e.id for e in events if e.kind == "segment" and e.match == match), None)


def pick(transitions: Iterable[Transition], state: str, event: str, conditions: Iterable[str]) -> Transition | None:
    """The transition for (state, event): a guarded one whose condition holds, else the unguarded one (as
    simulate._Run.pick; a capture knows only the origin conditions, see infer.PASSIVE/ACTIVE)."""
    held = set(conditions)
    found = [t for t in transitions if t.source == state and t.event == event]
    guarded = [t for t in found if t.when is not None and t.when in held]
    plain = [t for t in found if t.when is None]
    chosen = guarded or plain
    return chosen[0] if chosen else None


# (receiver, syn sent, syn acked, fin offset, fin acked, rcv_nxt offset, peer's fin; flags, seq, ack, data)
Arrival = tuple[PeerId, bool, bool, int | None, bool, int | None, bool, frozenset[str], int, int | None, int]
Answer = tuple[tuple[Match, str | None], ...]  # the parts of the segment the receiver takes, with their events
ARRIVALS_KEPT = 4096  # distinct arrivals whose classification is kept (a capture repeats few of them)


class Machine:
    """What infer.py asks of the spec, answered from tables: events of arrivals, transitions, what they send."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.transitions = spec.transitions
        self.kind = {e.id: e.kind for e in spec.events}
        self.label = {e.id: e.label.en for e in spec.events}
        self.sends_by_id: dict[int, tuple[frozenset[str], ...]] = {  # by id(transition): hashing one is deep
            id(t): tuple(frozenset(spec.action(a).flags) for a in t.actions if spec.action(a).kind == "send")
            for t in spec.transitions}
        self.app_from: dict[str, tuple[Transition, ...]] = {}  # unguarded app-event transitions by source state
        for t in spec.transitions:
            if self.kind[t.event] == "app" and t.when is None:
                self.app_from[t.source] = self.app_from.get(t.source, ()) + (t,)
        self.after_app_by_id = {id(t): s[1:] if self.kind[t.event] == "app" and s else s for t in spec.transitions
                           for s in (self.sends_by_id[id(t)],)}
        self._pick: dict[tuple[str, str, frozenset[str]], Transition | None] = {}
        self._app: dict[tuple[str | None, frozenset[str]], Transition | None] = {}
        self.starts_for: dict[tuple[str, int | None], tuple[str, str | None]] = {}  # infer._start_for's answers
        self.answers: dict[Arrival, Answer] = {}
        self.rcv_syn = match_event(spec.events, Match(False, True, False, "none")) or ""
        closed = [s.id for s in spec.states if s.group == "closed"]
        quiet = [t.target for t in spec.transitions if t.source in closed and self.kind[t.event] == "app"
                 and not self.sends(t) and t.target not in closed]
        self.starts = closed + list(dict.fromkeys(quiet))  # where a connection can begin: CLOSED, then LISTEN
        self.established = next(s.id for s in spec.states if s.group == "established")

    def arrival(self, q: Arrival) -> Answer:
        """The simulator's own classifier (sim_endpoint.classify_parts) on a captured arrival, and the simulator's
        rule for using it (simulate._Run.arrive): the whole tuple when a segment event matches it, else its parts.

        q: the receiver (A or B); what it knows (syn sent, syn acked, fin offset, fin acked, rcv_nxt offset, peer's
        fin); the segment (flags, seq offset in the sender's space, ack offset in ours or None, data bytes).
        Offsets are relative to each side's initial sequence number, as the simulator's are. Answers are kept per
        exact question in `answers` (a pure function of it; dropped when there are ARRIVALS_KEPT of them).
        """
        got = self.answers.get(q)
        if got is None:
            if len(self.answers) >= ARRIVALS_KEPT:
                self.answers.clear()
            got = self.answers[q] = self._classify(q)
        return got

    def _classify(self, q: Arrival) -> Answer:
        me, syn_sent, syn_acked, fin_seq, fin_acked, rcv_nxt, peer_fin, flags, seq, ack, data = q
        peer: PeerId = "B" if me == "A" else "A"
        ep = Endpoint(me, "", (), 0, syn_sent=syn_sent, syn_acked=syn_acked, fin_seq=fin_seq, fin_acked=fin_acked,
                      rcv_nxt=rcv_nxt, peer_fin=peer_fin)
        w = Wire(0, peer, frozenset(flags), SeqNo(peer, seq), SeqNo(me, ack) if ack is not None else None,  # type: ignore[arg-type]
                 data)
        whole, parts = classify_parts(ep, w)
        if whole is not None and match_event(self.spec.events, whole) is not None:
            parts = [whole]
        return tuple((m, match_event(self.spec.events, m)) for m in parts)

    def sends(self, tr: Transition) -> tuple[frozenset[str], ...]:
        """The flag sets a transition's send actions ask for."""
        return self.sends_by_id[id(tr)]

    def sends_after_app(self, tr: Transition) -> tuple[frozenset[str], ...]:
        """What a transition sends after the segment that showed it: for an app event's, all but the first."""
        return self.after_app_by_id[id(tr)]

    def app_transition(self, state: str | None, new: frozenset[str]) -> Transition | None:
        """The first unguarded app-event transition from `state` (None: any start state) that sends `new` (+ACK)."""
        key = (state, new)
        try:  # one lookup when known (the usual case), not `in` and then `[]`
            return self._app[key]
        except KeyError:
            got = self._app[key] = next((tr for st in ([state] if state is not None else self.starts)
                                         for tr in self.app_from.get(st, ())
                                         if any(fl - {"ACK"} == new for fl in self.sends(tr))), None)
            return got

    def pick(self, state: str, event: str, conditions: frozenset[str]) -> Transition | None:
        key = (state, event, conditions)
        try:
            return self._pick[key]
        except KeyError:
            got = self._pick[key] = pick(self.transitions, state, event, conditions)
            return got


_MACHINES: dict[int, tuple[Spec, Machine]] = {}


def machine(spec: Spec) -> Machine:
    """The spec's Machine, built once (keyed by identity: hashing a Spec walks all of it)."""
    got = _MACHINES.get(id(spec))
    if got is None or got[0] is not spec:
        got = _MACHINES[id(spec)] = (spec, Machine(spec))
    return got[1]
