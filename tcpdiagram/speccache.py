"""Remember specs that loaded and validated cleanly, so rendering one diagram skips YAML, loading and checks."""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .cachedir import Store
    from .model import Spec

PACKAGE = Path(__file__).resolve().parent


def code_fingerprint() -> str:
    """Path, size and mtime of every module of tcpdiagram: a changed loader or validator is a new key."""
    h = hashlib.sha256(sys.version.encode())
    for dirpath, dirnames, filenames in os.walk(PACKAGE):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith((".py", ".j2", ".json")):
                st = os.stat(os.path.join(dirpath, name))
                h.update(f"{dirpath}/{name}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def key(data: bytes, display: str) -> str:
    return hashlib.sha256(b"\0".join([data, display.encode(), code_fingerprint().encode()])).hexdigest()


def _store() -> Store | None:
    from . import cachedir

    folder = cachedir.ensure(cachedir.folder("spec"))
    return None if folder is None else cachedir.Store(folder, "pickle")


def get(data: bytes, display: str) -> Spec | None:
    """The checked Spec for these bytes, or None (a miss, an unreadable or a stale entry)."""
    store = _store()
    raw = None if store is None else store.get(key(data, display))
    if raw is None:
        return None
    try:
        spec = pickle.loads(raw)  # noqa: S301 - our own cache, entries carry a checksum
    except Exception:  # noqa: BLE001 - any unpickling problem is a miss
        return None
    from .model import Spec

    return spec if isinstance(spec, Spec) else None


def put(data: bytes, display: str, spec: Spec) -> None:
    store = _store()
    if store is not None:
        store.put(key(data, display), pickle.dumps(spec, protocol=pickle.HIGHEST_PROTOCOL))
