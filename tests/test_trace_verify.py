"""Captures recorded by `tcpdiagram verify --pcap` on the real kernel, traced: the states each endpoint went
through must be those the run observed (sock_diag), as root in network namespaces (marker netns)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tcpdiagram.capture.read import read
from tcpdiagram.model import Spec
from tcpdiagram.simulate import simulate
from tcpdiagram.verify.lab import ADDR
from tcpdiagram.verify.netns import CannotVerify, preflight

START = {"CLOSED", "LISTEN"}  # before its first segment an endpoint's state is the spec's start, unseen on the wire


def _strip(states: list[str]) -> list[str]:
    k = 0
    while k < len(states) - 1 and states[k] in START:
        k += 1
    return states[k:]


@pytest.fixture
def netns() -> None:
    try:
        preflight()
    except CannotVerify as e:
        pytest.skip(f"real Linux runs skipped: {e}")


@pytest.mark.netns
def test_every_verify_capture_traces_to_the_observed_states(netns: None, tmp_path: Path, spec: Spec) -> None:
    from tcpdiagram.verify import run

    lines: list[str] = []
    record = tmp_path / "record.json"
    assert run([], runs=1, record=record, write=lines.append, pcap=tmp_path) == 0, "\n".join(lines)
    observed = json.loads(record.read_text(encoding="utf-8"))["scenarios"]
    for sc in spec.scenarios:
        cap = read(tmp_path / f"{sc.id}-run1.pcap", spec)
        conns = [c.summary() for c in cap.connections]
        ours = {e["addr"].split(":")[0]: e["states"] for c in conns for e in c["endpoints"]}
        sim = simulate(spec, sc.id)
        for pid in ("A", "B"):
            seen = _strip(observed[sc.id]["observed"]["peers"][pid]["states"])
            moves = [c for c in sim.changes if c.peer == pid and c.source != c.target]
            if moves and spec.event(moves[-1].event).kind == "timer" and len(seen) > 1 and seen[-1] == moves[-1].target:
                seen = seen[:-1]  # a timer's expiry (connect_timeout's SYN_SENT → CLOSED) sends nothing to capture
            notes = [n for c in conns for n in c["notes"]]
            if any(n.startswith(f"{ADDR[pid]}:") and "sent nothing that was captured" in n for n in notes):
                continue  # nothing on A's side shows what reached it (connect_timeout's lost SYNs): an assumption, noted
            traced = _strip(ours[ADDR[pid]])
            assert traced[-len(seen):] == seen, (sc.id, pid, traced, seen, [c["notes"] for c in conns])
