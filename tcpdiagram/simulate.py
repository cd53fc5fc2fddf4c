"""Run a scenario on the spec's transitions: two endpoints, a delaying channel, an event queue → Trace."""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import Union

from .errors import SimulationError, TcpDiagramError, UsageError
from .model import FLAGS, Acks, Action, Flag, Match, PeerId, Scenario, Spec, Transition
from .schema import suggest
from .trace import Call, Change, PeerTrace, Segment, TimerSpan, Trace

MAX_EVENTS = 10_000  # a scenario that has not settled by then loops (e.g. two peers trading segments)
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


class ScenarioFailed(SimulationError):
    """A scenario cannot run; `key` is the scenario field to blame (a step, `timers`, or '')."""

    def __init__(self, message: str, key: str = "") -> None:
        super().__init__(message)
        self.key = key


@dataclass
class _Wire:
    """A segment on the channel, sequence numbers kept as values so the receiver can reason on them."""

    index: int
    src: PeerId
    flags: frozenset[Flag]
    seq: SeqNo
    ack: SeqNo | None

    @property
    def length(self) -> int:  # SYN and FIN each occupy one sequence number
        return ("SYN" in self.flags) + ("FIN" in self.flags)


_Item = Union[tuple[str, PeerId, str], tuple[str, PeerId, int]]


@dataclass
class _Endpoint:
    pid: PeerId
    state: str
    conditions: tuple[str, ...]
    delayed_ack: int
    snd_nxt: int = 0  # offsets from our own symbol (J, M, … or 100/300)
    syn_sent: bool = False
    syn_acked: bool = False
    fin_seq: int | None = None
    fin_acked: bool = False
    rcv_nxt: int | None = None  # offset in the peer's space; None until the peer's SYN is known
    peer_fin: bool = False
    held_ack: int | None = None  # token of a delayed ACK waiting to go out
    timers: list[int] = field(default_factory=list)  # tokens of armed timers
    states: list[str] = field(default_factory=list)


