"""Run a scenario on the spec's transitions: two endpoints, a delaying and losing channel, an event queue → Trace."""

from __future__ import annotations

import heapq
from collections import Counter
from typing import Union

from .errors import SimulationError, TcpDiagramError, UsageError
from .model import FLAGS, Action, Event, Flag, Match, PeerId, Scenario, Spec, Step, Transition
from .schema import suggest
from .sim_endpoint import NUMERIC_BASE, Endpoint, SeqNo, Wire, classify_parts, learn
from .trace import Call, Change, PeerTrace, Segment, TimerSpan, Trace

__all__ = ["NUMERIC_BASE", "SeqNo", "ScenarioFailed", "simulate", "check_expectations"]

MAX_EVENTS = 10_000  # a scenario that has not settled by then loops (e.g. two peers trading segments)


class ScenarioFailed(SimulationError):
    """A scenario cannot run; `key` is the scenario field to blame (a step, `timers`, or '')."""

    def __init__(self, message: str, key: str = "", more: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(message)
        self.key = key
        self.more = more  # further (key, message) problems of the same run, each reported too


_Item = Union[tuple[str, PeerId, str], tuple[str, PeerId, int]]


class _Run:
    def __init__(self, spec: Spec, sc: Scenario, numeric: bool) -> None:
        self.spec, self.sc, self.numeric = spec, sc, numeric
        self.transitions = spec.transitions_in(sc.layers)
        self.facts = {c.id: c.holds for c in spec.conditions if c.holds is not None}
        self.queue: list[tuple[int, int, _Item]] = []
        self.order = 0
        self.live: set[int] = set()
        self.segments: list[Segment] = []
        self.wires: list[Wire] = []
        self.changes: list[Change] = []
        self.calls: list[Call] = []
        self.spans: list[TimerSpan] = []
        self.armed: dict[int, tuple[str, str, int]] = {}  # token → (event, timer name, start)
        self.used_timers: set[str] = set()
        self.missed: dict[str, tuple[PeerId, str, str, int]] = {}  # timer name → where it could not start
        self.sent_count: Counter[tuple[PeerId, frozenset[Flag]]] = Counter()
        self.loss_hits = [0] * len(sc.lose)
        self.now = 0
        self.eps: dict[PeerId, Endpoint] = {}
        for peer in sc.peers:
            ep = Endpoint(peer.id, peer.start, peer.conditions, peer.delayed_ack, peer.reads, states=[peer.start])
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
            self.enter(ep)
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
                self.calls.append(Call(at, step.peer, step.event, step.call, step.bytes))
                self.fire(ep, step.event, None, key=f"steps[{item[2]}]", step=step)
            elif kind == "arrive":
                self.arrive(ep, self.wires[int(item[2])])
            elif kind == "timer":
                self.expire(ep, token)
            else:  # the delayed ACK is due: a pure ACK goes out
                ep.held_ack = None
                self.emit(ep, frozenset({"ACK"}), None)
        self.check_timers_used()
        self.check_nothing_stuck()
        for token in sorted(self.live & set(self.armed)):  # still running at the end (none in a settled scenario)
            self.stop(token, "stopped")
        return Trace(
            scenario=self.sc.id,
            peers=(self.peer_trace("A"), self.peer_trace("B")),
            segments=tuple(self.segments), changes=tuple(self.changes), calls=tuple(self.calls),
            timers=tuple(sorted(self.spans, key=lambda s: (s.start, s.peer, s.end))), end=end, numeric=self.numeric,
            loss_hits=tuple(self.loss_hits),
            missed=tuple(f"peer {pid} in {state} at t={at} ms had a segment unacknowledged but no transition for "
                         f"event {event!r}" for pid, state, event, at in self.missed.values()),
        )

    def peer_trace(self, pid: PeerId) -> PeerTrace:
        ep = self.eps[pid]
        return PeerTrace(pid, self.sc.peer(pid).role, tuple(ep.states), ep.error)

    # ---- transitions --------------------------------------------------------------------------
    def holds(self, ep: Endpoint, condition: str) -> bool:
        if condition in ep.conditions:
            return True
        return self.facts.get(condition) == "unread_data" and ep.unread > 0

    def pick(self, ep: Endpoint, event: str) -> Transition | None:
        """The transition for (state, event): a guarded one whose condition holds, else the unguarded one."""
        found = [t for t in self.transitions if t.source == ep.state and t.event == event]
        guarded = [t for t in found if t.when is not None and self.holds(ep, t.when)]
        plain = [t for t in found if t.when is None]
        chosen = guarded or plain
        return chosen[0] if chosen else None

    def fire(self, ep: Endpoint, event: str, wire: Wire | None, key: str = "", step: Step | None = None) -> None:
        tr = self.pick(ep, event)
        if tr is None:
            raise ScenarioFailed(self.no_transition(ep, event, wire), key)
        self.changes.append(Change(self.now, ep.pid, tr.source, tr.target, event, tr.id,
                                   wire.index if wire else None))
        ep.state = tr.target
        if tr.error is not None:
            ep.error = tr.error
        if tr.target != tr.source:
            ep.states.append(tr.target)
            self.enter(ep)
        for aid in tr.actions:
            action = self.spec.action(aid)
            if action.kind == "send":
                self.send(ep, action, wire, step)
            elif action.kind == "retransmit" and ep.unacked:
                head = ep.unacked[0]
                self.emit(ep, head.flags, None, seq=SeqNo(ep.pid, head.seq), data=head.data, retrans=True)
            elif action.kind == "timer" and action.timer is not None:
                token = ep.timers.get(action.timer)
                if token is not None:
                    self.stop(token, "restarted")
                self.arm(ep, self.spec.event(action.timer))
        self.sync_unacked(ep)

    def no_transition(self, ep: Endpoint, event: str, wire: Wire | None) -> str:
        pid = ep.pid
        again = " (retransmitted)" if wire is not None and self.segments[wire.index].retransmission else ""
        cause = f" (segment {wire.index}: {self.segments[wire.index].label} from {wire.src}{again})" if wire else ""
        out = sorted({t.event for t in self.transitions if t.source == ep.state})
        return (f"scenario {self.sc.id!r}: peer {pid} in {ep.state} at t={self.now} ms has no transition for "
                f"event {event!r}{cause} in layers {', '.join(self.sc.layers)}; "
                f"{ep.state} has transitions for: {', '.join(out) or 'nothing'}")

    # ---- timers -------------------------------------------------------------------------------
    def timer_events(self, start: str) -> list[Event]:
        return [e for e in self.spec.events if e.kind == "timer" and e.start == start]

    def enter(self, ep: Endpoint) -> None:
        """Entering a state: stop the timers that started on entry to the last one, start this one's."""
        for ev in self.timer_events("entry"):
            token = ep.timers.get(ev.id)
            if token is not None:
                self.stop(token, "stopped")
        for ev in self.timer_events("entry"):
            if self.pick(ep, ev.id) is not None:
                self.arm(ep, ev)

    def sync_unacked(self, ep: Endpoint) -> None:
        """The timers that run while sequence space is unacknowledged: running exactly when they should."""
        for ev in self.timer_events("unacked"):
            token = ep.timers.get(ev.id)
            want = bool(ep.unacked) and self.pick(ep, ev.id) is not None
            if ep.unacked and not want and self.sc.timer(ev.duration or ev.id) is not None:
                self.missed.setdefault(ev.duration or ev.id, (ep.pid, ep.state, ev.id, self.now))
            if token is not None and not want:
                self.stop(token, "stopped")
            elif token is None and want:
                self.arm(ep, ev, ev.backoff ** ep.retries.get(ev.duration or ev.id, 0))

    def arm(self, ep: Endpoint, ev: Event, factor: int = 1) -> None:
        name = ev.duration or ev.id
        ms = self.sc.timer(name)
        if ms is None:
            raise ScenarioFailed(
                f"scenario {self.sc.id!r}: peer {ep.pid} in {ep.state} at t={self.now} ms starts timer "
                f"event {ev.id!r}, but the scenario's `timers` has no {name!r}", "timers")
        token = self.push(self.now + ms * factor, ("timer", ep.pid, ev.id))
        self.live.add(token)
        self.armed[token] = (ev.id, name, self.now)
        ep.timers[ev.id] = token
        self.used_timers.add(name)

    def stop(self, token: int, outcome: str) -> None:
        event, name, start = self.armed.pop(token)
        self.live.discard(token)
        pid = next(p for p, ep in self.eps.items() if ep.timers.get(event) == token)
        del self.eps[pid].timers[event]
        self.spans.append(TimerSpan(pid, name, event, start, self.now, outcome))

    def expire(self, ep: Endpoint, token: int) -> None:
        event, name, start = self.armed.pop(token)
        del ep.timers[event]
        self.spans.append(TimerSpan(ep.pid, name, event, start, self.now, "fired"))
        ev = self.spec.event(event)
        limit = self.sc.retry_limit(name)
        if ev.start == "unacked" and limit is not None and ep.retries.get(name, 0) >= limit:
            give_up = [e for e in self.timer_events("limit") if (e.duration or e.id) == name]
            if not give_up:
                raise ScenarioFailed(f"scenario {self.sc.id!r}: peer {ep.pid} reached the retry limit of {name!r} "
                                     f"at t={self.now} ms, but no timer event has `start: limit` and "
                                     f"`duration: {name}`", "retries")
            self.fire(ep, give_up[0].id, None)
            return
        if ev.start == "unacked":
            ep.retries[name] = ep.retries.get(name, 0) + 1
        self.fire(ep, event, None)

    def check_nothing_stuck(self) -> None:
        """A peer that ends synchronized with a segment nobody acknowledged needed a retransmission it could not make."""
        for pid, ep in self.eps.items():
            if not ep.unacked or self.spec.state(ep.state).group == "closed":
                continue
            head = ep.unacked[0]
            flags = ",".join(f for f in ("SYN", "FIN", "PSH") if f in head.flags)
            events = [e.id for e in self.timer_events("unacked")]
            raise ScenarioFailed(
                f"scenario {self.sc.id!r}: peer {pid} ends in {ep.state} at t={self.now} ms with its {flags} "
                f"(seq offset {head.seq}) never acknowledged, and {ep.state} has no transition for timer event "
                f"{' or '.join(map(repr, events)) or '(none)'} to resend it")

    def check_timers_used(self) -> None:
        """Every timer the scenario sets and no peer started: all of them, each at its own line."""
        unused: list[tuple[str, str]] = []
        for t in self.sc.timers:
            if t.name in self.used_timers:
                continue
            events = [e.id for e in self.spec.events if e.kind == "timer" and e.duration == t.name]
            ends = ", ".join(f"{pid} ends in {ep.state}" for pid, ep in self.eps.items())
            if t.name in self.missed:
                pid, state, event, at = self.missed[t.name]
                ends += (f"; peer {pid} in {state} at t={at} ms had a segment unacknowledged but no transition for "
                         f"event {event!r}")
            unused.append((f"timers.{t.name}",
                f"scenario {self.sc.id!r}: timer {t.name!r} is set but never started: no state the peers entered "
                f"has a transition for event {' or '.join(map(repr, events)) or '(none uses it)'} ({ends})"))
        if unused:
            (key, message), *more = unused
            raise ScenarioFailed(message, key, tuple(more))

    # ---- segments -----------------------------------------------------------------------------
    def arrive(self, ep: Endpoint, wire: Wire) -> None:
        """Classify what the segment brings that is new and fire the matching segment event(s)."""
        if ep.take_ack(wire):
            self.restart_unacked(ep)
        whole, parts = classify_parts(ep, wire)
        if whole is not None and self.match_event(whole) is not None:
            parts = [whole]
        for part in parts:
            learn(ep, wire, part)
            self.fire(ep, self.event_for(part, wire), wire)

    def restart_unacked(self, ep: Endpoint) -> None:
        """New data acknowledged: the retransmission timers start afresh (RFC 6298 §5.3), or stop (§5.2)."""
        for ev in self.timer_events("unacked"):
            token = ep.timers.get(ev.id)
            if token is not None:
                self.stop(token, "stopped")
        self.sync_unacked(ep)

    def match_event(self, match: Match) -> str | None:
        return next((e.id for e in self.spec.events if e.kind == "segment" and e.match == match), None)

    def event_for(self, part: Match, wire: Wire) -> str:
        event = self.match_event(part)
        if event is None:
            raise ScenarioFailed(
                f"scenario {self.sc.id!r}: no segment event matches segment {wire.index} "
                f"({self.segments[wire.index].label}) at t={self.now} ms: rst={part.rst}, syn={part.syn}, "
                f"fin={part.fin}, acks={part.acks}, data={part.data}, again={part.again}")
        return event

    def send(self, ep: Endpoint, action: Action, cause: Wire | None, step: Step | None) -> None:
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
        data = (step.bytes or 0) if step is not None and "PSH" in flags else 0
        if "PSH" in flags and not data:
            raise ScenarioFailed(f"scenario {self.sc.id!r}: peer {ep.pid} in {ep.state} at t={self.now} ms sends "
                                 f"data ({action.id!r}) but the step gives no `bytes`", "")
        self.emit(ep, frozenset(flags), None, data=data)

    def emit(self, ep: Endpoint, flags: frozenset[Flag], ack: SeqNo | None, seq: SeqNo | None = None,
             data: int = 0, retrans: bool = False) -> None:
        """Put a segment on the channel (unless a loss rule drops it); ACK rides along once the peer's ISN is known."""
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
                ep.snd_nxt += data
            if "FIN" in flags:
                ep.fin_seq, ep.snd_nxt = ep.snd_nxt, ep.snd_nxt + 1
        if seq.pid == ep.pid and "RST" not in flags:
            ep.sent(seq.offset, flags, data)
        if ep.held_ack is not None:  # the held ACK rides on this segment
            self.live.discard(ep.held_ack)
            ep.held_ack = None
        self.sent_count[(ep.pid, flags)] += 1
        lost = False
        for i, rule in enumerate(self.sc.lose):
            if rule.matches(ep.pid, flags, self.sent_count[(ep.pid, flags)]):
                self.loss_hits[i] += 1
                lost = True
        index = len(self.segments)
        wire = Wire(index, ep.pid, flags, seq, ack, data)
        arrival = self.now + self.sc.delay
        self.wires.append(wire)
        self.segments.append(Segment(
            index, ep.pid, peer, tuple(f for f in FLAGS if f in flags),
            self.fmt(seq), self.fmt(ack) if ack is not None else None, self.now, None if lost else arrival,
            length=data, retransmission=retrans, lost=lost))
        if not lost:
            self.push(arrival, ("arrive", peer, index))
        self.sync_unacked(ep)

    def fmt(self, n: SeqNo) -> str:
        return n.text(self.sc.seq, self.numeric)


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
        return [(e.key, str(e)), *e.more]
    except (TcpDiagramError, KeyError, ValueError, TypeError) as e:
        return [("", f"scenario {scenario.id!r} cannot be simulated: {e!s}")]
    out = []
    for peer, expected in zip(trace.peers, scenario.expect):
        if peer.states != expected:
            out.append((f"expect.{peer.id}", f"scenario {scenario.id!r}: peer {peer.id} went "
                        f"{' → '.join(peer.states)}, but `expect` says {' → '.join(expected)}"))
    for peer, error in zip(trace.peers, scenario.expect_errors):
        if peer.error != error:
            told = f"is told {peer.error}" if peer.error else "is told of no error"
            says = f"says {error}" if error else f"does not name it (add `errors: {{{peer.id}: {peer.error}}}`)"
            out.append(("expect.errors" if error is None else f"expect.errors.{peer.id}",
                        f"scenario {scenario.id!r}: peer {peer.id}'s application {told}, but `expect.errors` {says}"))
    if out and trace.missed:  # the likely cause: a retransmission the spec's transitions could not make
        out = [(key, f"{message}; {'; '.join(trace.missed)}") for key, message in out]
    for i, (rule, hits) in enumerate(zip(scenario.lose, trace.loss_hits)):
        if hits == 0:
            sent = Counter((s.src, s.flag_text) for s in trace.segments if s.src == rule.src)
            what = ", ".join(f"{flags} ×{n}" for (_src, flags), n in sorted(sent.items())) or "nothing"
            which = "every segment" if rule.nth is None else f"segment #{rule.nth}"
            out.append((f"network.lose[{i}]", f"scenario {scenario.id!r}: loss rule {i + 1} ({which} that {rule.src} "
                        f"sends with flags {','.join(rule.flags)}) matches no segment; {rule.src} sent: {what}"))
    return out
