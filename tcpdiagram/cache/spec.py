"""Remember specs that loaded and validated cleanly, so rendering one diagram skips YAML, loading and checks."""

from __future__ import annotations

import hashlib
import pickle
from typing import TYPE_CHECKING

from .fingerprint import code_fingerprint
from .store import open_store

if TYPE_CHECKING:
    from ..model import Spec


def key(data: bytes, display: str) -> str:
    """The entry for these spec bytes, shown as `display`, checked by this very code (loader, validator, …)."""
    return hashlib.sha256(b"\0".join([data, display.encode(), code_fingerprint().encode()])).hexdigest()


def get(data: bytes, display: str) -> Spec | None:
    """The checked Spec for these bytes, or None (a miss, an unreadable or a stale entry)."""
    store = open_store("spec")
    raw = None if store is None else store.get(key(data, display))
    if raw is None:
        return None
    try:
        spec = pickle.loads(raw)  # noqa: S301 - our own cache, entries carry a checksum
    except Exception:  # noqa: BLE001 - any unpickling problem is a miss
        return None
    from ..model import Spec

    return spec if isinstance(spec, Spec) else None


def put(data: bytes, display: str, spec: Spec) -> None:
    store = open_store("spec")
    if store is not None:
        store.put(key(data, display), pickle.dumps(spec, protocol=pickle.HIGHEST_PROTOCOL))