class _Run:
    def __init__(self, spec: Spec, sc: Scenario, numeric: bool) -> None:
        self.spec, self.sc, self.numeric = spec, sc, numeric
        self.transitions = spec.transitions_in(sc.layers)
        self.queue: list[tuple[int, int, _Item]] = []
        self.order = 0
        self.live: set[int] = set()
        self.segments: list[Segment] = []
        self.wires: list[_Wire] = []
        self.changes: list[Change] = []
        self.calls: list[Call] = []
        self.spans: list[TimerSpan] = []
        self.armed: dict[int, tuple[str, str, int]] = {}  # token → (event, timer name, start)
        self.used_timers: set[str] = set()
        self.now = 0
        self.eps: dict[PeerId, _Endpoint] = {}
        for peer in sc.peers:
            ep = _Endpoint(peer.id, peer.start, peer.conditions, peer.delayed_ack, states=[peer.start])
            if spec.state(peer.start).group not in ("closed", "opening"):  # starts synchronized
                ep.syn_sent = ep.syn_acked = True
                ep.rcv_nxt = 0
            self.eps[peer.id] = ep

    # ---- the queue ----------------------------------------------------------------------------
    def push(self, at: int, item: _Item) -> int:
        self.order += 1
        heapq.heappush(self.queue, (at, self.order, item))
        return self.order

    def run(self) -> Trace:
        for ep in self.eps.values():
            self.arm_timers(ep)
        for j, st in enumerate(self.sc.steps):
            self.push(st.at, ("app", st.peer, f"{j}"))
        end, handled = 0, 0
        while self.queue:
            at, token, item = heapq.heappop(self.queue)
            kind = item[0]
            if kind in ("timer", "ack") and token not in self.live:
                continue  # cancelled
            self.live.discard(token)
            handled += 1
            if handled > MAX_EVENTS:
                raise ScenarioFailed(f"scenario {self.sc.id!r} does not settle: more than {MAX_EVENTS} events")
            self.now = end = at
            ep = self.eps[item[1]]
            if kind == "app":
                step = self.sc.steps[int(item[2])]
                self.calls.append(Call(at, step.peer, step.event))
                self.fire(ep, step.event, None, key=f"steps[{item[2]}]")
            elif kind == "arrive":
                self.arrive(ep, self.wires[int(item[2])])
            elif kind == "timer":
                event, name, start = self.armed.pop(token)
                ep.timers.remove(token)
                self.spans.append(TimerSpan(ep.pid, name, event, start, at))
                self.fire(ep, event, None)
            else:  # the delayed ACK is due: a pure ACK goes out
                ep.held_ack = None
                self.emit(ep, frozenset({"ACK"}), None)
        self.check_timers_used()
        return Trace(
            scenario=self.sc.id,
            peers=(self.peer_trace("A"), self.peer_trace("B")),
            segments=tuple(self.segments), changes=tuple(self.changes), calls=tuple(self.calls),
            timers=tuple(self.spans), end=end, numeric=self.numeric,
        )

    def peer_trace(self, pid: PeerId) -> PeerTrace:
        return PeerTrace(pid, self.sc.peer(pid).role, tuple(self.eps[pid].states))

    # ---- transitions --------------------------------------------------------------------------
    def pick(self, ep: _Endpoint, event: str) -> Transition | None:
        """The transition for (state, event): a guarded one whose condition holds, else the unguarded one."""
        found = [t for t in self.transitions if t.source == ep.state and t.event == event]
        guarded = [t for t in found if t.when is not None and t.when in ep.conditions]
        plain = [t for t in found if t.when is None]
        chosen = guarded or plain
        return chosen[0] if chosen else None

    def fire(self, ep: _Endpoint, event: str, wire: _Wire | None, key: str = "") -> None:
        tr = self.pick(ep, event)
        if tr is None:
            raise ScenarioFailed(self.no_transition(ep, event, wire), key)
        self.changes.append(Change(self.now, ep.pid, tr.source, tr.target, event, tr.id,
                                   wire.index if wire else None))
        ep.state = tr.target
        if tr.target != tr.source:
            ep.states.append(tr.target)
        self.arm_timers(ep)
        for aid in tr.actions:
            action = self.spec.action(aid)
            if action.kind == "send":
                self.send(ep, action, wire)

    def no_transition(self, ep: _Endpoint, event: str, wire: _Wire | None) -> str:
        pid = ep.pid
        cause = f" (segment {wire.index}: {self.segments[wire.index].label} from {wire.src})" if wire else ""
        out = sorted({t.event for t in self.transitions if t.source == ep.state})
        return (f"scenario {self.sc.id!r}: peer {pid} in {ep.state} at t={self.now} ms has no transition for "
                f"event {event!r}{cause} in layers {', '.join(self.sc.layers)}; "
                f"{ep.state} has transitions for: {', '.join(out) or 'nothing'}")

    def arm_timers(self, ep: _Endpoint) -> None:
        """Entering a state: cancel the old timers, start every timer event that can leave this state."""
        for token in ep.timers:
            self.live.discard(token)
            self.armed.pop(token, None)
        ep.timers.clear()
        for ev in self.spec.events:
            if ev.kind != "timer" or self.pick(ep, ev.id) is None:
                continue
            name = ev.duration or ev.id
            ms = self.sc.timer(name)
            if ms is None:
                raise ScenarioFailed(
                    f"scenario {self.sc.id!r}: peer {ep.pid} in {ep.state} at t={self.now} ms starts timer "
                    f"event {ev.id!r}, but the scenario's `timers` has no {name!r}", "timers")
            token = self.push(self.now + ms, ("timer", ep.pid, ev.id))
            self.live.add(token)
            self.armed[token] = (ev.id, name, self.now)
            ep.timers.append(token)
            self.used_timers.add(name)

    def check_timers_used(self) -> None:
        for t in self.sc.timers:
            if t.name in self.used_timers:
                continue
            events = [e.id for e in self.spec.events if e.kind == "timer" and e.duration == t.name]
            ends = ", ".join(f"{pid} ends in {ep.state}" for pid, ep in self.eps.items())
            raise ScenarioFailed(
                f"scenario {self.sc.id!r}: timer {t.name!r} is set but never started: no state the peers entered "
                f"has a transition for event {' or '.join(map(repr, events)) or '(none uses it)'} ({ends})", "timers")

    # ---- segments -----------------------------------------------------------------------------
    def arrive(self, ep: _Endpoint, wire: _Wire) -> None:
        """Classify what the segment brings that is new and fire the matching segment event(s)."""
        parts = self.classify(ep, wire)
        if not parts:
            return  # nothing new (a duplicate ACK): ignored
        for part in parts:
            learn(ep, wire, part)
            self.fire(ep, self.event_for(part, wire), wire)

    def classify(self, ep: _Endpoint, wire: _Wire) -> list[Match]:
        """The whole tuple if a segment event matches it, else its parts in RFC 9293 order (ACK, SYN, FIN)."""
        if "RST" in wire.flags:  # a RST's ACK field only makes it acceptable (§3.10.7.3): it acknowledges nothing
            return [Match(True, False, False, "none")]
        syn = "SYN" in wire.flags and ep.rcv_nxt is None
        fin = "FIN" in wire.flags and not ep.peer_fin
        ack = wire.ack.offset if wire.ack is not None and wire.ack.pid == ep.pid else -1
        acks_syn = ep.syn_sent and not ep.syn_acked and ack >= 1
        acks_fin = ep.fin_seq is not None and not ep.fin_acked and ack >= ep.fin_seq + 1
        if not (syn or fin or acks_syn or acks_fin):
            return []
        if not (acks_syn and acks_fin):
            acks: Acks = "syn" if acks_syn else "fin" if acks_fin else "none"
            whole = Match(False, syn, fin, acks)
            if self.match_event(whole) is not None:
                return [whole]
        ack_parts: tuple[tuple[Acks, bool], ...] = (("syn", acks_syn), ("fin", acks_fin))
        parts = [Match(False, False, False, a) for a, on in ack_parts if on]
        parts += [Match(False, True, False, "none")] if syn else []
        parts += [Match(False, False, True, "none")] if fin else []
        return parts

    def match_event(self, match: Match) -> str | None:
        return next((e.id for e in self.spec.events if e.kind == "segment" and e.match == match), None)

    def event_for(self, part: Match, wire: _Wire) -> str:
        event = self.match_event(part)
        if event is None:
            raise ScenarioFailed(
                f"scenario {self.sc.id!r}: no segment event matches segment {wire.index} "
                f"({self.segments[wire.index].label}) at t={self.now} ms: "
                f"rst={part.rst}, syn={part.syn}, fin={part.fin}, acks={part.acks}")
        return event

    def send(self, ep: _Endpoint, action: Action, cause: _Wire | None) -> None:
        flags = set(action.flags)
        if "RST" in flags:  # RFC 9293 §3.5.2 (a reply) and §3.10.5 (ABORT)
            if cause is None:
                self.emit(ep, frozenset({"RST"}), None, seq=SeqNo(ep.pid, ep.snd_nxt))
            elif cause.ack is not None:
                self.emit(ep, frozenset({"RST"}), None, seq=cause.ack)
            else:
                reply_ack = SeqNo(cause.seq.pid, cause.seq.offset + cause.length)
                self.emit(ep, frozenset({"RST", "ACK"}), reply_ack, seq=SeqNo(None, 0))
            return
        if flags == {"ACK"} and ep.delayed_ack > 0:
            if ep.held_ack is None:
                ep.held_ack = self.push(self.now + ep.delayed_ack, ("ack", ep.pid, ""))
                self.live.add(ep.held_ack)
            return
        self.emit(ep, frozenset(flags), None)

    def emit(self, ep: _Endpoint, flags: frozenset[Flag], ack: SeqNo | None, seq: SeqNo | None = None) -> None:
        """Put a segment on the channel; ACK rides along once the peer's ISN is known."""
        peer: PeerId = "B" if ep.pid == "A" else "A"
        if "RST" not in flags and ep.rcv_nxt is not None:
            flags = flags | {"ACK"}
            ack = SeqNo(peer, ep.rcv_nxt)
        if "ACK" in flags and ack is None:
            raise ScenarioFailed(f"scenario {self.sc.id!r}: peer {ep.pid} in {ep.state} at t={self.now} ms "
                                 "must acknowledge a SYN it has not received")
        if seq is None:
            if "SYN" in flags:  # a repeated SYN keeps the original ISN
                seq = SeqNo(ep.pid, 0)
                ep.syn_sent, ep.snd_nxt = True, max(ep.snd_nxt, 1)
            else:
                seq = SeqNo(ep.pid, ep.snd_nxt)
            if "FIN" in flags:
                ep.fin_seq, ep.snd_nxt = ep.snd_nxt, ep.snd_nxt + 1
        if ep.held_ack is not None:  # the held ACK rides on this segment
            self.live.discard(ep.held_ack)
            ep.held_ack = None
        index = len(self.segments)
        wire = _Wire(index, ep.pid, flags, seq, ack)
        arrival = self.now + self.sc.delay
        self.wires.append(wire)
        self.segments.append(Segment(
            index, ep.pid, peer, tuple(f for f in FLAGS if f in flags),
            self.fmt(seq), self.fmt(ack) if ack is not None else None, self.now, arrival))
        self.push(arrival, ("arrive", peer, index))

    def fmt(self, n: SeqNo) -> str:
        return n.text(self.sc.seq, self.numeric)


