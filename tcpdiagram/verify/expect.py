"""What Linux should do in a scenario: the spec's simulated trace with the documented Linux differences applied."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..model import Spec

Json = dict[str, Any]
_LETTERS = (("FIN", "F"), ("SYN", "S"), ("RST", "R"), ("PSH", "P"))  # tcpdump's order; "." is the ACK bit
GAP_EARLY_MS = 5  # a resend may leave this much before its expected gap (capture and timer rounding)


@dataclass(frozen=True)
class Difference:
    """One documented way Linux differs from the spec, with the rule that turns the spec's trace into Linux's."""

    id: str
    rule: Json
    text: dict[str, str]


def flags_text(flags: list[str]) -> str:
    """["ACK", "FIN"] → "F." as tcpdump prints it."""
    return "".join(c for f, c in _LETTERS if f in flags) + ("." if "ACK" in flags else "")


def parse_segment(text: str) -> tuple[str, str, list[str]]:
    """"A>B F." → ("A", "B", ["ACK", "FIN"]) (flags sorted like the trace's)."""
    way, _, letters = text.partition(" ")
    src, _, dst = way.partition(">")
    flags = [f for f, c in _LETTERS if c in letters] + (["ACK"] if "." in letters else [])
    if src not in ("A", "B") or dst not in ("A", "B") or src == dst:
        raise ValueError(f"bad segment {text!r}: expected like 'A>B F.'")
    return src, dst, sorted(flags)


def differences_for(spec: Spec, scenario_id: str) -> tuple[Difference, ...]:
    """The spec's Linux rules for a scenario: those of every scenario, then its own."""
    rules = spec.linux_rules + spec.scenario(scenario_id).linux_rules
    return tuple(Difference(r.id, r.as_rule(), {"zh": r.text.zh, "en": r.text.en}) for r in rules)


def simulated(spec: Spec, scenario_id: str) -> Json:
    """The spec's own prediction: the simulator's trace as plain JSON."""
    from ..simulate import simulate
    from ..trace import trace_to_json

    return trace_to_json(simulate(spec, scenario_id))


def resends(segments: list[Json]) -> list[tuple[int, int]]:
    """(index, index of the previous copy) of each retransmission among the expected segments."""
    out = []
    for i, s in enumerate(segments):
        if s.get("retransmission"):
            prev = [j for j in range(i) if (segments[j]["src"], segments[j]["flags"], segments[j].get("seq"))
                    == (s["src"], s["flags"], s.get("seq"))]
            if prev:
                out.append((i, prev[-1]))
    return out


def apply(expected: Json, diffs: tuple[Difference, ...]) -> tuple[Json, list[str]]:
    """The Linux expectation: a copy of `expected` with each rule applied; also the ids of the rules that changed it.

    Each retransmission gets `gap_ms` (the wait since the previous copy, as the spec predicts it) and
    `gap_late_ms` (how much later Linux may send it); `rto` and `timers_late` rules change those.
    """
    out = copy.deepcopy(expected)
    segs = out["segments"]
    for i, j in resends(segs):
        segs[i]["gap_ms"], segs[i]["gap_late_ms"] = segs[i]["sent"] - segs[j]["sent"], 0
    used: list[str] = []
    for d in diffs:
        (kind, arg), = d.rule.items()
        if _RULES[kind](out, arg):
            used.append(d.id)
    return out, used


def _time_wait(out: Json, arg: Json) -> bool:
    changed = False
    for pid, peer in out["peers"].items():
        states = peer["states"]
        if states[-2:] == ["TIME_WAIT", "CLOSED"]:
            peer["states"] = states[:-1]
            peer["time_wait_timer_ms"] = int(arg["timer_ms"])
            peer["time_wait_restarts"] = sum(1 for t in out.get("timers", [])
                                             if t["peer"] == pid and t.get("outcome") == "restarted")
            changed = True
    return changed


def _rto(out: Json, arg: Json) -> bool:
    """Linux's own RTO: the first resend of each segment leaves this long after the original."""
    segs = out["segments"]
    first = [i for i, j in resends(segs) if not segs[j].get("retransmission")]
    for i in first:
        segs[i]["gap_ms"], segs[i]["gap_is_kernel_rto"] = int(arg["ms"]), True
    return bool(first)


def _timers_late(out: Json, arg: Json) -> bool:
    gaps = [s for s in out["segments"] if "gap_ms" in s]
    for s in gaps:
        s["gap_late_ms"] = int(arg["up_to_ms"])
    return bool(gaps)


def _sysctl(_out: Json, _arg: Json) -> bool:
    return True  # applied to the namespaces by verify's driver; it changes the run, not the expectation


def _add_flags(out: Json, arg: Json) -> bool:
    src, dst, flags = parse_segment(arg["segment"])
    for seg in out["segments"]:
        if (seg["src"], seg["dst"], sorted(seg["flags"])) == (src, dst, flags):
            seg["flags"] = sorted(set(seg["flags"]) | set(arg["add"]))
            return True
    return False


def _append_segments(out: Json, arg: list[str]) -> bool:
    for text in arg:
        src, dst, flags = parse_segment(text)
        out["segments"].append({"src": src, "dst": dst, "flags": flags, "linux_only": True})
    return bool(arg)


_RULES: dict[str, Callable[[Json, Any], bool]] = {
    "time_wait": _time_wait, "add_flags": _add_flags, "append_segments": _append_segments, "rto": _rto,
    "timers_late": _timers_late, "sysctl": _sysctl,
}
