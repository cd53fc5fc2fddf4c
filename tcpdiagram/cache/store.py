"""The user-level cache: $TCPDIAGRAM_CACHE, $XDG_CACHE_HOME/tcpdiagram or ~/.cache/tcpdiagram, shared by all builds."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

LAYOUT = "v1"  # the folder layout below the root; a new layout starts in a new folder
_MAGIC = b"tcpdiagram-cache 1 "
_DAY = 86400.0
PRUNE_AFTER_DAYS = 60
# Every kind of entry below the root, with its file suffix (prune walks these; jinja/ is Jinja2's own cache).
KINDS = {"spec": "pickle", "layout": "svg", "convert": "bin", "render": "out"}
PRUNED = (*KINDS, "jinja")


def root() -> Path:
    """Where the cache lives (not created here). A relative XDG_CACHE_HOME is ignored, as the XDG spec says."""
    own = os.environ.get("TCPDIAGRAM_CACHE")
    if own:
        return Path(own)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "tcpdiagram"


def folder(*parts: str) -> Path:
    """A sub-folder of the cache for one kind of entry: convert, layout, jinja/…, jieba/…"""
    return root().joinpath(LAYOUT, *parts)


def open_store(kind: str) -> Store | None:
    """The store for one kind of entry (see KINDS), created on first use; None when the cache cannot be made."""
    path = ensure(folder(kind))
    return None if path is None else Store(path, KINDS[kind])


def ensure(path: Path) -> Path | None:
    """Create a cache folder; None when that is impossible (read-only home…): the build then runs uncached."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return path


class Store:
    """Immutable entries named by a key (a sha256 hex of their inputs): `<folder>/<2 hex>/<key>.<suffix>`.

    Each file carries the sha256 of its payload, so a truncated or altered entry reads as a miss;
    writes go to a temporary file renamed over the entry, so concurrent builds never see half a file.
    """

    def __init__(self, path: Path, suffix: str) -> None:
        self.path = path
        self.suffix = suffix

    def _file(self, key: str) -> Path:
        return self.path / key[:2] / f"{key}.{self.suffix}"

    def get(self, key: str) -> bytes | None:
        """The payload, or None for a missing, unreadable or corrupt entry."""
        f = self._file(key)
        try:
            raw = f.read_bytes()
        except OSError:
            return None
        head, sep, data = raw.partition(b"\n")
        if not sep or head != _MAGIC + hashlib.sha256(data).hexdigest().encode():
            return None
        _touch(f)
        return data

    def put(self, key: str, data: bytes) -> None:
        """Store an entry; a cache that cannot be written is not an error (the build has its bytes)."""
        from ..fsutil import write_atomic

        try:
            write_atomic(self._file(key), _MAGIC + hashlib.sha256(data).hexdigest().encode() + b"\n" + data)
        except OSError:
            pass


def _touch(f: Path) -> None:
    """Mark an entry used (at most once a day, so hits cost no writes): prune keeps what builds still read."""
    try:
        if time.time() - f.stat().st_mtime > _DAY:
            os.utime(f)
    except OSError:
        pass


def prune(days: int = PRUNE_AFTER_DAYS) -> int:
    """Remove entries unused for `days` days (compiled templates: written that long ago); walks at most once
    a day. jieba's dictionary (one file per jieba version) stays. Returns the number of files removed."""
    base = root() / LAYOUT
    stamp = base / "last-prune"
    now = time.time()
    try:
        if now - stamp.stat().st_mtime < _DAY:
            return 0
    except OSError:
        pass
    if ensure(base) is None:
        return 0
    try:
        stamp.touch()
    except OSError:
        return 0
    removed = 0
    for kind in PRUNED:
        for dirpath, _, names in os.walk(base / kind):
            for name in names:
                f = Path(dirpath) / name
                try:
                    if now - f.stat().st_mtime > days * _DAY:
                        f.unlink()
                        removed += 1
                except OSError:
                    pass
    return removed