def learn(ep: _Endpoint, wire: _Wire, part: Match) -> None:
    """Update what the endpoint knows from one part of an arriving segment."""
    if part.acks == "syn":
        ep.syn_acked = True
    elif part.acks == "fin":
        ep.fin_acked = True
    if part.syn:
        ep.rcv_nxt = wire.seq.offset + 1
    if part.fin:
        ep.peer_fin = True
        ep.rcv_nxt = (ep.rcv_nxt or 0) + 1


def simulate(spec: Spec, scenario_id: str, numeric: bool = False) -> Trace:
    """Run one scenario; raise UsageError for an unknown id and SimulationError when it cannot run."""
    known = [s.id for s in spec.scenarios]
    if scenario_id not in known:
        raise UsageError(f"unknown scenario {scenario_id!r}{suggest(scenario_id, known)}; "
                         f"known scenarios: {', '.join(known)}")
    return _Run(spec, spec.scenario(scenario_id), numeric).run()


def check_expectations(spec: Spec, scenario: Scenario) -> list[tuple[str, str]]:
    """(scenario field, message) for each way the simulation disagrees with `expect`; never raises."""
    try:
        trace = simulate(spec, scenario.id)
    except ScenarioFailed as e:
        return [(e.key, str(e))]
    except (TcpDiagramError, KeyError, ValueError, TypeError) as e:
        return [("", f"scenario {scenario.id!r} cannot be simulated: {e!s}")]
    out = []
    for peer, expected in zip(trace.peers, scenario.expect):
        if peer.states != expected:
            out.append((f"expect.{peer.id}", f"scenario {scenario.id!r}: peer {peer.id} went "
                        f"{' → '.join(peer.states)}, but `expect` says {' → '.join(expected)}"))
    return out
