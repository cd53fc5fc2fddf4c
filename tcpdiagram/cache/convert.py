"""SVG → PNG/PDF through convert.svg_to, remembered in the user cache by content (rsvg's PNG costs ~0.3 s each)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import threading

from .fingerprint import code_fingerprint, fontconfig_fingerprint, tool_identity
from .store import Store, open_store


class ConvertCache:
    """Conversions keyed by sha256(identity, format, SVG); `store` None converts every time."""

    def __init__(self, store: Store | None, identity: str = "") -> None:
        self.store = store
        self.identity = identity
        self.workers = max(1, min(4, os.cpu_count() or 1))
        self.hits = 0
        self.misses = 0
        self._lock = threading.Lock()  # convert() runs in worker threads

    def key(self, svg: str, fmt: str) -> str:
        return hashlib.sha256(f"{self.identity}\0{fmt}\0{svg}".encode("utf-8")).hexdigest()

    def convert(self, svg: str, fmt: str) -> bytes:
        from ..convert import svg_to

        key = self.key(svg, fmt)
        if self.store is not None and (data := self.store.get(key)) is not None:
            with self._lock:
                self.hits += 1
            return data
        data = svg_to(svg, fmt)
        with self._lock:
            self.misses += 1
        if self.store is not None:
            self.store.put(key, data)
        return data


def open_convert_cache() -> ConvertCache:
    """The conversion cache builds read and write (converts everything when there is no cache)."""
    return ConvertCache(open_store("convert"), identity())


def identity() -> str:
    """Everything besides the SVG that changes a conversion's bytes: rsvg-convert (version, file), the fonts
    (fontconfig state), our conversion code, SOURCE_DATE_EPOCH (PDF dates; the pipeline sets it first)."""
    from .. import __version__

    exe = shutil.which("rsvg-convert")
    rsvg = ""
    if exe:
        try:
            rsvg = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            rsvg = ""
    return "\n".join([
        f"convert 1; tcpdiagram {__version__}; {rsvg}", tool_identity("rsvg-convert"), fontconfig_fingerprint(),
        code_fingerprint("convert.py", "render/style.py"), f"SOURCE_DATE_EPOCH={os.environ.get('SOURCE_DATE_EPOCH', '0')}",
    ])
