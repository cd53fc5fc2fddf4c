"""Remember specs that loaded and validated cleanly, so rendering one diagram skips YAML, loading and checks."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from .fingerprint import code_fingerprint
from .store import open_store

if TYPE_CHECKING:
    from ..model import Spec


def key(data: bytes, display: str, code: str | None = None) -> str:
    """The entry for these spec bytes, shown as `display`, checked by this very code (loader, validator, …);
    `code`: code_fingerprint() when the caller has it already."""
    code = code_fingerprint() if code is None else code
    return hashlib.sha256(b"\0".join([data, display.encode(), code.encode()])).hexdigest()


def get(data: bytes, display: str, code: str | None = None) -> Spec | None:
    """The checked Spec for these bytes, or None (a miss, an unreadable or a stale entry)."""
    store = open_store("spec")
    raw = None if store is None else store.get(key(data, display, code))
    if raw is None:
        return None
    import pickle  # here, not above: a miss (the first render) imports it only to store the spec, later

    try:
        spec = pickle.loads(raw)  # noqa: S301 - our own cache, entries carry a checksum
    except Exception:  # noqa: BLE001 - any unpickling problem is a miss
        return None
    from ..model import Spec

    return spec if isinstance(spec, Spec) else None


def put(data: bytes, display: str, spec: Spec, code: str | None = None) -> None:
    import pickle

    store = open_store("spec")
    if store is not None:
        store.put(key(data, display, code), pickle.dumps(spec, protocol=pickle.HIGHEST_PROTOCOL))
