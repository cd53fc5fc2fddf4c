"""Progress on stderr with rich for the long build steps; silent with --quiet or when stderr is no terminal."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Any, Callable


class Reporter:
    """`step(text)` names the current step; `bar(text, total)` returns a tick(n) for a counted step."""

    def __init__(self, quiet: bool) -> None:
        self.enabled = not quiet and sys.stderr.isatty()
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> Reporter:
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

            self._progress = Progress(
                SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                console=Console(stderr=True), transient=True,
            )
            self._progress.__enter__()
        return self

    def __exit__(self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        if self._progress is not None:
            self._progress.__exit__(et, e, tb)
            self._progress = None

    def step(self, text: str, total: int | None = None) -> None:
        """One line for the whole build: the current step, with a bar when it has a count."""
        if self._progress is None:
            return
        if self._task is not None:
            self._progress.remove_task(self._task)
        self._task = self._progress.add_task(text, total=total)

    def bar(self, text: str, total: int) -> Callable[[int], None]:
        self.step(text, total)
        progress, task = self._progress, self._task
        if progress is None:
            return lambda n: None
        return lambda n: progress.advance(task, n)
