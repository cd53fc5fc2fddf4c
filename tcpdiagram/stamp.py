"""No-change skip: a stdlib-only key of every build input, kept in OUT's marker, and a cheap check of OUT."""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path  # not typing, not shutil: the no-change path imports little

from . import __version__
from .cache.fingerprint import code_fingerprint, files, fontconfig_fingerprint, installed_dists, tool_identity
from .specfile import resolve_spec, site_source

MARKER = ".tcpdiagram-build"
MARKER_TEXT = "This folder is made by `tcpdiagram build`; the next build replaces all of it.\n"
# A fixed build date (2024-01-01T00:00:00Z) unless the caller sets one: the same inputs give the same bytes.
DEFAULT_SOURCE_DATE_EPOCH = "1704067200"
KEY_FORMAT = "tcpdiagram-build-key 2"
TOOLS = ("dot", "rsvg-convert")
RECORD_NAME = "linux-record.json"  # verify.record.RECORD_NAME (a test keeps the two lookups equal)


class _Key:
    """sha256 over labelled, length-prefixed parts: no two different part lists hash alike."""

    def __init__(self) -> None:
        self.h = hashlib.sha256()

    def add(self, label: str, data: bytes | str) -> None:
        raw = data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data
        self.h.update(f"{label}\0{len(raw)}\0".encode())
        self.h.update(raw)


def current_key(spec_arg: Path | None, langs: tuple[str, ...], strict: bool, site: Path | None = None,
                site_url: str | None = None) -> str:
    """Hash of everything that can change `tcpdiagram build`'s output; the spec and site resolved as build() does.

    `site` is the pipeline's own override (tests pass one); the CLI leaves it None.
    """
    k = _Key()
    k.add("format", KEY_FORMAT)
    k.add("version", f"{__version__}\0{sys.version}\0{sys.implementation.cache_tag}\0{sys.platform}")
    k.add("options", f"{','.join(langs)}\0{int(bool(strict))}")
    k.add("site-url", site_url or "")
    k.add("epoch", os.environ.get("SOURCE_DATE_EPOCH") or DEFAULT_SOURCE_DATE_EPOCH)
    k.add("spec", _read(resolve_spec(spec_arg)))
    k.add("linux-record", _read(linux_record(spec_arg)))
    _tree(k, "site", site if site is not None else site_source())
    k.add("package", code_fingerprint())
    for tool in TOOLS:
        k.add("tool", tool_identity(tool))
    k.add("dists", "\n".join(installed_dists()))
    k.add("fonts", fontconfig_fingerprint())
    return k.h.hexdigest()


def linux_record(spec_arg: Path | None = None) -> Path:
    """The Linux record the site's observed runs come from: linux-record.json beside the spec build() uses
    (verify.record.default_path() finds the same file). The pipeline reads exactly this path; hashed whether
    or not it exists, so adding, editing or removing it rebuilds."""
    return resolve_spec(spec_arg).parent / RECORD_NAME


def _read(path: Path) -> bytes:
    try:
        return b"file\0" + path.read_bytes()
    except OSError as e:
        return f"unreadable\0{type(e).__name__}".encode()


def _tree(k: _Key, label: str, root: Path) -> None:
    """Paths and bytes of every file under root (a missing root hashes as such)."""
    k.add(label, "dir" if root.is_dir() else "missing")
    for rel, path in files(root):
        k.add(f"{label}:{rel}", _read(path))


# --- the marker: the key and a summary of the finished tree ---------------------------------------------


def _walk(out: Path) -> tuple[int, int, int]:
    """(files, bytes, newest mtime_ns of any file or folder) under out, the marker left out."""
    files = size = newest = 0
    stack = [str(out)]
    while stack:
        top = stack.pop()
        newest = max(newest, os.stat(top).st_mtime_ns)
        with os.scandir(top) as it:
            for e in it:
                if e.is_dir(follow_symlinks=False):
                    stack.append(e.path)
                elif e.name != MARKER or top != str(out):
                    st = e.stat(follow_symlinks=False)
                    files += 1
                    size += st.st_size
                    newest = max(newest, st.st_mtime_ns)
    return files, size, newest


def marker_text(out: Path, key: str | None, pages: int, diagrams: int) -> str:
    """The marker for a finished tree: the key (none for builds of a hand-made Spec) and its file count and size.

    Every line is a function of the inputs, so a clean and an incremental build write the same bytes.
    """
    files, size, _ = _walk(out)
    return MARKER_TEXT + f"key: {key or '-'}\nfiles: {files}\nbytes: {size}\npages: {pages}\ndiagrams: {diagrams}\n"


def write_marker(out: Path, key: str | None, pages: int, diagrams: int) -> None:
    """Write the marker last, in place (not renamed in: the folder's mtime must not pass the marker's)."""
    (out / MARKER).write_text(marker_text(out, key, pages, diagrams), encoding="utf-8")


def read_marker(out: Path) -> dict[str, str]:
    """The marker's `name: value` lines; {} when there is none or it cannot be read."""
    try:
        text = (out / MARKER).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    return dict(line.split(": ", 1) for line in text.splitlines() if ": " in line)


def is_up_to_date(out: Path, key: str) -> bool:
    """OUT holds a finished build made with `key`, and nothing in it changed since.

    The marker is written last; any file or folder modified, added, removed or renamed afterwards either
    has a newer mtime than the marker or changes the file count or total size. One stat per entry.
    """
    info = read_marker(Path(out))
    if info.get("key") != key:
        return False
    try:
        marked = os.stat(Path(out) / MARKER).st_mtime_ns
        files, size, newest = _walk(Path(out))
    except OSError:
        return False
    return info.get("files") == str(files) and info.get("bytes") == str(size) and newest <= marked
