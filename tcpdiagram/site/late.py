"""`serve`'s late conversions: a rebuilt site is swapped in as soon as its pages are done, and the PNG/PDF files
still converting then fill in (each of their two names replaced atomically), the marker written last."""

from __future__ import annotations

import os
import threading
from concurrent.futures import CancelledError, Future
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

if TYPE_CHECKING:
    from .render_all import Conversions, Raster

WAKE_SECONDS = 0.02  # how soon a cancelled finish() stops waiting for a conversion
Stamp = tuple[str, Callable[[], str]]  # pipeline.build's key of the inputs, and how to compute it again


class Late:
    """Conversions one build leaves for after its swap; `finish` completes that build in place (one Late per
    build: a failed build's pending files must never reach another build's folder).

    serve runs `finish` in a thread of its own and, when the sources change again, `cancel`s it: the
    conversions not started yet are dropped, and nothing more is written into OUT. `lock` (shared by the Lates
    of one serve) is held for each file written and for the next build's swap, so a cancelled finish never
    writes into the build swapped in after it."""

    def __init__(self, lock: threading.Lock | None = None,
                 written: Callable[[str, bytes], None] | None = None) -> None:
        self.pending: list[tuple[Raster, Future[bytes], Callable[[], bytes]]] = []
        self.default_lang = ""
        self.marker: tuple[Stamp | None, int, int] | None = None  # set by build_spec when files are pending
        self.lock = lock or threading.Lock()
        self.cancelled = threading.Event()
        self.written = written  # told each OUT/diagrams file finish() writes (serve's memo links it next time)

    def split(self, conversions: Conversions, default_lang: str) -> Iterator[tuple[Raster, bytes]]:
        """The conversions done by now (cached ones among them), in order; the others are kept for finish()."""
        self.default_lang = default_lang
        for raster, svg, started in conversions.started:
            if started[0].done():
                yield raster, conversions.cache.finish(svg, raster.fmt, started)
            else:
                self.pending.append((raster, started[0], _waiter(conversions, svg, raster.fmt, started)))
        conversions.kept = True

    def cancel(self) -> None:
        """Stop finish() (at its next file) and drop the conversions that have not started."""
        self.cancelled.set()
        for _raster, future, _result in self.pending:
            future.cancel()

    def finish(self, out: Path) -> None:
        """Write every pending file into the swapped-in build `out`, then its marker (with the key only when
        the inputs are still those the build read, as build_spec does). After cancel() it writes nothing more;
        conversions already done are still kept in the conversion cache."""
        from ..fsutil import write_atomic
        from ..stamp import write_marker

        pending, self.pending = self.pending, []
        if not pending or self.marker is None:
            return
        for raster, future, result in pending:
            while not future.done() and not self.cancelled.wait(WAKE_SECONDS):
                pass  # a cancel does not wait for the conversion under way (serve is waiting to go on)
            if self.cancelled.is_set():
                if future.done() and not future.cancelled():
                    result()  # into the conversion cache, for the next build
                continue
            try:
                data = result()
            except CancelledError:
                continue
            with self.lock:
                if self.cancelled.is_set():
                    continue
                target = out / "diagrams" / raster.lang / raster.name
                write_atomic(target, data)
                if self.written is not None:
                    self.written(f"{raster.lang}/{raster.name}", data)
                prefix = "" if raster.lang == self.default_lang else f"{raster.lang}/"
                shown = out / "site" / f"{prefix}diagrams" / raster.name
                link = shown.with_name(f".{shown.name}.late")
                link.unlink(missing_ok=True)
                os.link(target, link)
                os.replace(link, shown)  # the empty stand-in MkDocs copied goes
        with self.lock:
            if self.cancelled.is_set():
                return  # the marker stays without a key: the next build replaces this one anyway
            (stamp, pages, files), self.marker = self.marker, None
            key = stamp[0] if stamp is not None and stamp[1]() == stamp[0] else None
            write_marker(out, key, pages, files)


def _waiter(conversions: Conversions, svg: str, fmt: str, started: object) -> Callable[[], bytes]:
    def wait() -> bytes:
        return conversions.cache.finish(svg, fmt, started)  # type: ignore[arg-type]

    return wait
