"""Load the mypyc-compiled capture modules, only when they were built from exactly the current sources.

`make` (tcpdiagram/capture/native_build.py) compiles a copy of the hot modules into `.native/` beside the
package (never into the package: Python would prefer a stale `.so` there to the `.py`) and writes a manifest:
the extension suffix, the compiled modules and their files, and a sha256 of every source they were built from
(the compiled modules and every module of the package they import, transitively, and the builder itself).
`install()` hashes those files again; only on an exact match does it put a finder first on sys.meta_path that
loads the compiled modules from that build. Anything else (no build, an edited source, another Python, an
unreadable file) leaves the pure-Python modules, silently: the outputs are the same, only slower.
"""

from __future__ import annotations

import importlib.machinery
import os
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType

# The listing's path: reading and decoding (stream, container, decode), the flow table (read), each connection's
# readers (conn, infer, machine, seqspace, zeek, notes) and its line (report). Measured (bench/trace_rows.py, and
# callgrind's instruction counts): the readers were ~1,000 CPython bytecodes a segment; the other capture modules
# run once per command or per chart and gain nothing measurable.
# Pure-Python code calls into these only inside errors.HeldSignals (capture/command.py, capture/site.py): a
# signal handler that raised inside them could abort the process (errors.py says why).
MODULES = tuple(f"tcpdiagram.capture.{m}" for m in ("stream", "container", "decode", "read", "conn", "infer", "machine",
                                                    "seqspace", "zeek", "notes", "report"))
HEADER = "tcpdiagram-native 1"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # holds tcpdiagram/
BUILDS = os.path.join(ROOT, ".native")
CURRENT = "current"  # the manifest of the newest build, replaced atomically by the builder
OFF = "TCPDIAGRAM_PURE"  # set (to anything but "") to run the pure-Python modules even with a current build


def digest(root: str, sources: Sequence[str]) -> str:
    """sha256 over the relative paths and bytes of `sources` (paths under `root`, in the order given)."""
    import hashlib  # here: a start-up without a build never pays for it

    h = hashlib.sha256(HEADER.encode() + b"\0")
    for rel in sources:
        with open(os.path.join(root, rel), "rb") as f:
            data = f.read()
        h.update(f"{rel}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()


class Manifest:
    """What one build holds: its folder, extension suffix, shared library, modules (name → file), sources, digest."""

    def __init__(self, folder: str, suffix: str, lib: str, modules: dict[str, str], sources: list[str],
                 sha: str) -> None:
        self.folder, self.suffix, self.lib, self.modules, self.sources, self.sha = folder, suffix, lib, modules, \
            sources, sha

    def text(self) -> str:
        lines = [HEADER, f"folder {self.folder}", f"suffix {self.suffix}", f"lib {self.lib}"]
        lines += [f"module {name} {path}" for name, path in self.modules.items()]
        lines += [f"source {s}" for s in self.sources]
        return "\n".join([*lines, f"digest {self.sha}"]) + "\n"

    @staticmethod
    def parse(text: str) -> Manifest | None:
        lines = text.splitlines()
        if not lines or lines[0] != HEADER:
            return None
        one: dict[str, str] = {}
        modules: dict[str, str] = {}
        sources: list[str] = []
        for line in lines[1:]:
            key, _, value = line.partition(" ")
            if key == "module":
                name, _, path = value.partition(" ")
                modules[name] = path
            elif key == "source":
                sources.append(value)
            else:
                one[key] = value
        if not {"folder", "suffix", "lib", "digest"} <= one.keys() or not modules or not sources:
            return None
        return Manifest(one["folder"], one["suffix"], one["lib"], modules, sources, one["digest"])


def current(root: str = ROOT, builds: str = BUILDS) -> Manifest | None:
    """The newest build's manifest when it matches this Python and the current sources byte for byte, else None."""
    try:
        with open(os.path.join(builds, CURRENT), encoding="utf-8") as f:
            m = Manifest.parse(f.read())
        if m is None or m.suffix != importlib.machinery.EXTENSION_SUFFIXES[0] or digest(root, m.sources) != m.sha:
            return None
        folder = os.path.join(builds, m.folder)
        files = [m.lib + m.suffix, *m.modules.values()]
        if not all(os.path.isfile(os.path.join(folder, p)) for p in files):
            return None
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return m


class Finder:
    """A meta path finder for exactly the compiled modules (and their shared library) of one build."""

    def __init__(self, folder: str, files: dict[str, str]) -> None:
        self.folder, self.files = folder, files

    def find_spec(self, fullname: str, path: Sequence[str] | None = None,
                  target: ModuleType | None = None) -> ModuleSpec | None:
        rel = self.files.get(fullname)
        if rel is None:
            return None
        import importlib.util

        location = os.path.join(self.folder, rel)
        return importlib.util.spec_from_file_location(fullname, location,
                                                      loader=importlib.machinery.ExtensionFileLoader(fullname, location))


def install(root: str = ROOT, builds: str = BUILDS) -> bool:
    """Load the compiled modules from now on if a current build exists; True if so."""
    if os.environ.get(OFF) or any(isinstance(f, Finder) for f in sys.meta_path):
        return False
    m = current(root, builds)
    if m is None:
        return False
    files = {**m.modules, m.lib: m.lib + m.suffix}
    sys.meta_path.insert(0, Finder(os.path.join(builds, m.folder), files))
    return True


def compiled() -> list[str]:
    """The capture modules loaded from a compiled build (for tests and `--version`-like checks)."""
    return sorted(n for n in sys.modules if n.startswith("tcpdiagram.capture.")
                  and (getattr(sys.modules[n], "__file__", None) or "").endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)))
