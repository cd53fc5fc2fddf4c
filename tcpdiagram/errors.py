"""One exception root for the project; spec problems travel as a list of located Issues."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # keeps `tcpdiagram --help` from importing the model
    from .model import Pos


@dataclass(frozen=True, order=True)
class Issue:
    """One problem in a spec, at a place in its file, with the key path that leads to it."""

    pos: Pos
    path: str
    message: str

    def __str__(self) -> str:
        where = str(self.pos) if self.pos.line else self.pos.file
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class TcpDiagramError(Exception):
    """Root of every error tcpdiagram raises on purpose; the CLI turns them into exit codes."""

    exit_code = 1


class SpecError(TcpDiagramError):
    """The spec is broken: carries every problem found, in file order.

    `issues` holds every distinct problem, but one message repeated at many places (a UTF-32 file read as
    something else: thousands of "control character U+0000") only MAX_SAME times, then one line saying how
    many more there are; `total` counts them all.
    """

    MAX_SAME = 5

    def __init__(self, issues: list[Issue]) -> None:
        ordered = sorted(set(issues), key=lambda i: (i.pos.file, i.pos.line, i.pos.col, i.path, i.message))
        self.total = len(ordered)
        self.issues = _cap(ordered, self.MAX_SAME)
        super().__init__("\n".join(str(i) for i in self.issues))


def _cap(issues: list[Issue], most: int) -> list[Issue]:
    """At most `most` issues of each message; an issue saying how many more replaces the rest."""
    seen: dict[str, int] = {}
    for i in issues:
        seen[i.message] = seen.get(i.message, 0) + 1
    out: list[Issue] = []
    shown: dict[str, int] = {}
    for i in issues:
        n = shown[i.message] = shown.get(i.message, 0) + 1
        if n <= most:
            out.append(i)
        elif n == most + 1:
            out.append(Issue(i.pos, "", f"… and {seen[i.message] - most} more: {i.message}"))
    return out


class SimulationError(TcpDiagramError):
    """A scenario cannot run on the spec's transitions (a state had no transition for an event)."""


class ToolMissing(TcpDiagramError):
    """A system tool or library (dot, librsvg, a CJK font) is not installed."""

    exit_code = 3

    def __init__(self, tool: str, install: str, where: str = "on PATH") -> None:
        self.tool = tool
        self.install = install
        self.where = where
        super().__init__(f"{tool!r} not found {where}; install it with: {install}")


class ToolFailed(TcpDiagramError):
    """A system tool ran but failed or timed out."""

    exit_code = 3


class FileUnreadable(TcpDiagramError):
    """An input file (the spec) does not exist or cannot be read: the environment, exit 3 as for other file I/O."""

    exit_code = 3


class UsageError(TcpDiagramError):
    """A command-line value that cannot be used (unknown scenario, bad view)."""

    exit_code = 2


class WriteFailed(TcpDiagramError):
    """The build could not write its output (disk full, permission denied): the previous output is untouched."""

    exit_code = 3

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        super().__init__(f"cannot write {path}: {reason}")


class Terminated(BaseException):
    """Ctrl-C, SIGTERM or SIGHUP arrived: the run unwinds, so every clean-up runs; exit 128 + the signal.

    A BaseException, like KeyboardInterrupt, so no `except Exception` stops it; not a KeyboardInterrupt, which
    typer turns into a silent exit 130."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(signum)

    @property
    def line(self) -> str:
        """The one line the run ends with (cli.main and entry.py's fast `trace`)."""
        return "interrupted" if self.signum == 2 else "terminated"  # 2: SIGINT everywhere

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


ENDING = ("SIGINT", "SIGTERM", "SIGHUP")  # the signals catch_signals turns into Terminated


# Signals caught while compiled code runs (HeldSignals), else None. mypyc-compiled code runs a pending handler
# wherever CPython checks for signals, some of them inside operations it treats as unable to fail (a big
# integer's multiplication): an exception raised there aborts the process ("fatal: out of memory"). So there
# the handler only notes the signal, and safe_point() or the end of the stretch raises it.
_held: list[int] | None = None


def _terminate(signum: int, frame: object) -> None:
    if _held is not None:
        _held.append(signum)
        return
    raise Terminated(signum)


def safe_point() -> None:
    """Raise Terminated for a signal HeldSignals noted (pure Python, called between the compiled steps; in the
    main thread only, where the signal was caught)."""
    if _held and _in_main():
        raise Terminated(_held[0])


def _in_main() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


class HeldSignals:
    """`with HeldSignals():` around calls into compiled code (tcpdiagram/capture/native.py): a signal caught by
    catch_signals's handler is raised at the next safe_point() or when the stretch ends, never inside it. Only the
    main thread, where Python runs signal handlers, holds them: in another thread this does nothing."""

    def __enter__(self) -> None:
        global _held
        self.main = _in_main()
        self.outer = _held
        if _held is None and self.main:
            _held = []

    def __exit__(self, kind: object, value: object, tb: object) -> None:
        global _held
        if not self.main:
            return
        noted, _held = _held, self.outer
        if self.outer is None and noted and kind is None:
            raise Terminated(noted[0])


class Unheld:
    """`with Unheld():` inside a held stretch, in pure Python around a wait that may block (opening or reading a
    pipe): a signal noted before raises first, one during the wait raises at once (main thread only)."""

    def __enter__(self) -> None:
        global _held
        self.main = _in_main()
        if self.main:
            safe_point()
            self.held, _held = _held, None

    def __exit__(self, *exc: object) -> None:
        global _held
        if self.main:
            _held = self.held


def catch_signals() -> None:
    """Ctrl-C, SIGTERM and SIGHUP unwind the run (every clean-up runs) and end it with one line and 128 + N.

    Not as KeyboardInterrupt, which typer turns into a silent exit 130. Signals the caller set to be ignored
    (a background job's SIGINT, nohup's SIGHUP) stay ignored. For cli.main and entry.py's fast `trace`."""
    import signal

    for name in ENDING:
        sig = getattr(signal, name, None)
        if sig is not None and signal.getsignal(sig) in (signal.SIG_DFL, signal.default_int_handler):
            signal.signal(sig, _terminate)
