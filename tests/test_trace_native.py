"""The compiled capture modules (capture/native.py): loaded only from a build of exactly the current sources, and
byte for byte the pure-Python outputs on the real captures, a crafted one and a generated one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tcpdiagram.capture import native

ROOT = Path(native.ROOT)
CAPTURES = sorted((Path(__file__).parent / "data" / "captures").glob("*/*.pcap*"))


def _no_compiler() -> str | None:
    cc = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(cc) is None:
        return f"no C compiler ({cc})"
    if not (Path(sysconfig.get_paths()["include"]) / "Python.h").is_file():
        return "no Python headers (Debian: python3-dev)"
    try:
        import mypyc.build  # noqa: F401
    except ImportError:
        return "no mypyc (the native extra)"
    return None


@pytest.fixture(scope="module")
def built() -> native.Manifest:
    """The current build; compiled here when `make` has not (skips only without a compiler)."""
    m = native.current()
    if m is None:
        why = _no_compiler()
        if why:
            pytest.skip(f"the compiled capture modules cannot be built: {why}")
        from tcpdiagram.capture import native_build

        native_build.build(quiet=True)
        m = native.current()
    assert m is not None
    return m


PROBE = ("import sys, tcpdiagram, tcpdiagram.capture.command; from tcpdiagram.capture import native; "
         "print(tcpdiagram.__file__); print(' '.join(native.compiled()))")


def _env(**env: str) -> dict[str, str]:
    """This process's environment, without the switch to pure Python (set when the suite runs pure), plus env."""
    return {**{k: v for k, v in os.environ.items() if k != native.OFF}, **env}


def _probe(tree: Path, **env: str) -> tuple[str, list[str], str]:
    """(where tcpdiagram came from, the compiled modules loaded, stderr) in a fresh Python run on `tree`."""
    run = subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(tree)!r}); {PROBE}"],
                         capture_output=True, text=True, cwd=tree, env=_env(**env), check=True)
    where, mods = run.stdout.splitlines()
    return where, mods.split(), run.stderr


