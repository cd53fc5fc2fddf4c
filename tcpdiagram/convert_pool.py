"""PNG/PDF conversions in worker processes that keep librsvg and the fonts loaded: both cores, one start each."""

from __future__ import annotations

import atexit
import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor

_pool: ProcessPoolExecutor | None = None


def workers() -> int:
    """One worker per core (the build's own process mostly waits for MkDocs meanwhile), at most four."""
    return max(1, min(4, os.cpu_count() or 1))


def pool() -> ProcessPoolExecutor:
    """The process's conversion pool, started on first use and kept (`serve` converts again after each edit).

    Workers are spawned, not forked: the build has threads running (dot, MkDocs), which fork does not copy.
    """
    global _pool
    if _pool is None:
        _pool = ProcessPoolExecutor(workers(), mp_context=multiprocessing.get_context("spawn"),
                                    initializer=_warm)
        atexit.register(shutdown)
    return _pool


def submit(svg: str, fmt: str) -> Future[bytes]:
    """Convert in a worker; the future raises what convert.svg_to raises."""
    from .convert import svg_to

    return pool().submit(svg_to, svg, fmt)


def shutdown() -> None:
    """Stop the workers (after the last build of the process)."""
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=True, cancel_futures=True)
        _pool = None


def _warm() -> None:
    """Load librsvg, cairo and Pillow as the worker starts, while the build still renders and writes pages."""
    from PIL import Image  # noqa: F401 - imported for its start-up cost only

    from . import rsvg

    try:
        rsvg.libs()
    except rsvg.LibraryMissing:
        pass  # the first conversion reports it
