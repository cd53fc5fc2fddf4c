"""The scenario player's data: the build's own trace as steps (one per step-table row), as JSON for a page."""

from __future__ import annotations

import json
from typing import Any, Sequence

from ..model import PeerId, Spec
from ..render.state_dot import head_key
from ..trace import Trace

PEERS: tuple[PeerId, PeerId] = ("A", "B")


def chart_ids(trace: Trace) -> dict[str, list[tuple[int, str]]]:
    """Every revealable element of the chart (render/sequence_place.py names them) with the time it appears."""
    prefix = f"seq-{trace.scenario}-"
    out: dict[str, list[tuple[int, str]]] = {"segments": [], "states": [], "calls": [], "timers": []}
    for s in trace.segments:
        out["segments"].append((s.sent, f"{prefix}seg-{s.index}"))
    for pid in PEERS:
        entered = [(-1, trace.peer(pid).states[0])]  # -1: shown from the start
        entered += [(c.time, c.target) for c in trace.changes if c.peer == pid and c.source != c.target]
        for k, (at, sid) in enumerate(entered):
            out["states"].append((at, f"{prefix}state-{pid}-{k}-{sid}"))
    for j, call in enumerate(trace.calls):
        out["calls"].append((call.time, f"{prefix}call-{call.peer}-{j}-{call.event}"))
    for j, timer in enumerate(trace.timers):
        out["timers"].append((timer.start, f"{prefix}timer-{timer.peer}-{j}-{timer.name}"))
    return out


def steps(spec: Spec, trace: Trace, times: Sequence[int]) -> dict[str, Any]:
    """Player data: the start, then one step per time in `times` (the step table's rows, in order).

    Each step names the chart elements that appear at it, each peer's state after it (as the node id of the
    path diagram, `state-CLOSED-end` for the CLOSED drawn at the bottom) and the transitions fired at it.
    """
    by_id = {t.id: t for t in spec.transitions}
    ids = [(at, el) for group in chart_ids(trace).values() for at, el in group]
    node = {pid: f"state-{trace.peer(pid).states[0]}" for pid in PEERS}
    state = {pid: trace.peer(pid).states[0] for pid in PEERS}
    start = {"show": sorted(el for at, el in ids if at < 0), "states": dict(state), "nodes": dict(node)}
    out: list[dict[str, Any]] = []
    shown = set(start["show"])
    for t in times:
        fired = [c for c in trace.changes if c.time == t]
        for c in fired:
            tr = by_id.get(c.transition)
            state[c.peer] = c.target
            node[c.peer] = head_key(spec, tr) if tr is not None else f"state-{c.target}"
        new = sorted(el for at, el in ids if at <= t and el not in shown)
        shown.update(new)
        out.append({"time": t, "show": new, "states": dict(state), "nodes": dict(node),
                    "fired": [{"peer": c.peer, "edge": f"tr-{c.transition}"} for c in fired]})
    return {"scenario": trace.scenario, "chart": f"scenario-{trace.scenario.lower()}",
            "path": f"path-{trace.scenario.lower()}", "start": start, "steps": out}


def script_json(data: object) -> str:
    """JSON that is safe inside <script type="application/json"> in HTML and inside Markdown: spec text is
    untrusted, so `<`, `>`, `&` and the JavaScript line separators are written as escapes."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                    ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text
