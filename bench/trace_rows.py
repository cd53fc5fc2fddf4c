"""Benchmark rows for `tcpdiagram trace`: list the connections of generated captures (20k and 200k connections,
9 segments each), timed against `tshark -r FILE -q -z conv,tcp` on the same file in the same run.

Alone: `.venv/bin/python bench/trace_rows.py [RUNS]` prints the rows (the capture files go to a temporary folder)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

from gen_capture import write


def measure(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, float]:
    """(wall ms, CPU ms, peak RSS MB) of one whole process, from wait4."""
    t = time.perf_counter()
    with open(os.devnull, "wb") as null:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=null, stderr=subprocess.PIPE)
        _pid, status, usage = os.wait4(proc.pid, 0)
    ms = (time.perf_counter() - t) * 1000
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"bench: {' '.join(cmd)} failed: {proc.stderr.read().decode() if proc.stderr else ''}")
    return ms, (usage.ru_utime + usage.ru_stime) * 1000, usage.ru_maxrss / 1024


def best(runs: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """The run with the least wall time (the one the machine's other work disturbed least)."""
    return min(runs)


def trace_rows(work: Path, env: dict[str, str], tcpdiagram: str, runs: int, row):  # type: ignore[no-untyped-def]
    """Rows (built with `row(name, ms, target, ok, detail)`) for 20k and 200k connections: ours and tshark's runs
    alternate (so both meet the same load), best of max(3, runs) and of 1 for 200k; wall and CPU ms in the detail."""
    tshark = shutil.which("tshark")
    out = []
    seen: dict[int, tuple[float, float]] = {}
    for conns, n in ((20_000, max(3, runs)), (200_000, 1)):
        cap = work / f"trace-{conns}.pcap"
        packets = write(cap, conns)
        ours, theirs = [], []
        for _ in range(n):
            ours.append(measure([tcpdiagram, "trace", str(cap)], work, env))
            if tshark:
                theirs.append(measure([tshark, "-r", str(cap), "-q", "-z", "conv,tcp"], work, env))
        ms, cpu, rss = best(ours)
        seen[conns] = (packets / (cpu / 1000), rss)
        detail = (f"{packets} packets, wall {ms:.0f} ms, CPU {cpu:.0f} ms (both cores), "
                  f"{packets / (cpu / 1000):,.0f} packets/s of CPU, peak {rss:.0f} MB")
        if theirs:
            t_ms, t_cpu, t_rss = best(theirs)
            out.append(row(f"tshark -z conv,tcp, {conns // 1000}k connections", t_ms, "floor", None,
                           f"wall {t_ms:.0f} ms, CPU {t_cpu:.0f} ms, {packets / (t_cpu / 1000):,.0f} packets/s of CPU, "
                           f"peak {t_rss:.0f} MB"))
            out.append(row(f"trace (list), {conns // 1000}k connections", ms, f"≤ tshark ({t_ms:.0f} ms)",
                           ms <= t_ms, detail))
        else:
            out.append(row(f"trace (list), {conns // 1000}k connections", ms, "tshark missing (make bench)", None,
                           detail))
    (r20, m20), (r200, m200) = seen[20_000], seen[200_000]
    out.append(row("trace growth 20k → 200k connections", 0.0, "reported", None,
                   f"packets/s × {r200 / r20:.2f}, peak memory × {m200 / m20:.2f}"))
    return out


if __name__ == "__main__":
    import sys
    import tempfile

    def _row(name: str, ms: float, target: str, ok: bool | None, detail: str) -> str:
        mark = "" if ok is None else (" ok" if ok else " NOT MET")
        return f"{name}: {ms:.0f} ms (target {target}){mark}; {detail}"

    exe = str(Path(sys.executable).with_name("tcpdiagram"))
    with tempfile.TemporaryDirectory() as tmp:
        for line in trace_rows(Path(tmp), dict(os.environ), exe, int(sys.argv[1]) if len(sys.argv) > 1 else 3, _row):
            print(line)
