"""PNG/PDF conversions in long-lived worker processes that keep librsvg and the fonts loaded: both cores, one start
each. Workers are `python -m tcpdiagram.convert_pool` (not multiprocessing: that re-imports the caller's main
script and forks threads), fed pickled requests on stdin; kept for the process's next build (`serve`)."""

from __future__ import annotations

import atexit
import os
import pickle
import queue
import struct
import subprocess
import sys
import threading
from concurrent.futures import Future
from typing import IO

_HEADER = struct.Struct(">Q")
Job = tuple[str, str, str | None, "Future[bytes]"]  # svg, format, SOURCE_DATE_EPOCH, result

_lock = threading.Lock()
_jobs: queue.Queue[Job | None] = queue.Queue()
_workers: list[_Worker] = []
_nice = 0  # added to the workers' niceness (background())


def workers() -> int:
    """One worker per core (the build's own process mostly waits for MkDocs meanwhile), at most four."""
    return max(1, min(4, os.cpu_count() or 1))


def submit(svg: str, fmt: str) -> Future[bytes]:
    """Convert in a worker; the future raises what convert.svg_to raises (ToolMissing, ToolFailed, UsageError)."""
    future: Future[bytes] = Future()
    with _lock:
        if not _workers:
            _workers.extend(_Worker(i) for i in range(workers()))
            atexit.register(shutdown)
    _jobs.put((svg, fmt, os.environ.get("SOURCE_DATE_EPOCH"), future))
    return future


def background(nice: int = 19) -> None:
    """Workers yield the CPU to everything else (serve: a rebuild's pages come before its PNG/PDF)."""
    global _nice
    with _lock:
        _nice = nice
        for w in _workers:
            w.renice()


def shutdown(kill: bool = False) -> None:
    """Stop the workers (at exit, or after the last build of the process); `kill`: at once (one is stuck)."""
    with _lock:
        stopping, _workers[:] = list(_workers), []
    for _ in stopping:
        _jobs.put(None)
    for w in stopping:
        if kill:
            w.proc.kill()
        w.stop()


class _Worker:
    """One converter process and the thread that feeds it jobs from the shared queue."""

    def __init__(self, n: int) -> None:
        here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # this very tcpdiagram, first
        path = os.pathsep.join(p for p in (here, os.environ.get("PYTHONPATH", "")) if p)
        self.proc = subprocess.Popen([sys.executable, "-m", "tcpdiagram.convert_pool"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, env=dict(os.environ, PYTHONPATH=path, PYTHONSAFEPATH="1"))
        self.renice()
        self.thread = threading.Thread(target=self._run, name=f"tcpdiagram-convert-{n}", daemon=True)
        self.thread.start()

    def renice(self) -> None:
        if _nice:
            try:
                os.setpriority(os.PRIO_PROCESS, self.proc.pid, min(19, os.getpriority(os.PRIO_PROCESS, 0) + _nice))
            except (OSError, AttributeError):  # gone already, or a system without priorities
                pass

    def _run(self) -> None:
        from .errors import ToolFailed

        assert self.proc.stdin is not None and self.proc.stdout is not None
        while (job := _jobs.get()) is not None:
            svg, fmt, epoch, future = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                _send(self.proc.stdin, (svg, fmt, epoch))
                reply = _receive(self.proc.stdout)
            except (OSError, EOFError, ValueError, pickle.UnpicklingError):  # ValueError: its pipe closed (shutdown)
                future.set_exception(ToolFailed(f"the PNG/PDF converter process stopped (exit {self.proc.poll()})"))
                continue
            if reply[0] == "ok" and isinstance(reply[1], bytes):
                future.set_result(reply[1])
            else:
                future.set_exception(_error(reply))

    def stop(self) -> None:
        """End the process (stdin closed: it exits), then its feeding thread, then the pipes."""
        try:
            if self.proc.stdin is not None:
                self.proc.stdin.close()
            self.proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        self.thread.join(timeout=10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


def _send(stream: IO[bytes], obj: object) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _receive(stream: IO[bytes]) -> tuple[object, ...]:
    head = stream.read(_HEADER.size)
    if len(head) < _HEADER.size:
        raise EOFError
    (size,) = _HEADER.unpack(head)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    reply = pickle.loads(data)  # noqa: S301 - our own worker's reply
    assert isinstance(reply, tuple)
    return reply


def _error(reply: tuple[object, ...]) -> Exception:
    from .errors import ToolFailed, ToolMissing, UsageError

    kind, args = reply[0], [str(a) for a in reply[1:]]
    if kind == "missing":
        return ToolMissing(args[0], args[1], where=args[2])
    if kind == "usage":
        return UsageError(args[0])
    return ToolFailed(args[0])


def _serve(stdin: IO[bytes], stdout: IO[bytes]) -> None:
    """The worker: convert requests until stdin closes; errors go back as replies, never as tracebacks."""
    from .convert import svg_to
    from .errors import TcpDiagramError, ToolMissing, UsageError

    while True:
        try:
            request = _receive(stdin)
        except EOFError:
            return
        svg, fmt, epoch = (str(x) if x is not None else None for x in request)
        assert svg is not None and fmt is not None
        if epoch is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = epoch
        reply: tuple[object, ...]
        try:
            reply = ("ok", svg_to(svg, fmt))
        except ToolMissing as e:
            reply = ("missing", e.tool, e.install, e.where)
        except UsageError as e:
            reply = ("usage", str(e))
        except TcpDiagramError as e:
            reply = ("failed", str(e))
        except Exception as e:  # noqa: BLE001 - reported to the build as a failed conversion
            reply = ("failed", f"converting to {fmt}: {type(e).__name__}: {e}")
        _send(stdout, reply)


if __name__ == "__main__":
    _serve(sys.stdin.buffer, sys.stdout.buffer)
