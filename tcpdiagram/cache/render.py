"""Finished `render` outputs (SVG, DOT) keyed by everything that shapes them: a repeated render reads one file."""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

from .fingerprint import code_fingerprint, fontconfig_fingerprint, installed_dists, tool_identity
from .store import open_store

FORMATS = ("svg", "dot")  # text outputs; PNG/PDF go through the converter each time


def key(command: tuple[str, ...], spec_arg: Path | None, code: str | None = None) -> str | None:
    """The entry of one render: the command words and option values (the output file left out), the spec's
    path and bytes, our code, Python, the installed packages, `dot` and the fonts it measures with, Graphviz's
    environment (`code`: code_fingerprint() when the caller has it). None when the spec cannot be read (the
    command then reports it)."""
    from ..specfile import resolve_spec

    path = resolve_spec(spec_arg)
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    h = hashlib.sha256(b"tcpdiagram-render 1\0")
    gv_env = sorted(f"{k}={v}" for k, v in os.environ.items() if k.startswith(("GV", "GRAPHVIZ")))
    for part in (*command, str(path), sys.version, code_fingerprint() if code is None else code, "\n".join(installed_dists()),
                 tool_identity("dot"), fontconfig_fingerprint(), *gv_env):
        raw = part.encode("utf-8", "surrogateescape")
        h.update(f"{len(raw)}\0".encode() + raw)
    h.update(data)
    return h.hexdigest()


def get(entry: str) -> bytes | None:
    store = open_store("render")
    return None if store is None else store.get(entry)


def put(entry: str, data: bytes) -> None:
    store = open_store("render")
    if store is not None:
        store.put(entry, data)
