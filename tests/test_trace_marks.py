"""Wireshark's analysis marks on small crafted captures, each checked against the documented rules and, where
tshark is installed (make bench installs it), against tshark's own tcp.analysis fields on the same file."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from capwriter import ACK, PSH, Flow, pcapng
from tcpdiagram.capture.read import read
from tcpdiagram.model import Spec

D = ACK | PSH
TEN = b"0123456789"
FIELDS = {  # tshark field → our mark id
    "tcp.analysis.retransmission": "retransmission", "tcp.analysis.fast_retransmission": "fast_retransmission",
    "tcp.analysis.spurious_retransmission": "spurious_retransmission", "tcp.analysis.out_of_order": "out_of_order",
    "tcp.analysis.duplicate_ack": "duplicate_ack", "tcp.analysis.zero_window": "zero_window",
    "tcp.analysis.zero_window_probe": "zero_window_probe", "tcp.analysis.window_full": "window_full",
    "tcp.analysis.keep_alive": "keep_alive", "tcp.analysis.lost_segment": "previous_segment_not_captured",
    "tcp.analysis.ack_lost_segment": "acked_unseen_segment", "tcp.analysis.window_update": "window_update",
    "tcp.analysis.keep_alive_ack": "keep_alive_ack", "tcp.analysis.zero_window_probe_ack": "zero_window_probe_ack",
}
# Supersedes, as the User's Guide says: tshark also sets the plain retransmission field on these.
SUPERSEDES = {"fast_retransmission": "retransmission", "spurious_retransmission": "retransmission"}


def flow() -> Flow:
    return Flow().handshake(rtt=10)


CASES: dict[str, tuple[Flow, int | tuple[int, ...]]] = {
    "retransmission": (flow().seg(20, "a", 1, 1, D, data=TEN).seg(300, "a", 1, 1, D, data=TEN), 5),
    "spurious_retransmission": (flow().seg(20, "a", 1, 1, D, data=TEN).seg(25, "b", 1, 11, ACK)
                                .seg(300, "a", 1, 1, D, data=TEN), 6),
    "fast_retransmission": (flow().seg(20, "a", 1, 1, D, data=TEN).seg(21, "a", 11, 1, D, data=TEN)
                            .seg(22, "a", 21, 1, D, data=TEN).seg(23, "a", 31, 1, D, data=TEN)
                            .seg(30, "b", 1, 11, ACK).seg(31, "b", 1, 11, ACK).seg(32, "b", 1, 11, ACK)
                            .seg(33, "b", 1, 11, ACK).seg(34, "a", 11, 1, D, data=TEN), 12),
    # b's first ACK already repeats the SYN,ACK's ack=1: tshark marks it a duplicate too
    "duplicate_ack": (flow().seg(20, "a", 11, 1, D, data=TEN).seg(21, "b", 1, 1, ACK).seg(22, "b", 1, 1, ACK), (5, 6)),
    "out_of_order": (flow().seg(20, "a", 11, 1, D, data=TEN).seg(20.5, "a", 1, 1, D, data=TEN), 5),
    "previous_segment_not_captured": (flow().seg(20, "a", 11, 1, D, data=TEN), 4),
    "zero_window": (flow().seg(20, "a", 1, 1, D, data=TEN).seg(21, "b", 1, 11, ACK, win=0), 5),
    "zero_window_probe": (flow().seg(20, "a", 1, 1, D, data=TEN).seg(21, "b", 1, 11, ACK, win=0)
                          .seg(500, "a", 11, 1, ACK, data=b"x"), 6),
    "window_full": (flow().seg(15, "b", 1, 1, ACK, win=20).seg(20, "a", 1, 1, D, data=TEN * 2), 5),
    "keep_alive": (flow().seg(20, "a", 1, 1, D, data=TEN).seg(21, "b", 1, 11, ACK)
                   .seg(9000, "a", 10, 1, ACK), 6),
}


def marks_of(path: Path, spec: Spec) -> dict[int, set[str]]:
    conn = read(path, spec, lambda _i, _e: True).connections[0]
    return {r.number: set(r.marks) for r in conn.records}


@pytest.mark.parametrize("mark", sorted(CASES))
def test_mark(tmp_path: Path, spec: Spec, mark: str) -> None:
    flow_, where = CASES[mark]
    frames = where if isinstance(where, tuple) else (where,)
    got = marks_of(flow_.write(tmp_path / f"{mark}.pcap"), spec)
    assert {n for n, m in got.items() if mark in m} == set(frames), got


def test_marks_in_pcapng_too(tmp_path: Path, spec: Spec) -> None:
    flow_, _ = CASES["retransmission"]
    path = pcapng(tmp_path / "r.pcapng", [(101, 9)], [(0, t, data) for t, data in flow_.frames])
    assert marks_of(path, spec)[5] == {"retransmission"}


def tshark_marks(path: Path) -> dict[int, set[str]]:
    cmd = ["tshark", "-r", str(path), "-T", "fields", "-E", "separator=|", "-e", "frame.number", *(
        a for f in FIELDS for a in ("-e", f))]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=60).stdout
    got: dict[int, set[str]] = {}
    for line in out.splitlines():
        cells = line.split("|")
        marks = {FIELDS[f] for f, v in zip(FIELDS, cells[1:]) if v}
        for over, under in SUPERSEDES.items():
            if over in marks:
                marks.discard(under)
        got[int(cells[0])] = marks
    return got


@pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark is not installed (make bench installs it)")
@pytest.mark.parametrize("mark", sorted(CASES))
def test_marks_agree_with_tshark(tmp_path: Path, spec: Spec, mark: str) -> None:
    flow_, _frame = CASES[mark]
    path = flow_.write(tmp_path / f"{mark}.pcap")
    ours = marks_of(path, spec)
    theirs = tshark_marks(path)
    assert ours == theirs


REAL = sorted((Path(__file__).parent / "data" / "captures").glob("*/*.pcap*"))
# The one frame where we differ: the first segment of a direction that sent no SYN (a bare ACK answering a SYN).
# Wireshark compares it with its zero-initialised "previous" values and calls it a window update; we have no
# previous segment of that direction, so no rule applies.
KNOWN = {("syn-then-ack-then-rst.pcap", 2): {"window_update"}}


@pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark is not installed (make bench installs it)")
@pytest.mark.parametrize("path", REAL, ids=[p.name for p in REAL])
def test_real_capture_marks_agree_with_tshark(path: Path, spec: Spec) -> None:
    cap = read(path, spec, lambda _i, _e: True)
    ours = {r.number: set(r.marks) for c in cap.connections for r in c.records}
    theirs = {n: m - KNOWN.get((path.name, n), set()) for n, m in tshark_marks(path).items() if n in ours}
    assert ours == theirs
