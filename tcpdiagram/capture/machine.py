"""The spec's machine as lookup tables for reading captures: built once per spec, read per segment."""

from __future__ import annotations

from ..arrival import classify, match_event, pick
from ..model import Match, Spec, Transition


class Machine:
    """What infer.py asks of the spec, answered from tables: events of arrivals, transitions, what they send."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.transitions = spec.transitions
        self.kind = {e.id: e.kind for e in spec.events}
        self.label = {e.id: e.label.en for e in spec.events}
        self._sends: dict[int, tuple[frozenset[str], ...]] = {  # by id(transition): hashing one is deep
            id(t): tuple(frozenset(spec.action(a).flags) for a in t.actions if spec.action(a).kind == "send")
            for t in spec.transitions}
        self.app_from: dict[str, tuple[Transition, ...]] = {}  # unguarded app-event transitions by source state
        for t in spec.transitions:
            if self.kind[t.event] == "app" and t.when is None:
                self.app_from[t.source] = self.app_from.get(t.source, ()) + (t,)
        self._parts: dict[tuple[bool, bool, bool, bool, bool], tuple[tuple[Match, str | None], ...]] = {}
        self._pick: dict[tuple[str, str, frozenset[str]], Transition | None] = {}
        self.rcv_syn = match_event(spec.events, Match(False, True, False, "none")) or ""
        closed = [s.id for s in spec.states if s.group == "closed"]
        quiet = [t.target for t in spec.transitions if t.source in closed and self.kind[t.event] == "app"
                 and not self.sends(t) and t.target not in closed]
        self.starts = closed + list(dict.fromkeys(quiet))  # where a connection can begin: CLOSED, then LISTEN
        self.established = next(s.id for s in spec.states if s.group == "established")

    def parts(self, rst: bool, syn: bool, fin: bool, acks_syn: bool, acks_fin: bool) -> tuple[tuple[Match, str | None], ...]:
        """arrival.classify's parts with the event each matches (None: no segment event of the spec matches)."""
        key = (rst, syn, fin, acks_syn, acks_fin)
        got = self._parts.get(key)
        if got is None:
            got = self._parts[key] = tuple((m, match_event(self.spec.events, m))
                                           for m in classify(self.spec.events, *key))
        return got

    def sends(self, tr: Transition) -> tuple[frozenset[str], ...]:
        """The flag sets a transition's send actions ask for."""
        return self._sends[id(tr)]

    def pick(self, state: str, event: str, conditions: frozenset[str]) -> Transition | None:
        key = (state, event, conditions)
        if key not in self._pick:
            self._pick[key] = pick(self.transitions, state, event, conditions)
        return self._pick[key]


_MACHINES: dict[int, tuple[Spec, Machine]] = {}


def machine(spec: Spec) -> Machine:
    """The spec's Machine, built once (keyed by identity: hashing a Spec walks all of it)."""
    got = _MACHINES.get(id(spec))
    if got is None or got[0] is not spec:
        got = _MACHINES[id(spec)] = (spec, Machine(spec))
    return got[1]
