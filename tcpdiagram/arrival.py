"""What an arriving segment brings, as the spec's segment events, and which transition a state takes: shared by the
simulator and `tcpdiagram trace`, so both read segments through the same machine."""

from __future__ import annotations

from collections.abc import Iterable

from .model import Acks, Event, Match, Transition


def match_event(events: Iterable[Event], match: Match) -> str | None:
    """The segment event whose `match` is exactly this one."""
    return next((e.id for e in events if e.kind == "segment" and e.match == match), None)


def classify(events: tuple[Event, ...], rst: bool, syn: bool, fin: bool, acks_syn: bool, acks_fin: bool) -> list[Match]:
    """The whole tuple if a segment event matches it, else its parts in RFC 9293 order (ACK, SYN, FIN).

    `syn`/`fin`: the segment carries the peer's SYN/FIN not seen before; `acks_syn`/`acks_fin`: it newly
    acknowledges our SYN/FIN. A RST's ACK field only makes it acceptable (RFC 9293 §3.10.7.3): it acknowledges
    nothing. An empty list: nothing new (a duplicate ACK), no event.
    """
    if rst:
        return [Match(True, False, False, "none")]
    if not (syn or fin or acks_syn or acks_fin):
        return []
    if not (acks_syn and acks_fin):
        acks: Acks = "syn" if acks_syn else "fin" if acks_fin else "none"
        whole = Match(False, syn, fin, acks)
        if match_event(events, whole) is not None:
            return [whole]
    ack_parts: tuple[tuple[Acks, bool], ...] = (("syn", acks_syn), ("fin", acks_fin))
    parts = [Match(False, False, False, a) for a, on in ack_parts if on]
    parts += [Match(False, True, False, "none")] if syn else []
    parts += [Match(False, False, True, "none")] if fin else []
    return parts


def pick(transitions: Iterable[Transition], state: str, event: str, conditions: Iterable[str]) -> Transition | None:
    """The transition for (state, event): a guarded one whose condition holds, else the unguarded one."""
    held = set(conditions)
    found = [t for t in transitions if t.source == state and t.event == event]
    guarded = [t for t in found if t.when is not None and t.when in held]
    plain = [t for t in found if t.when is None]
    chosen = guarded or plain
    return chosen[0] if chosen else None
