"""SVG → PNG/PDF through convert.svg_to, remembered on disk by content hash (rsvg's PNG costs ~0.3 s each)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from ..fsutil import write_atomic


class ConvertCache:
    """Conversions keyed by sha256(tool version, format, SVG); files are written once, never changed."""

    def __init__(self, folder: Path | None, version: str = "") -> None:
        self.folder = folder
        self.version = version
        self.workers = max(1, min(4, os.cpu_count() or 1))
        self.hits = 0
        self.misses = 0

    def _path(self, svg: str, fmt: str) -> Path | None:
        if self.folder is None:
            return None
        key = hashlib.sha256(f"{self.version}\0{fmt}\0{svg}".encode("utf-8")).hexdigest()
        return self.folder / key[:2] / f"{key}.{fmt}"

    def convert(self, svg: str, fmt: str) -> bytes:
        from ..convert import svg_to

        path = self._path(svg, fmt)
        if path is not None and path.is_file():
            self.hits += 1
            return path.read_bytes()
        data = svg_to(svg, fmt)
        self.misses += 1
        if path is not None:
            write_atomic(path, data)
        return data