def _copy(tmp: Path) -> Path:
    """The package and its builds, copied: a checkout whose sources this test may edit."""
    tree = tmp / "tree"
    shutil.copytree(ROOT / "tcpdiagram", tree / "tcpdiagram", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(native.BUILDS, tree / ".native", symlinks=True)
    return tree


def _edit(path: Path) -> None:
    path.write_bytes(path.read_bytes() + b"# edited\n")


def test_the_current_build_is_used_and_any_source_change_makes_it_unused(built: native.Manifest, tmp_path: Path) -> None:
    tree = _copy(tmp_path)
    compiled = sorted(native.MODULES)
    where, mods, err = _probe(tree)
    assert where == str(tree / "tcpdiagram" / "__init__.py") and mods == compiled and err == ""
    assert _probe(tree, **{native.OFF: "1"})[1] == []  # asked for pure Python

    _edit(tree / "tcpdiagram" / "convert.py")  # not a source of the build: the build stays current
    assert _probe(tree)[1] == compiled
    for rel in ("tcpdiagram/capture/zeek.py", "tcpdiagram/model.py", "tcpdiagram/capture/native.py"):
        edited = _copy(tmp_path / rel.replace("/", "_"))
        _edit(edited / rel)  # a compiled module, a module whose types it reads, the loader
        where, mods, err = _probe(edited)
        assert where.startswith(str(edited)) and mods == [] and err == "", rel  # pure Python, no message

    # a build for another Python, a damaged manifest, a missing library: unused, silently
    manifest = tree / ".native" / native.CURRENT
    text = manifest.read_text(encoding="utf-8")
    for damaged in (text.replace(f"suffix {built.suffix}", "suffix .cpython-399-x86_64-linux-gnu.so").encode(),
                    text[: len(text) // 2].encode(), b"\0\xff"):
        manifest.write_bytes(damaged)
        assert _probe(tree)[1:] == ([], "")
    manifest.write_text(text, encoding="utf-8")
    (tree / ".native" / built.folder / (built.lib + built.suffix)).unlink()
    assert _probe(tree)[1:] == ([], "")


def test_every_source_of_the_build_is_in_its_digest(built: native.Manifest) -> None:
    """The compiled modules, each package module they import (mypy read their types), the loader, the builder."""
    from tcpdiagram.capture.native_build import sources

    assert built.sources == sources(ROOT, native.MODULES)
    expected = {m.replace(".", "/") + ".py" for m in native.MODULES} | {
        "tcpdiagram/model.py", "tcpdiagram/sim_endpoint.py", "tcpdiagram/capture/native.py",
        "tcpdiagram/capture/native_build.py", "tcpdiagram/capture/__init__.py", "tcpdiagram/__init__.py"}
    assert expected <= set(built.sources)
    assert native.digest(str(ROOT), built.sources) == built.sha


OUTPUTS = r"""
import hashlib, sys
from pathlib import Path
from tcpdiagram.capture import native
from tcpdiagram.capture.command import trace_capture
from tcpdiagram.errors import TcpDiagramError
from tcpdiagram.specfile import load_checked

spec = load_checked(None)
print("compiled", " ".join(native.compiled()))
for name in sys.argv[1:]:
    path = Path(name)
    for label, args in (("list en", ("text", "en")), ("list zh", ("text", "zh")), ("json", ("json", "en")),
                        ("conn 1 en", ("text", "en", "light", 1)), ("conn 1 zh", ("text", "zh", "light", 1)),
                        ("svg en", ("svg", "en", "light", 1)), ("svg zh dark", ("svg", "zh", "dark", 1)),
                        ("svg all", ("svg", "en"))):
        try:
            out = trace_capture(spec, path, *args)
        except TcpDiagramError as e:
            out = f"{type(e).__name__}: {e}".encode()
        print(path.name, label, len(out), hashlib.sha256(out).hexdigest())
"""


def _outputs(paths: list[Path], **env: str) -> list[str]:
    run = subprocess.run([sys.executable, "-c", OUTPUTS, *map(str, paths)], capture_output=True, text=True,
                         cwd=ROOT, env=_env(**env), check=True)
    return run.stdout.splitlines()


def test_compiled_outputs_are_the_pure_python_ones(built: native.Manifest, tmp_path: Path) -> None:
    """Listing (en, zh; one process and on every core), JSON, `--conn 1` (en, zh), its chart (light, dark) and the
    chart's usage error, on every real capture, a crafted mixed one and a generated one, compiled vs pure Python."""
    from test_trace_fanout import mixed  # 60 connections: port reuse, RST, half-open, mid-connection, IPv6

    generated = tmp_path / "generated.pcap"
    subprocess.run([sys.executable, str(ROOT / "bench" / "gen_capture.py"), str(generated), "2500"], check=True,
                   capture_output=True)
    assert generated.stat().st_size > (1 << 20)  # read by fanout.py on every core
    paths = [*CAPTURES, mixed(tmp_path / "mixed.pcap"), generated]
    pure, compiled = _outputs(paths, **{native.OFF: "1"}), _outputs(paths)
    assert pure[0] == "compiled " and compiled[0] == "compiled " + " ".join(sorted(native.MODULES))
    assert len(pure) == 1 + 8 * len(paths)
    assert pure[1:] == compiled[1:]


def _read_position(pid: int, capture: Path) -> int:
    """How far process `pid` has read into `capture` (its open file's offset; 0 before it opened it)."""
    fds = Path(f"/proc/{pid}/fd")
    try:
        for fd in fds.iterdir():
            try:
                if Path(os.readlink(fd)) == capture:
                    info = (Path(f"/proc/{pid}/fdinfo") / fd.name).read_text()
                    return int(info.split("pos:")[1].split()[0])
            except OSError:
                continue
    except OSError:
        pass
    return 0


@pytest.mark.parametrize("runner", ["console", "full CLI"])
def test_a_signal_while_the_compiled_readers_run_ends_trace_with_one_line(
        built: native.Manifest, tmp_path: Path, runner: str) -> None:
    """SIGTERM and Ctrl-C in the middle of reading a 30 MB capture (two processes, compiled readers): one line and
    128 + N, soon. Raised inside compiled code, a signal aborted the process ("fatal: out of memory", SIGABRT)."""
    import signal
    import time

    from test_entry import CONSOLE, FULL_CLI

    capture = tmp_path / "big.pcap"
    subprocess.run([sys.executable, str(ROOT / "bench" / "gen_capture.py"), str(capture), "50000"], check=True,
                   capture_output=True)
    size = capture.stat().st_size
    for sig, line in ((signal.SIGTERM, b"terminated\n"), (signal.SIGINT, b"interrupted\n")):
        proc = subprocess.Popen(([str(CONSOLE)] if runner == "console" else FULL_CLI) + ["trace", str(capture)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(), cwd=tmp_path)
        deadline = time.monotonic() + 60
        while _read_position(proc.pid, capture) < size // 5 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        assert proc.poll() is None, "the trace ended before it was a fifth into the capture"
        proc.send_signal(sig)
        sent = time.monotonic()
        out, err = proc.communicate(timeout=60)
        assert (proc.returncode, out, err) == (128 + sig, b"", line)
        assert time.monotonic() - sent < 5, "the signal waited for the end of the reading"


# Pure-Python modules that import compiled ones, and why that is safe: command and site enter them inside
# errors.HeldSignals; chart, fanout and marks run only under those two (or under compiled code).
ENTERS_COMPILED = {"chart": "under command/site", "command": "HeldSignals", "fanout": "under command",
                   "marks": "under the compiled readers", "site": "HeldSignals"}


def test_compiled_modules_are_entered_only_where_signals_are_held() -> None:
    """A new caller of the compiled modules must hold signals around them (errors.HeldSignals): a signal raised
    inside compiled code can abort the process. This lists the pure modules that import compiled ones."""
    from tcpdiagram.capture.native_build import imports

    importers = {}
    for path in sorted((ROOT / "tcpdiagram").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        module = rel.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
        if module not in native.MODULES and imports(ROOT, rel) & set(native.MODULES):
            importers[module.rsplit(".", 1)[1]] = path
    assert set(importers) == set(ENTERS_COMPILED), "enter compiled code inside errors.HeldSignals, then list it here"
    for name, how in ENTERS_COMPILED.items():
        if how == "HeldSignals":
            assert "with HeldSignals():" in importers[name].read_text(encoding="utf-8")
