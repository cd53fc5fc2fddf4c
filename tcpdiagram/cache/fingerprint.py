"""Stdlib-only fingerprints of what shapes outputs besides the inputs: our own code, tools on PATH, fonts."""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Iterable, Iterator  # not typing: the no-change path (stamp.py) imports little
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent  # the tcpdiagram package
SKIP_DIRS = frozenset({"__pycache__", ".git", ".mypy_cache", ".pytest_cache", ".ruff_cache"})


def files(root: Path) -> Iterator[tuple[str, Path]]:
    """(relative posix path, path) of every file under root, sorted; caches and VCS folders left out."""
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):  # as MkDocs reads docs
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        base = Path(dirpath)
        rel = base.relative_to(root).as_posix()
        for name in sorted(filenames):
            if not name.endswith(".pyc"):
                yield (name if rel == "." else f"{rel}/{name}"), base / name


def code_fingerprint(*names: str) -> str:
    """The one fingerprint of tcpdiagram's own code: sha256 of the paths and bytes of the named files
    (relative to the package, e.g. "render/svg_post.py"), or of every file of the package when none is named
    (templates and data included; bytecode left out). Read afresh each call: ~0.3 MB, a few ms."""
    h = hashlib.sha256(b"tcpdiagram-code 1\0")
    chosen: Iterable[tuple[str, Path]] = [(n, PACKAGE / n) for n in names] if names else files(PACKAGE)
    for rel, path in chosen:
        data = path.read_bytes()
        h.update(f"{rel}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()


def stat_line(path: str | Path) -> str:
    """`path mtime_ns size`, or `path -` when it cannot be read."""
    try:
        st = os.stat(path)
    except OSError:
        return f"{path} -"
    return f"{path} {st.st_mtime_ns} {st.st_size}"


def which(name: str) -> str | None:
    """shutil.which(name) for a bare command name, the same answer without importing shutil (~2 ms)."""
    if sys.platform == "win32":  # pragma: no cover - PATHEXT and the current folder: shutil knows them
        import shutil

        return shutil.which(name)
    path = os.environ.get("PATH", None)
    if path is None:
        try:
            path = os.confstr("CS_PATH")
        except (AttributeError, ValueError):
            path = os.defpath
    if not path:  # PATH='' finds nothing (PATH=':' looks in the current folder)
        return None
    seen: set[str] = set()
    for folder in path.split(os.pathsep):
        if folder in seen:
            continue
        seen.add(folder)
        found = os.path.join(folder, name)
        if os.path.exists(found) and os.access(found, os.F_OK | os.X_OK) and not os.path.isdir(found):
            return found
    return None


def tool_identity(name: str) -> str:
    """Resolved path, mtime and size of a tool on PATH (no subprocess); for dot also its plugin config."""
    exe = which(name)
    if exe is None:
        return f"{name} missing"
    real = os.path.realpath(exe)
    parts = [f"{name} {exe}", stat_line(real)]
    if name == "dot":
        prefix = Path(real).parent.parent
        parts += [stat_line(p) for p in sorted(prefix.glob("lib/*/graphviz/config6*"))]
        parts += [stat_line(p) for p in sorted(prefix.glob("lib/graphviz/config6*"))]
    return "\n".join(parts)


def installed_dists() -> list[str]:
    """Names (with versions) of every installed distribution on sys.path: MkDocs, its theme, plugins, jieba, …

    A superset of what the site build imports, read from folder listings only (no metadata parsing):
    installing or upgrading any package rebuilds once, which is cheaper than missing a plugin's upgrade.
    """
    names: set[str] = set()
    for entry in dict.fromkeys(sys.path):
        try:
            listing = os.listdir(entry or ".")
        except OSError:
            continue
        names.update(n for n in listing if n.endswith((".dist-info", ".egg-info")))
    return sorted(names)


def _fontconfig_paths() -> tuple[list[Path], list[Path]]:
    """(folders judged by their mtime, configuration folders judged file by file)."""
    home = Path.home()
    cache = Path(os.environ.get("XDG_CACHE_HOME") or home / ".cache")
    config = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
    data = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    folders = [Path("/var/cache/fontconfig"), cache / "fontconfig", Path("/usr/share/fonts"),
               Path("/usr/local/share/fonts"), home / ".fonts", data / "fonts"]
    configs = [Path("/etc/fonts"), Path("/etc/fonts/conf.d"), config / "fontconfig", config / "fontconfig" / "conf.d"]
    return folders, configs


def fontconfig_fingerprint() -> str:
    """What decides which fonts dot and rsvg-convert measure and draw with, from stats only.

    Font and cache folders by mtime (fc-cache renames new cache files in, so adding or removing a font
    moves the cache folder's mtime); configuration folders file by file (their files are edited in place,
    conf.d links followed).
    """
    lines = [f"{v}={os.environ.get(v, '')}" for v in ("FONTCONFIG_FILE", "FONTCONFIG_PATH", "FONTCONFIG_SYSROOT")]
    folders, configs = _fontconfig_paths()
    lines += (stat_line(f) for f in folders)
    for folder in configs:
        lines.append(stat_line(folder))
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue
        lines += (stat_line(folder / n) for n in names)
    return "\n".join(lines)
