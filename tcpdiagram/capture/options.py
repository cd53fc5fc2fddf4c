"""TCP options where they matter for reading a connection: MSS, window scale, SACK permitted and blocks, timestamps."""

from __future__ import annotations

import struct
from typing import Any

OPT_EOL, OPT_NOP, OPT_MSS, OPT_WSCALE, OPT_SACK_PERM, OPT_SACK, OPT_TS = 0, 1, 2, 3, 4, 5, 8


def parse(raw: bytes) -> dict[str, Any]:
    """The options as {mss, wscale, sack_perm, sack: [[left, right], …], ts: [val, ecr]}; bad or cut ones stop the walk."""
    out: dict[str, Any] = {}
    pos = 0
    while pos < len(raw):
        kind = raw[pos]
        if kind == OPT_EOL:
            break
        if kind == OPT_NOP:
            pos += 1
            continue
        if pos + 1 >= len(raw) or raw[pos + 1] < 2 or pos + raw[pos + 1] > len(raw):
            break
        size = raw[pos + 1]
        body = raw[pos + 2:pos + size]
        if kind == OPT_MSS and size == 4:
            out["mss"] = struct.unpack("!H", body)[0]
        elif kind == OPT_WSCALE and size == 3:
            out["wscale"] = min(body[0], 14)  # RFC 7323 §2.3: larger shifts are treated as 14
        elif kind == OPT_SACK_PERM and size == 2:
            out["sack_perm"] = True
        elif kind == OPT_SACK and (size - 2) % 8 == 0:
            out["sack"] = [list(struct.unpack_from("!II", body, i)) for i in range(0, size - 2, 8)]
        elif kind == OPT_TS and size == 10:
            out["ts"] = list(struct.unpack("!II", body))
        pos += size
    return out


def wscale(raw: bytes) -> int | None:
    """The window-scale shift a SYN offers, or None."""
    value = parse(raw).get("wscale") if raw else None
    return value if isinstance(value, int) else None
