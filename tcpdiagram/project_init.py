"""`tcpdiagram init DIR`: an editable copy of the bundled spec, its schema, the Linux record and the site sources."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from .errors import UsageError
from .fsutil import umask
from .specfile import PACKAGE, bundled

SCHEMA_LINE = "# yaml-language-server: $schema="
SCHEMA_NAME = "spec.schema.json"  # copied beside the spec, so the pointer resolves wherever the folder goes


def init_project(folder: Path) -> list[Path]:
    """Write DIR/spec/tcp.yaml (its schema pointer naming DIR/spec/spec.schema.json), DIR/spec/linux-record.json
    and DIR/site/; return the files written. DIR must be new or empty: nothing is ever overwritten, and a failure
    leaves no half-written folder."""
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise UsageError(f"{folder} already exists and is not an empty folder; init never overwrites: "
                         "choose a new folder")
    parent = folder.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.init-", dir=parent))
    try:
        (tmp / "spec").mkdir()
        spec_text = bundled("spec/tcp.yaml").read_text("utf-8")
        first, _, rest = spec_text.partition("\n")
        if first.startswith(SCHEMA_LINE):
            spec_text = f"{SCHEMA_LINE}{SCHEMA_NAME}\n{rest}"
        else:
            spec_text = f"{SCHEMA_LINE}{SCHEMA_NAME}\n{spec_text}"
        (tmp / "spec" / "tcp.yaml").write_text(spec_text, "utf-8")
        shutil.copyfile(PACKAGE / "data" / "spec.schema.json", tmp / "spec" / SCHEMA_NAME)
        shutil.copyfile(bundled("spec/linux-record.json"), tmp / "spec" / "linux-record.json")
        shutil.copytree(bundled("site"), tmp / "site", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        mask = umask()  # mkdtemp makes 0700 and the wheel's files may be read-only: the usual modes instead
        for path in [tmp, *tmp.rglob("*")]:
            os.chmod(path, (0o777 if path.is_dir() else 0o666) & ~mask)
        if folder.exists():
            folder.rmdir()  # empty, checked above
        os.rename(tmp, folder)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return sorted(p for p in folder.rglob("*") if p.is_file())
