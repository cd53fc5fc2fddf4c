"""The one place that starts Graphviz `dot`: many graphs through one process, outputs split back in order."""

from __future__ import annotations

import os
import re
import subprocess
from typing import IO, TYPE_CHECKING, Sequence

from .. import procrun
from ..cache.fingerprint import which
from ..errors import ToolFailed, ToolMissing

if TYPE_CHECKING:
    import threading

INSTALL = "apt-get install graphviz"
# 11 states / 20 transitions lay out in < 0.1 s; the budget is generous per graph, capped per batch.
SECONDS_PER_GRAPH = 10.0
MAX_SECONDS = 120.0
_SVG_END = "</svg>"
_PAGE_PREFIX = re.compile(r'(<g id=")page\d+,\d+_(?=[^"]*" class="graph")')


def dot_exe() -> str:
    """The path of `dot`, or ToolMissing with the install command."""
    exe = which("dot")  # shutil.which's answer
    if exe is None:
        raise ToolMissing("dot", INSTALL)
    return exe


def run_dot(sources: Sequence[str], timeout: float | None = None, warnings: list[str] | None = None) -> list[str]:
    """Lay out every DOT source in one `dot -Tsvg` process; return one SVG per source, in order.

    dot's warnings (it exits 0 on them) are appended to `warnings` when a list is given.
    """
    out = _run(sources, timeout, warnings)
    return _check(split_svg(out), sources) if sources else []


def _input(sources: Sequence[str]) -> str:
    """dot's standard input for these graphs, one after the other."""
    return "\n".join(s if s.endswith("\n") else s + "\n" for s in sources)


def _check(parts: list[str], sources: Sequence[str]) -> list[str]:
    if len(parts) != len(sources):
        raise ToolFailed(f"dot returned {len(parts)} output(s) for {len(sources)} graph(s)")
    return parts


def _run(sources: Sequence[str], timeout: float | None, warnings: list[str] | None) -> str:
    if not sources:
        return ""
    exe = dot_exe()
    budget = timeout if timeout is not None else min(MAX_SECONDS, SECONDS_PER_GRAPH * len(sources))
    text = _input(sources)
    env = dict(os.environ, LC_ALL="C.UTF-8")
    try:
        done = procrun.run([exe, "-Tsvg"], text.encode("utf-8"), budget, env)  # a timeout kills dot's whole group
    except FileNotFoundError:
        raise ToolMissing("dot", INSTALL) from None
    except subprocess.TimeoutExpired:
        raise ToolFailed(f"dot did not finish {len(sources)} graph(s) within {budget:.0f} s") from None
    stderr = done.stderr.decode("utf-8", "replace").strip()
    if done.returncode != 0:
        raise ToolFailed(f"dot failed (exit {done.returncode}): {stderr or 'no message'}")
    if warnings is not None and stderr:
        warnings.extend(stderr.splitlines())
    return done.stdout.decode("utf-8")


def version_text(stdout: str, stderr: str) -> str:
    """What `dot -V` says (its version line), as the layout cache's identity records it."""
    return stderr.strip() + stdout.strip()


