"""`tcpdiagram trace CAPTURE`: pick connections, write the listing, the JSON, or one connection's chart."""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import HeldSignals, UsageError
from ..model import CAPTURE_FORMATS, Lang, Spec, Theme
from .conn import Endpoint, addr_text
from .read import Capture, Keep, read
from .fanout import lines
from .report import detail, listing, listing_lines, to_json

FORMATS = CAPTURE_FORMATS


def _matcher(conn: int | None, host: str | None, port: int | None) -> Keep:
    def keep(cid: int, ends: tuple[Endpoint, Endpoint]) -> bool:
        if conn is not None and cid != conn:
            return False
        texts = [addr_text(e) for e in ends]
        if host is not None and not any(t.rsplit(":", 1)[0].strip("[]") == host for t in texts):
            return False
        return port is None or any(e[1] == port for e in ends)
    return keep


def trace_capture(spec: Spec, path: Path, fmt: str = "text", lang: Lang = "en", theme: Theme = "light",
                  conn: int | None = None, host: str | None = None, port: int | None = None) -> bytes:
    """The command's output bytes; raises CaptureError (exit 1) or UsageError (exit 2)."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; use one of: {', '.join(FORMATS)}")
    with HeldSignals():  # the readers are compiled: a signal ends the run between their steps (errors.HeldSignals)
        return _trace(spec, path, fmt, lang, theme, conn, host, port)


def _trace(spec: Spec, path: Path, fmt: str, lang: Lang, theme: Theme, conn: int | None, host: str | None,
           port: int | None) -> bytes:
    picking = conn is not None or host is not None or port is not None
    keep = _matcher(conn, host, port)
    if not picking and fmt == "text":  # the listing alone: read on every core
        return listing_lines(lines(path, spec)[1], lang).encode("utf-8")
    cap: Capture = read(path, spec, keep)
    chosen = [c for c in cap.connections if keep(c.id, c.ends)]
    if picking and not chosen:
        raise UsageError(f"no connection of {cap.name} matches the --conn/--host/--port given; "
                         f"it has {len(cap.connections)} (list them with: tcpdiagram trace {path})")
    if fmt == "json":
        return (json.dumps(to_json(cap, chosen), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    if fmt == "text":
        text = listing(cap, chosen, lang)
        if picking:
            text += "".join("\n" + detail(c, lang) for c in chosen)
        return text.encode("utf-8")
    if len(chosen) != 1:
        ids = ", ".join(str(c.id) for c in chosen[:20]) + (" …" if len(chosen) > 20 else "")
        raise UsageError(f"a chart shows one connection, and {len(chosen)} match ({ids}); pick one with --conn N")
    from .chart import conn_svg

    svg = conn_svg(spec, chosen[0], cap.name, lang, theme)
    if fmt == "svg":
        return svg.encode("utf-8")
    from ..convert import svg_to

    return svg_to(svg, fmt)
