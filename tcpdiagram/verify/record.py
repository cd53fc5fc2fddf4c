"""The Linux record: what `verify` observed, as deterministic JSON, and a reader for the site build."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

Json = dict[str, Any]
FORMAT = 1
RECORD_NAME = "linux-record.json"  # beside the spec it records (stamp.RECORD_NAME: a test keeps the two equal)


def kernel_version(release: str) -> str:
    """"6.18.44-fc-v782" → "6.18"."""
    m = re.match(r"(\d+)\.(\d+)", release)
    return f"{m.group(1)}.{m.group(2)}" if m else release


def build_record(release: str, close_call: str, scenarios: dict[str, Json]) -> Json:
    """scenarios: id → {runs, passed, differences, outcomes, observed (run 1)}."""
    return {
        "format": FORMAT,
        "generator": "tcpdiagram verify",
        "kernel": {"release": release, "version": kernel_version(release)},
        "close_call": close_call,
        "scenarios": scenarios,
    }


def dumps(record: Json) -> str:
    """The same record always gives the same bytes: sorted keys, 2-space indent, UTF-8, one final newline."""
    return json.dumps(record, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def merge(old: Json | None, new: Json) -> Json:
    """The new record with the scenarios of the old one it did not run, when both are of one kernel version and close.

    An old scenario recorded on another build of that version keeps its own release under `kernel`.
    """
    old_kernel = old.get("kernel") if old is not None else None
    if (old is None or not isinstance(old_kernel, dict) or old_kernel.get("version") != new["kernel"]["version"]
            or old.get("close_call") != new["close_call"]):
        return new
    kept = {}
    for sid, sc in old["scenarios"].items():
        if sid not in new["scenarios"]:
            kept[sid] = sc if old_kernel == new["kernel"] or "kernel" in sc else {**sc, "kernel": old_kernel}
    return {**new, "scenarios": {**kept, **new["scenarios"]}}


def write_record(path: Path, record: Json) -> None:
    """Write the record, merged into the one already at `path` (other scenarios' runs are kept)."""
    from ..fsutil import write_atomic

    write_atomic(path, dumps(merge(load_record(path), record)).encode("utf-8"))


def beside(spec_path: Path) -> Path:
    """Where the record of a spec file lives: linux-record.json in the spec's folder."""
    return spec_path.parent / RECORD_NAME


def default_path(spec_arg: Path | None = None) -> Path | None:
    """The record beside the spec `build` would use (the argument, ./spec/tcp.yaml or the bundled one), or None.

    The default spec is ./spec/tcp.yaml with ./spec/linux-record.json; the bundled spec has the bundled record.
    """
    from ..specfile import resolve_spec

    candidate = beside(resolve_spec(spec_arg))
    return candidate if candidate.is_file() else None


def load_record(path: Path | str | None = None) -> Json | None:
    """The record, or None when there is none or it is not one this version reads."""
    where = Path(path) if path is not None else default_path()
    if where is None or not where.is_file():
        return None
    try:
        data = json.loads(where.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("scenarios"), dict):
        return None
    return data


