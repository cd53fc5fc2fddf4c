"""A read capture as text (one line per connection, a segment table for a chosen one) or as JSON (README shape)."""

from __future__ import annotations

import functools
from typing import Any

from ..model import Lang
from .conn import Conn, Record, addr_text
from .decode import flag_names
from .fanout import Line
from .marks import LABELS
from .options import parse
from .read import Capture, NoCycles
from .strings import t


def segment_json(c: Conn, r: Record) -> dict[str, Any]:
    out: dict[str, Any] = {
        "frame": r.number, "time": round(r.time_us / 1e6, 6), "src": addr_text(c.ends[r.side]),
        "flags": flag_names(r.flags), "seq": r.seq, "ack": r.ack, "len": r.length, "win": r.window,
        "marks": list(r.marks),
    }
    opts = parse(r.options) if r.options else {}
    if opts:
        out["options"] = opts
    return out


def to_json(cap: Capture, chosen: list[Conn]) -> dict[str, Any]:
    """{"capture", "frames", "tcp_segments", "skipped", "connections": [...]}: the shape the README documents."""
    return {
        "capture": cap.name,
        "frames": cap.frames,
        "tcp_segments": cap.tcp,
        "skipped": dict(sorted(cap.skipped.items())),
        "connections": [{**c.summary(), "segments": [segment_json(c, r) for r in c.records]} for c in chosen],
    }


@functools.cache
def _wide(ch: str) -> int:
    """1 for a character that takes two terminal columns (as trace.display_width counts), else 0."""
    from ..trace import display_width  # here: an ASCII listing never needs trace.py (~8 ms to import)

    return display_width(ch) - 1


def _cols(cell: str) -> int:
    """trace.display_width, a character's answer kept."""
    return len(cell) if cell.isascii() else len(cell) + sum(map(_wide, cell))


def _padded(column: tuple[str, ...]) -> list[str]:
    """The column's cells (a heading, then the body) padded with spaces to the widest, in terminal columns."""
    head, body = column[0], column[1:]
    if all(map(str.isascii, body)):  # the usual body: one column a character
        head_width = _cols(head)
        width = max(head_width, max(map(len, body), default=0))
        return [head + " " * (width - head_width)] + [cell.ljust(width) for cell in body]
    widths = [_cols(cell) for cell in column]
    most = max(widths)
    return [cell + " " * (most - w) for cell, w in zip(column, widths)]


def _table(rows: list[list[str]]) -> list[str]:
    """The rows (a heading, then the body) as lines of columns padded to the widest cell, two spaces apart."""
    columns = list(zip(*rows))
    if len(rows) > 1 and all(all(map(str.isascii, col[1:])) for col in columns):  # the usual body: ASCII only
        widths = [max(_cols(col[0]), max(map(len, col[1:]))) for col in columns]
        head = "  ".join(cell + " " * (w - _cols(cell)) for cell, w in zip(rows[0], widths)).rstrip()
        line = "  ".join(f"%-{w}s" for w in widths)  # each body line made at once (str.ljust's padding), no cells
        return [head] + [(line % tuple(row)).rstrip() for row in rows[1:]]
    padded = [_padded(col) for col in columns]
    return ["  ".join(cells).rstrip() for cells in zip(*padded)]


def listing(cap: Capture, chosen: list[Conn], lang: Lang) -> str:
    """One line per connection: endpoints, packets, duration, conn_state, each endpoint's final state."""
    return listing_lines([Line(c.id, c.packets, c.row()) for c in chosen], lang)


def listing_lines(lines: list[Line], lang: Lang) -> str:
    """The listing of fanout.lines' lines. Its cells make no reference cycles: the collector pauses meanwhile (it
    would walk every line made so far again and again: half the time of 200,000 lines)."""
    with NoCycles():
        rows = [t(lang, "head").split("|")]
        seconds = t(lang, "seconds")
        for i, packets, (a, b, duration, conn_state, last_a, last_b) in lines:
            rows.append([str(i), a, b, str(packets), seconds.format(duration), conn_state, last_a or "?", last_b or "?"])
        return "\n".join(_table(rows)) + "\n"


def detail(c: Conn, lang: Lang) -> str:
    """The connection's segments, its endpoints' state sequences and the notes."""
    s = c.summary(lang)
    rows = [t(lang, "seg_head").split("|")]
    for r in c.records:
        arrow = "A → B" if r.side == 0 else "A ← B"
        ack = f" ack={r.ack}" if r.ack is not None else ""
        rows.append([str(r.number), f"{r.time_us / 1e6:.6f}", arrow,
                     f"{','.join(flag_names(r.flags))} seq={r.seq}{ack} len={r.length}",
                     ", ".join(LABELS[m] for m in r.marks)])
    lines = _table(rows)
    lines += [""] + [t(lang, "states").format(addr=e["addr"], states=" → ".join(e["states"])) for e in s["endpoints"]]
    lines.append(f"conn_state {s['conn_state']}  history {s['history']}")
    if s["notes"]:
        lines += ["", t(lang, "notes")] + [f"- {n}" for n in s["notes"]]
    return "\n".join(lines) + "\n"
