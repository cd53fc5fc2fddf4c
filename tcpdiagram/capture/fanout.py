"""The listing read on every core: each process reads the whole file and keeps the connections of its partition
(a hash of the 4-tuple, so port reuse stays in one); the lines are merged in the order the connections began."""

from __future__ import annotations

import heapq
import os
import pickle
import signal
from pathlib import Path
from typing import NamedTuple

from ..errors import Unheld
from ..model import Spec
from .error import CaptureError
from .read import Capture, NoCycles, read_part, why_empty

MAX_WORKERS = 4  # each reads (and decodes) the whole file: more processes pay that again
MIN_BYTES = 1 << 20  # a smaller capture is read in one process: starting another costs more than it saves

Cells = tuple[str, str, float, str, str | None, str | None]


class Line(NamedTuple):
    """One connection as the listing shows it."""

    id: int
    packets: int
    cells: Cells  # Conn.row(): addresses, duration, conn_state, last states


Part = list[tuple[int, int, Cells]]  # (frame number of the connection's first segment, packets, cells)


def workers() -> int:
    """Processes to use: the cores this process may run on (at most MAX_WORKERS), 1 without os.fork."""
    if not hasattr(os, "fork"):
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cores, MAX_WORKERS))


def lines(path: Path, spec: Spec, processes: int | None = None) -> tuple[Capture, list[Line]]:
    """Every connection of the capture as listing lines (ids as `read` numbers them), and what was read; in
    `processes` processes (default: workers(), one for a capture under MIN_BYTES)."""
    n = processes or (workers() if path.stat().st_size >= MIN_BYTES else 1)
    children: list[tuple[int, int]] = []  # (pid, read end of its pipe)
    with NoCycles():  # the lines make no cycles either: the collector would walk each connection read again
        try:
            for k in range(1, n):
                children.append(_start(path, spec, n, k))
            cap, mine = _part(path, spec, n, 0)
            parts = [mine]
            while children:
                with Unheld():  # waiting for a child: a signal raises at once, and the finally below stops them
                    parts.append(_result(children))
        finally:
            for pid, fd in children:  # an error (or a signal) here: stop the others, leave nothing running
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                os.close(fd)
        merged = heapq.merge(*parts, key=lambda x: x[0])
        new = tuple.__new__  # not Line(…): a NamedTuple's __new__ is Python code, 20,000 calls for 20k connections
        out = [new(Line, (i, packets, cells)) for i, (_first, packets, cells) in enumerate(merged, 1)]
    if not out:
        raise CaptureError(str(path), 0, why_empty(cap))
    return cap, out


def _part(path: Path, spec: Spec, parts: int, mine: int) -> tuple[Capture, Part]:
    """Partition `mine`'s lines, and what was read (its connections dropped: the lines are all the listing needs)."""
    with NoCycles():
        cap = read_part(path, spec, parts, mine)
        part = [(c.first_frame, c.packets, c.row()) for c in cap.connections]
        cap.connections.clear()  # freed here, by reference counting, not walked by the collector later
    return cap, part


def _start(path: Path, spec: Spec, parts: int, mine: int) -> tuple[int, int]:
    """Fork a process that reads partition `mine` and writes its lines (or its error) to a pipe."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's code
        status = 0
        try:
            os.close(r)
            for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                signal.signal(sig, signal.SIG_DFL)  # the parent reports a signal; this one just ends
            try:
                payload = pickle.dumps((None, _part(path, spec, parts, mine)[1]), pickle.HIGHEST_PROTOCOL)
            except Exception as e:  # noqa: BLE001 - handed to the parent, which raises it as its own read would
                payload = pickle.dumps((e, []), pickle.HIGHEST_PROTOCOL)
            with os.fdopen(w, "wb") as out:
                out.write(payload)
        except BaseException:  # noqa: BLE001 - a child must not unwind into the parent's code
            status = 1
        finally:
            os._exit(status)
    os.close(w)
    return pid, r


def _result(children: list[tuple[int, int]]) -> Part:
    """The first child's lines, once it has ended; it leaves `children` only when reaped."""
    pid, fd = children[0]
    with os.fdopen(fd, "rb", closefd=False) as f:
        data = f.read()
    _pid, status = os.waitpid(pid, 0)
    children.pop(0)
    os.close(fd)
    if not data or os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"a capture reader process ended without its result (status {status})")
    error, part = pickle.loads(data)  # noqa: S301 - written by our own child, through its pipe
    if error is not None:
        raise error
    result: Part = part
    return result
