"""A capture file as the compiled readers read it: each read is a safe point for a held signal, and a pipe or FIFO
is waited on in short steps, so Ctrl-C or SIGTERM always ends `trace` (errors.HeldSignals says why it is held).

Pure Python on purpose (not in capture/native.py's MODULES): a signal is raised here, where an exception always
unwinds, never inside the compiled code that calls read().
"""

from __future__ import annotations

import os
import select
import stat
from pathlib import Path
from typing import BinaryIO, Protocol

from ..errors import Unheld, safe_point

WAKE_SECONDS = 0.05  # how long a read from a pipe waits before it looks for a signal again


class Readable(Protocol):
    """What the readers ask of a capture file: `read(n)` gives n bytes, fewer only at its end."""

    def read(self, n: int, /) -> bytes: ...


def _waits(path: Path) -> bool:
    """Whether reading `path` may block (a pipe, FIFO or device); False when it cannot be looked at (open says why)."""
    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


class Source:
    """An open capture file (`with Source(path) as f`): read(n) as a buffered file's, n bytes or fewer at its end."""

    def __init__(self, path: Path) -> None:
        self.waits = _waits(path)
        with Unheld():  # opening a FIFO waits for its writer
            self.file: BinaryIO = open(path, "rb", buffering=0 if self.waits else -1)  # noqa: SIM115 - see __exit__

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc: object) -> None:
        self.file.close()

    def read(self, n: int, /) -> bytes:
        safe_point()
        if not self.waits:
            return self.file.read(n)
        got = bytearray()
        while len(got) < n:  # unbuffered: each read returns what the pipe holds, up to what is still missing
            with Unheld():  # a signal that came just before select began did not interrupt it: the next turn raises it
                if not select.select([self.file], [], [], WAKE_SECONDS)[0]:
                    continue
                data = self.file.read(n - len(got))
            if not data:
                break
            got += data
        return bytes(got)
