"""Compile the hot capture modules with mypyc into `.native/` (native.py loads them): `python -m tcpdiagram.capture.native_build`.

A copy of the sources is compiled, never the tree itself, and the manifest records the digest of that copy, so
a source edited during the build only makes the build unused. Idempotent: nothing happens when the current
manifest already matches the sources. Needs mypy and setuptools (the `native` extra) and a C compiler with the
Python headers (Debian: gcc, python3-dev).
"""

from __future__ import annotations

import ast
import importlib.machinery
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from . import native

KEEP = 2  # build folders kept besides the current one's (another branch's build stays usable when switching back)
OPT_LEVEL = "3"


def module_file(root: Path, name: str) -> str | None:
    """The relative path of module `name` under root (a module file or a package's __init__.py), if it is ours."""
    base = root / Path(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate.relative_to(root).as_posix()
    return None


def imports(root: Path, rel: str) -> set[str]:
    """The tcpdiagram modules a file imports anywhere (module level, functions, TYPE_CHECKING), as module names."""
    name = rel.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
    package = name if rel.endswith("__init__.py") else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse((root / rel).read_bytes(), rel)):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            parts = package.split(".")
            base = ".".join(parts[:len(parts) - node.level + 1]) if node.level else ""
            mod = ".".join(p for p in (base, node.module or "") if p)
            found.add(mod)
            found.update(f"{mod}.{a.name}" for a in node.names)  # `from . import seqspace` names a module
    return {m for m in found if m == "tcpdiagram" or m.startswith("tcpdiagram.")}


def sources(root: Path, modules: tuple[str, ...]) -> list[str]:
    """Every file the compiled code's meaning depends on: the compiled modules, each tcpdiagram module they import,
    transitively (mypy reads their types), the packages' __init__.py files on the way, and this builder; sorted."""
    todo = [f for f in (module_file(root, m) for m in modules) if f]
    seen: set[str] = set()
    while todo:
        rel = todo.pop()
        if rel in seen:
            continue
        seen.add(rel)
        parts = rel.split("/")[:-1]
        seen.update(f"{'/'.join(parts[:i])}/__init__.py" for i in range(1, len(parts) + 1))  # parents: not followed
        todo.extend(f for f in (module_file(root, m) for m in imports(root, rel)) if f and f not in seen)
    seen.update(("tcpdiagram/capture/native.py", "tcpdiagram/capture/native_build.py"))
    return sorted(seen)


def up_to_date(root: Path, builds: Path) -> bool:
    return native.current(str(root), str(builds)) is not None


def build(root: Path = Path(native.ROOT), builds: Path = Path(native.BUILDS), quiet: bool = False) -> bool:
    """Compile unless the current build matches the sources; True when it compiled."""
    if up_to_date(root, builds):
        return False
    from mypyc.build import mypycify  # the native extra; imported only to build
    from setuptools import Distribution

    started = time.perf_counter()
    builds.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="build-", dir=builds))
    try:
        src = work / "src"
        files = sources(root, native.MODULES)
        for rel in files:
            (src / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(root / rel, src / rel)
        sha = native.digest(str(src), files)  # what is compiled, byte for byte
        (src / "mypy.ini").write_text("[mypy]\nignore_missing_imports = True\n", encoding="utf-8")  # jieba: no stubs
        out = work / "out"
        here = os.getcwd()
        os.chdir(src)  # mypycify names modules by their paths
        try:
            paths = [module_file(src, m) for m in native.MODULES]
            exts = mypycify([p for p in paths if p], opt_level=OPT_LEVEL, target_dir=str(work / "c"),
                            verbose=not quiet)
            dist = Distribution({"name": "tcpdiagram-native", "ext_modules": exts})
            cmd = dist.get_command_obj("build_ext")
            cmd.build_lib, cmd.build_temp = str(out), str(work / "tmp")
            dist.run_command("build_ext")
        finally:
            os.chdir(here)
        suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
        libs = [p.name.removesuffix(suffix) for p in out.iterdir() if p.name.endswith("__mypyc" + suffix)]
        if len(libs) != 1:
            raise SystemExit(f"native_build: expected one shared library in {out}, found {libs}")
        modules = {m: m.replace(".", "/") + suffix for m in native.MODULES}
        missing = [p for p in modules.values() if not (out / p).is_file()]
        if missing:
            raise SystemExit(f"native_build: mypyc made no {', '.join(missing)}")
        folder = f"{sha[:16]}-{sys.implementation.cache_tag}"
        final = builds / folder
        if not final.exists():  # else another build of the same sources won: a process may be using it
            out.rename(final)
        manifest = native.Manifest(folder, suffix, libs[0], modules, files, sha)
        tmp = builds / f".{native.CURRENT}.tmp"
        tmp.write_text(manifest.text(), encoding="utf-8")
        os.replace(tmp, builds / native.CURRENT)
        _prune(builds, folder)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if not quiet:
        print(f"native_build: compiled {len(native.MODULES)} modules in {time.perf_counter() - started:.1f} s "
              f"into {builds / folder}")
    return True


def _prune(builds: Path, keep: str) -> None:
    """Remove all but the KEEP newest other builds (a running process may still be using one of them)."""
    old = sorted((p for p in builds.iterdir() if p.is_dir() and p.name != keep and not p.name.startswith("build-")),
                 key=lambda p: p.stat().st_mtime, reverse=True)
    for p in old[KEEP:]:
        shutil.rmtree(p, ignore_errors=True)


if __name__ == "__main__":
    build(quiet="-q" in sys.argv[1:])
