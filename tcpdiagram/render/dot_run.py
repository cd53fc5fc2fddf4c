"""The one place that starts Graphviz `dot`: many graphs through one process, outputs split back in order."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from typing import Sequence

from .. import procrun
from ..errors import ToolFailed, ToolMissing

INSTALL = "apt-get install graphviz"
# 11 states / 20 transitions lay out in < 0.1 s; the budget is generous per graph, capped per batch.
SECONDS_PER_GRAPH = 10.0
MAX_SECONDS = 120.0
_SVG_END = "</svg>"
_PAGE_PREFIX = re.compile(r'(<g id=")page\d+,\d+_(?=[^"]*" class="graph")')


def dot_exe() -> str:
    """The path of `dot`, or ToolMissing with the install command."""
    exe = shutil.which("dot")
    if exe is None:
        raise ToolMissing("dot", INSTALL)
    return exe


def run_dot(sources: Sequence[str], timeout: float | None = None, warnings: list[str] | None = None) -> list[str]:
    """Lay out every DOT source in one `dot -Tsvg` process; return one SVG per source, in order.

    dot's warnings (it exits 0 on them) are appended to `warnings` when a list is given.
    """
    out = _run(sources, timeout, warnings)
    return _check(split_svg(out), sources) if sources else []


def _check(parts: list[str], sources: Sequence[str]) -> list[str]:
    if len(parts) != len(sources):
        raise ToolFailed(f"dot returned {len(parts)} output(s) for {len(sources)} graph(s)")
    return parts


def _run(sources: Sequence[str], timeout: float | None, warnings: list[str] | None) -> str:
    if not sources:
        return ""
    exe = dot_exe()
    budget = timeout if timeout is not None else min(MAX_SECONDS, SECONDS_PER_GRAPH * len(sources))
    text = "\n".join(s if s.endswith("\n") else s + "\n" for s in sources)
    env = dict(os.environ, LC_ALL="C.UTF-8")
    try:
        done = procrun.run([exe, "-Tsvg"], text.encode("utf-8"), budget, env)  # a timeout kills dot's whole group
    except FileNotFoundError:
        raise ToolMissing("dot", INSTALL) from None
    except subprocess.TimeoutExpired:
        raise ToolFailed(f"dot did not finish {len(sources)} graph(s) within {budget:.0f} s") from None
    stderr = done.stderr.decode("utf-8", "replace").strip()
    if done.returncode != 0:
        raise ToolFailed(f"dot failed (exit {done.returncode}): {stderr or 'no message'}")
    if warnings is not None and stderr:
        warnings.extend(stderr.splitlines())
    return done.stdout.decode("utf-8")


def split_svg(out: str) -> list[str]:
    """Cut dot's concatenated SVG documents apart (each ends with `</svg>`).

    dot 2.43 prefixes the graph id of every graph after the first with `page0,1_`; that is undone,
    so a batch gives the same SVG as one graph per process.
    """
    parts: list[str] = []
    start = 0
    while True:
        end = out.find(_SVG_END, start)
        if end < 0:
            break
        end += len(_SVG_END)
        parts.append(_PAGE_PREFIX.sub(r"\1", out[start:end].lstrip(), count=1) + "\n")
        start = end
    return parts
