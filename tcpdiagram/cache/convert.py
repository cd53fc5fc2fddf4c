"""SVG → PNG/PDF through convert.svg_to in worker processes, remembered in the user cache by content."""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout

from .fingerprint import code_fingerprint, fontconfig_fingerprint
from .store import Store, open_store

TIMEOUT = 60.0  # seconds a build waits for one conversion (convert.TIMEOUT)


class ConvertCache:
    """Conversions keyed by sha256(identity, format, SVG); `store` None converts every time."""

    def __init__(self, store: Store | None, identity: str = "") -> None:
        self.store = store
        self.identity = identity
        self.hits = 0
        self.misses = 0

    def key(self, svg: str, fmt: str) -> str:
        return hashlib.sha256(f"{self.identity}\0{fmt}\0{svg}".encode("utf-8")).hexdigest()

    def start(self, svg: str, fmt: str) -> tuple[Future[bytes], bool]:
        """(the bytes, done at once when cached, else a conversion started in a worker process; whether it is new)."""
        if self.store is not None and (data := self.store.get(self.key(svg, fmt))) is not None:
            self.hits += 1
            done: Future[bytes] = Future()
            done.set_result(data)
            return done, False
        from ..convert_pool import submit

        self.misses += 1
        return submit(svg, fmt), True

    def finish(self, svg: str, fmt: str, started: tuple[Future[bytes], bool]) -> bytes:
        """Wait for a conversion from start(); a new one is stored."""
        future, new = started
        try:
            data = future.result(timeout=TIMEOUT)
        except FutureTimeout:
            from ..convert_pool import shutdown
            from ..errors import ToolFailed

            shutdown(kill=True)  # the worker may be stuck inside librsvg: stop it, the next build starts anew
            raise ToolFailed(f"converting an SVG to {fmt} did not finish within {TIMEOUT:.0f} s") from None
        if new and self.store is not None:
            self.store.put(self.key(svg, fmt), data)
        return data

    def convert(self, svg: str, fmt: str) -> bytes:
        return self.finish(svg, fmt, self.start(svg, fmt))


def open_convert_cache() -> ConvertCache:
    """The conversion cache builds read and write (converts everything when there is no cache)."""
    return ConvertCache(open_store("convert"), identity())


def identity() -> str:
    """Everything besides the SVG that changes a conversion's bytes: librsvg, cairo, Pillow, zlib-ng
    (convert.identity), the fonts (fontconfig state), our conversion code, SOURCE_DATE_EPOCH (PDF dates; the
    pipeline sets it first)."""
    from .. import __version__
    from ..convert import identity as converter

    return "\n".join([
        f"convert 2; tcpdiagram {__version__}; {converter()}", fontconfig_fingerprint(),
        code_fingerprint("convert.py", "rsvg.py", "render/style.py"),
        f"SOURCE_DATE_EPOCH={os.environ.get('SOURCE_DATE_EPOCH', '0')}",
    ])
