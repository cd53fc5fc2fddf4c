"""Observed vs expected, both plain trace dicts: per-peer state sequences, segment directions and flags."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import zip_longest
from typing import Any

from .expect import flags_text

Json = dict[str, Any]
TIMER_SLACK_MS = 1000  # sock_diag reports the TIME_WAIT timer a poll (about 1 ms) after entry, in whole ms


@dataclass(frozen=True)
class Check:
    """One comparison: what was compared, the two sides as text, and whether they agree."""

    what: str
    expected: str
    observed: str
    ok: bool


ERRNOS = ("ECONNREFUSED", "ECONNRESET", "ETIMEDOUT")


def _seg(s: Json) -> str:
    """"A>B F." as tcpdump prints it, with ✗ when the network lost it (Linux-only segments are never lost)."""
    lost = s.get("lost") if "lost" in s else ("sent" in s and s.get("received") is None)
    return f"{s['src']}>{s['dst']} {flags_text(s['flags'])}{' ✗' if lost else ''}"


def observed_error(observed: Json, peer: str) -> str | None:
    """The last error a socket call of the peer's application returned (connect(), recv())."""
    errors = [c["result"] for c in observed.get("calls", []) if c["peer"] == peer and c["result"] in ERRNOS]
    return errors[-1] if errors else None


def compare(expected: Json, observed: Json) -> list[Check]:
    """Every check of one run; the run agrees when all are ok."""
    checks: list[Check] = []
    for p in ("A", "B"):
        exp, obs = expected["peers"][p], observed["peers"][p]
        e, o = " ".join(exp["states"]), " ".join(obs["states"])
        checks.append(Check(f"{p} states", e, o, e == o))
        if "time_wait_timer_ms" in exp:
            want, got = exp["time_wait_timer_ms"], obs.get("time_wait_timer_ms")
            ok = got is not None and want - TIMER_SLACK_MS <= got <= want
            checks.append(Check(f"{p} TIME_WAIT timer", f"{want} ms", f"{got} ms" if got is not None else "not seen", ok))
        if exp.get("time_wait_restarts"):
            want_r, got_r = exp["time_wait_restarts"], obs.get("time_wait_restarts", 0)
            checks.append(Check(f"{p} TIME_WAIT restarts", str(want_r), str(got_r), want_r == got_r))
        if "error" in exp and (exp["error"] or observed_error(observed, p)):
            got_e = observed_error(observed, p)
            checks.append(Check(f"{p} error", str(exp["error"]), str(got_e), exp["error"] == got_e))
    e_segs = [_seg(s) for s in expected["segments"]]
    o_segs = [_seg(s) for s in observed["segments"]]
    checks.append(Check("segments", ", ".join(e_segs), ", ".join(o_segs), e_segs == o_segs))
    if e_segs == o_segs:
        checks += _gaps(expected["segments"], observed)
    return checks


def kernel_rto(observed: Json, peer: str, before: int) -> int | None:
    """The RTO (tcpi_rto) the kernel reported for the peer's socket at its last app call before `before` ms."""
    found = [c for c in observed.get("calls", []) if c["peer"] == peer and c["call"] == "tcp_info"
             and c["t"] <= before and str(c["result"]).startswith("rto=")]
    return int(found[-1]["result"][4:]) if found else None


def _gaps(expected: list[Json], observed: Json) -> list[Check]:
    """Each retransmission left its expected wait after the previous copy, within the spec's stated tolerance.

    Where an `rto` rule says Linux uses its own estimate, the wait is the RTO the kernel reported when the
    application acted (tcpi_rto), and the rule's figure only when none was read.
    """
    from .expect import GAP_EARLY_MS, resends

    checks = []
    segs = observed["segments"]
    for i, j in resends(expected):
        want, late = expected[i]["gap_ms"], expected[i]["gap_late_ms"]
        if expected[i].get("gap_is_kernel_rto"):
            want = kernel_rto(observed, segs[j]["src"], segs[j]["sent"]) or want
        got = segs[i]["sent"] - segs[j]["sent"]
        checks.append(Check(f"segment {i + 1} resent after", f"{want}–{want + late} ms", f"{got} ms",
                            want - GAP_EARLY_MS <= got <= want + late))
    return checks


def agrees(checks: list[Check]) -> bool:
    return all(c.ok for c in checks)


def _when(s: Json) -> str:
    if "sent" not in s:
        return "(Linux only)"
    arrival = "lost" if s.get("received") is None else str(s["received"])
    return f"{s['sent']:>4} → {arrival:<4}"


def _numbers(s: Json) -> str:
    ack = f" ack {s['ack']}" if s.get("ack") is not None else ""
    return f"seq {s['seq']}{ack}" if s.get("seq") is not None else ""


def side_by_side(expected: Json, observed: Json, checks: list[Check]) -> str:
    """A text table: the spec's expectation on the left, what the kernel did on the right, a mark per line."""
    mark = {c.what: "ok" if c.ok else "DIFFERS" for c in checks}
    width = max(30, *(len(" → ".join(expected["peers"][p]["states"])) + 2 for p in ("A", "B")))
    lines = [f"    {'':<10}{'expected (spec + Linux rules)':<{width}}  observed on Linux (ms from start)"]
    for p in ("A", "B"):
        exp = " → ".join(expected["peers"][p]["states"])
        obs = " → ".join(f"{c['state']}@{c['t']}" for c in _state_changes(observed["peers"][p]["timeline"]))
        lines.append(f"    {p + ' states':<10}{exp:<{width}}  {obs}   [{mark[p + ' states']}]")
        info = observed["peers"][p].get("tcp_info", [])
        if info:
            seen = " → ".join(f"{c['state']}@{c['t']}" for c in info)
            lines.append(f"    {'':<10}{'':<{width}}  TCP_INFO on the app's fd: {seen}")
        if f"{p} TIME_WAIT timer" in mark:
            c = next(c for c in checks if c.what == f"{p} TIME_WAIT timer")
            lines.append(f"    {'':<10}{'TIME_WAIT timer ' + c.expected:<{width}}  {c.observed}   [{mark[c.what]}]")
    lines.append(f"    segments  [{mark['segments']}]")
    pairs = zip_longest(expected["segments"], observed["segments"])
    for i, (e, o) in enumerate(pairs, 1):
        left = f"{_when(e)}  {_seg(e)}  {_numbers(e)}" if e else "-"
        right = f"{_when(o)}  {_seg(o)}  {_numbers(o)}" if o else "-"
        same = e is not None and o is not None and _seg(e) == _seg(o)
        lines.append(f"    {i:>2}  {left:<{width + 4}}{right}{'' if same else '   <-'}")
    shown = {"A states", "B states", "segments", "A TIME_WAIT timer", "B TIME_WAIT timer"}
    for c in checks:
        if c.what not in shown:
            lines.append(f"    {c.what + ':':<28}expected {c.expected:<16} observed {c.observed}   [{mark[c.what]}]")
    return "\n".join(lines)


def _state_changes(timeline: list[Json]) -> list[Json]:
    out: list[Json] = []
    for c in timeline:
        if not out or out[-1]["state"] != c["state"]:
            out.append(c)
    return out
