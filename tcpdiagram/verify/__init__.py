"""`tcpdiagram verify`: reproduce the spec's scenarios on this machine's Linux TCP stack and compare."""

from __future__ import annotations

from pathlib import Path
from typing import Callable


def run(
    scenario_ids: list[str], runs: int = 5, record: Path | None = None, spec_path: Path | None = None,
    close_call: str = "close", write: Callable[[str], None] = print, pcap: Path | None = None,
) -> int:
    """Verify the scenarios (all when empty) `runs` times each; 0 when all agree, 1 when not (see runner.run).
    With `pcap`, each run's capture (A's side) is saved there as <scenario>-run<N>.pcap."""
    from .runner import run as _run

    return _run(scenario_ids, runs, record, spec_path, close_call, write, pcap)