def dot_version() -> str:
    """`dot -V`'s version line; "?" when dot cannot say."""
    try:
        done = subprocess.run([dot_exe(), "-V"], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return "?"
    return version_text(done.stdout, done.stderr)


class DotPipe:
    """A `dot -Tsvg` process (and a `dot -V`) started before the graphs exist, so dot's own start-up overlaps the
    caller's: `send` the graphs once built, `result` gives their SVGs exactly as run_dot would, `close` ends it.

    dot gets nothing before the caller's graphs: a graph laid out earlier in the same process can change the
    bytes of a later one (a 200-state diagram's splines moved after a one-node warm-up graph).
    """

    def __init__(self) -> None:
        exe = dot_exe()
        env = dict(os.environ, LC_ALL="C.UTF-8")
        pipe = subprocess.PIPE
        try:
            self._proc = subprocess.Popen([exe, "-Tsvg"], stdin=pipe, stdout=pipe, stderr=pipe, env=env,
                                          start_new_session=True)
        except FileNotFoundError:
            raise ToolMissing("dot", INSTALL) from None
        self._version: subprocess.Popen[str] | None
        try:
            self._version = subprocess.Popen([exe, "-V"], stdout=pipe, stderr=pipe, text=True)
        except OSError:
            self._version = None
        self._sources: list[str] = []
        self._feeder: threading.Thread | None = None

    def version(self) -> str:
        """`dot -V`'s version line (dot_version's text)."""
        if self._version is None:
            return "?"
        try:
            out, err = self._version.communicate(timeout=10)
        except subprocess.SubprocessError:
            self._version.kill()
            self._version.communicate()
            return "?"
        return version_text(out, err)

    def send(self, sources: Sequence[str]) -> None:
        """Give dot the graphs (once; in order) and end its input: it lays them out while the caller works on.

        A thread writes them, so dot filling its stdout or stderr pipe (warnings while it parses) never blocks
        the caller; `result` drains both, as run_dot's communicate does.
        """
        import threading  # subprocess has imported it already

        self._sources = list(sources)
        stdin, self._proc.stdin = self._proc.stdin, None  # communicate() must not touch the feeder's pipe
        if stdin is not None:
            self._feeder = threading.Thread(target=_feed, args=(stdin, _input(sources).encode("utf-8")),
                                            name="tcpdiagram-dot-input", daemon=True)
            self._feeder.start()

    def result(self, timeout: float | None = None) -> list[str]:
        """One SVG per graph sent, in order (ToolFailed as run_dot raises it)."""
        budget = timeout if timeout is not None else min(MAX_SECONDS, SECONDS_PER_GRAPH * len(self._sources))
        try:
            out, err = self._proc.communicate(timeout=budget)
        except subprocess.TimeoutExpired:
            self.close()
            raise ToolFailed(f"dot did not finish {len(self._sources)} graph(s) within {budget:.0f} s") from None
        self._join()
        if self._proc.returncode != 0:
            stderr = err.decode("utf-8", "replace").strip()
            raise ToolFailed(f"dot failed (exit {self._proc.returncode}): {stderr or 'no message'}")
        return _check(split_svg(out.decode("utf-8")), self._sources)

    def close(self) -> None:
        """End both processes if they still run (a failed or cached render) and close their pipes; idempotent."""
        if self._proc.poll() is None:  # not yet reaped, so its id (dot's group id) cannot have been reused
            procrun.kill_group(self._proc)
        if self._version is not None and self._version.poll() is None:
            self._version.kill()
        procs: list[subprocess.Popen[bytes] | subprocess.Popen[str]] = [self._proc]
        if self._version is not None:
            procs.append(self._version)
        self._join()
        for proc in procs:
            for f in (proc.stdin, proc.stdout, proc.stderr):
                if f is not None:
                    try:
                        f.close()
                    except OSError:  # a broken pipe's unflushed input
                        pass
            proc.wait()

    def _join(self) -> None:
        """Wait for the feeder: dot has exited (or been killed), so its input pipe is done one way or the other."""
        if self._feeder is not None:
            self._feeder.join()
            self._feeder = None


def _feed(stream: IO[bytes], data: bytes) -> None:
    """Write dot's input and close it (DotPipe's feeder thread); a dot that died early just stops it."""
    try:
        stream.write(data)
    except (BrokenPipeError, ValueError):
        pass
    finally:
        try:
            stream.close()
        except OSError:
            pass


def split_svg(out: str) -> list[str]:
    """Cut dot's concatenated SVG documents apart (each ends with `</svg>`).

    dot 2.43 prefixes the graph id of every graph after the first with `page0,1_`; that is undone,
    so a batch gives the same SVG as one graph per process.
    """
    parts: list[str] = []
    start = 0
    while True:
        end = out.find(_SVG_END, start)
        if end < 0:
            break
        end += len(_SVG_END)
        parts.append(_PAGE_PREFIX.sub(r"\1", out[start:end].lstrip(), count=1) + "\n")
        start = end
    return parts
