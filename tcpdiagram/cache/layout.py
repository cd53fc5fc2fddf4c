"""State-diagram SVGs remembered in the user cache by content: only new or changed graphs go to `dot`."""

from __future__ import annotations

import hashlib
import json
import os
from typing import TYPE_CHECKING, Callable, Sequence

from .fingerprint import code_fingerprint, fontconfig_fingerprint, tool_identity
from .store import Store, open_store

if TYPE_CHECKING:
    from ..render.state_dot import Diagram

Finish = Callable[[Sequence["Diagram"]], list[str]]


class LayoutCache:
    """Finished SVGs keyed by sha256(identity, DOT source, post-processing texts); `store` None renders all."""

    def __init__(self, store: Store | None, identity: str = "") -> None:
        self.store = store
        self.identity = identity
        self.hits = 0
        self.misses = 0

    def key(self, d: Diagram) -> str:
        texts = json.dumps([d.title, d.desc, sorted(d.titles.items())], ensure_ascii=False)
        return hashlib.sha256(f"{self.identity}\0{d.source}\0{texts}".encode("utf-8")).hexdigest()

    def get(self, d: Diagram) -> str | None:
        """The finished SVG of one diagram, or None (not counted: svgs counts hits and misses)."""
        return self._get(self.key(d))

    def put(self, d: Diagram, svg: str) -> None:
        if self.store is not None:
            self.store.put(self.key(d), svg.encode("utf-8"))

    def svgs(self, diagrams: Sequence[Diagram], finish: Finish) -> list[str]:
        """One SVG per diagram, in order; `finish` lays out and post-processes the misses (once each)."""
        keys = [self.key(d) for d in diagrams]
        found: dict[str, str] = {}
        todo: dict[str, Diagram] = {}
        for key, d in zip(keys, diagrams):
            if key in found or key in todo:
                continue
            svg = self._get(key)
            if svg is None:
                todo[key] = d
            else:
                found[key] = svg
        self.hits += len(found)
        self.misses += len(todo)
        for key, svg in zip(todo, finish(list(todo.values()))):
            found[key] = svg
            if self.store is not None:
                self.store.put(key, svg.encode("utf-8"))
        return [found[k] for k in keys]

    def _get(self, key: str) -> str | None:
        data = self.store.get(key) if self.store is not None else None
        if data is None:
            return None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return None


def open_layout_cache(version: str | None = None) -> LayoutCache:
    """The layout cache every build and render reads and writes (renders everything when there is no cache);
    `version`: `dot -V`'s line when the caller already has it (dot_run.DotPipe asks for it early)."""
    return LayoutCache(open_store("layout"), identity(version))


def identity(version: str | None = None) -> str:
    """Everything besides the DOT text and our titles that changes a finished SVG: dot (its version line, its
    files), the fonts it measures with (fontconfig state), Graphviz's environment, our run/post-process code."""
    from .. import __version__

    if version is None:
        from ..render.dot_run import dot_version

        version = dot_version()
    gv_env = sorted(f"{k}={v}" for k, v in os.environ.items() if k.startswith(("GV", "GRAPHVIZ")))
    return "\n".join([
        f"layout 1; tcpdiagram {__version__}; {version}", tool_identity("dot"), fontconfig_fingerprint(),
        code_fingerprint("render/dot_run.py", "render/svg_post.py"), *gv_env,
    ])
