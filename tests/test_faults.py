"""Faults: builds killed (SIGKILL, SIGTERM) at every named point, the swap included; a full disk for the output
and for the cache; a conversion that outlives its timeout. OUT is whole at every moment and nothing stays behind.

Builds pause at a point when TCPDIAGRAM_TEST_PAUSE_AT names it (tcpdiagram/faultpoints.py), say so on stderr,
and are then killed there. Each build in a row is also the next build of the one killed before it: by the time
it pauses, the leftovers of its predecessor must be gone.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tcpdiagram import faultpoints, outswap
from tcpdiagram.pipeline import build
from tcpdiagram.stamp import MARKER, read_marker

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "site"
MINIMAL = (Path(__file__).resolve().parent / "data" / "minimal.yaml").read_text(encoding="utf-8")
LANGS = ("zh",)  # one language: the same code paths at half the cost

pytestmark = pytest.mark.dot


def tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def whole(out: Path) -> bool:
    """A finished build: its marker has a key and counts exactly the files and bytes the folder holds."""
    info = read_marker(out)
    files = [p for p in out.rglob("*") if p.is_file() and p != out / MARKER]
    return ("key" in info and info.get("files") == str(len(files))
            and info.get("bytes") == str(sum(p.stat().st_size for p in files)))


def ours(parent: Path) -> list[str]:
    """Every name a build of OUT may leave beside it."""
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(".out."))


class Project:
    """A folder with a spec and an earlier build in `out`; every run edits the spec, so each one builds."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.spec = folder / "spec.yaml"
        self.out = folder / "out"
        self.runs = 0
        self.edit()
        build(self.spec, out=self.out, langs=LANGS, quiet=True, site=SITE)

    def edit(self) -> None:
        self.runs += 1
        self.spec.write_text(MINIMAL.replace("The smallest spec the tests use.", f"Run {self.runs}."), "utf-8")

    def start(self, point: str, exchange: bool = True) -> subprocess.Popen[str]:
        """A build of the edited spec, paused at `point` (returns once it says so)."""
        self.edit()
        env = dict(os.environ, **{faultpoints.PAUSE_AT: point})
        if not exchange:
            env[faultpoints.NO_EXCHANGE] = "1"
        proc = subprocess.Popen([sys.executable, "-m", "tcpdiagram", "build", "--spec", str(self.spec), "--out", str(self.out),
                                 "--lang", ",".join(LANGS), "-q"], cwd=self.folder, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        assert proc.stderr is not None
        line = proc.stderr.readline()
        assert line == f"paused at {point}\n", line + proc.stderr.read()
        return proc


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    yield Project(tmp_path_factory.mktemp("faults"))


def kill(proc: subprocess.Popen[str], sig: int) -> tuple[int, str]:
    proc.send_signal(sig)
    rc = proc.wait(timeout=120)
    assert proc.stderr is not None
    rest = proc.stderr.read()
    proc.stderr.close()
    return rc, rest


# (point, whether OUT holds the new build after a kill there, whether the swap may use renameat2)
KILL_POINTS = [("workdir", False, True), ("pages", False, True), ("site", False, True), ("marker", False, True),
               ("swap", False, True), ("swapped", True, True)]


def test_sigkill_at_every_point_keeps_out_whole_and_the_next_build_cleans_up(project: Project) -> None:
    survived = 0
    for point, replaced, exchange in KILL_POINTS:
        before = tree(project.out)
        left = ours(project.folder)
        proc = project.start(point, exchange)
        running = ours(project.folder)
        assert not set(left) & set(running), f"the leftovers {left} of the build killed before survived"
        rc, rest = kill(proc, signal.SIGKILL)
        assert rc == -signal.SIGKILL
        assert whole(project.out), point
        if not replaced:
            assert tree(project.out) == before, f"a SIGKILL at {point!r} changed OUT"
        else:
            assert tree(project.out) != before
        assert ours(project.folder), f"a SIGKILL at {point!r} should leave its work folder for the next build"
        survived += 1
    build(project.spec, out=project.out, langs=LANGS, quiet=True, site=SITE)
    assert ours(project.folder) == [] and whole(project.out)
    assert survived == len(KILL_POINTS)


def test_sigkill_between_the_renames_of_the_fallback_swap_is_recovered(project: Project) -> None:
    """Without renameat2 the swap is three renames; killed between the first two, OUT is missing until the next
    run of tcpdiagram puts the old build back, before anything else."""
    before = tree(project.out)
    proc = project.start("aside", exchange=False)
    rc, _ = kill(proc, signal.SIGKILL)
    assert rc == -signal.SIGKILL
    assert not project.out.exists()
    [aside] = [p for p in project.folder.iterdir() if p.name.endswith(outswap.ASIDE_SUFFIX)]
    assert tree(aside) == before
    assert outswap.recover(project.out.absolute()) == []
    assert tree(project.out) == before and ours(project.folder) == []


@pytest.mark.parametrize(("point", "replaced", "exchange"),
                         [("pages", False, True), ("swap", False, True), ("swapped", True, True),
                          ("aside", False, False), ("swapped", True, False)])
def test_sigterm_ends_like_ctrl_c_at_once_clean(project: Project, point: str, replaced: bool, exchange: bool) -> None:
    before = tree(project.out)
    proc = project.start(point, exchange)
    rc, rest = kill(proc, signal.SIGTERM)
    assert (rc, rest) == (128 + signal.SIGTERM, "terminated\n")
    assert whole(project.out)
    assert (tree(project.out) != before) == replaced
    assert ours(project.folder) == [], "SIGTERM cleans up on the way out"


def test_sigint_and_sigterm_in_serve_end_with_one_line(tmp_path: Path) -> None:
    """The same two signals while `serve` waits for edits."""
    for sig, code, word in ((signal.SIGTERM, 143, "terminated"), (signal.SIGINT, 130, "interrupted")):
        spec = tmp_path / "spec.yaml"
        spec.write_text(MINIMAL, encoding="utf-8")
        proc = subprocess.Popen([sys.executable, "-m", "tcpdiagram", "serve", "--spec", str(spec), "--out", str(tmp_path / "b"),
                                 "--port", "0"], cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                text=True, preexec_fn=_default_sigint)
        assert proc.stderr is not None
        for line in proc.stderr:
            if line.startswith("serving "):
                break
        proc.send_signal(sig)
        assert proc.wait(timeout=60) == code
        assert proc.stderr.read().strip().splitlines()[-1:] == [word]
        proc.stderr.close()


def _default_sigint() -> None:
    """A shell that started the tests in the background ignores SIGINT, and children inherit that: undo it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


# ---- full disks ----------------------------------------------------------------------------------------------


def _tmpfs(path: Path, size: int) -> None:
    path.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("needs root to mount a small tmpfs")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")


def _umount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], check=False)


def test_a_full_disk_names_the_file_and_leaves_the_previous_build(project: Project, tmp_path: Path) -> None:
    size = sum(p.stat().st_size for p in project.out.rglob("*") if p.is_file())
    disk = tmp_path / "disk"
    _tmpfs(disk, size + size // 3)  # room for the old build and a third of the new one
    try:
        shutil.copytree(project.out, disk / "out")
        before = tree(disk / "out")
        project.edit()  # not up to date: it must build
        done = subprocess.run([sys.executable, "-m", "tcpdiagram", "build", "--spec", str(project.spec), "--out",
                               str(disk / "out"), "--lang", ",".join(LANGS), "-q"], capture_output=True, text=True)
        assert done.returncode == 3, done.stderr
        [line] = done.stderr.splitlines()
        assert line.startswith(f"error: cannot write {disk / 'out'}/") and line.endswith(": No space left on device")
        assert tree(disk / "out") == before
        assert sorted(p.name for p in disk.iterdir()) == ["out"]
    finally:
        _umount(disk)


def test_a_cache_that_cannot_be_written_is_one_warning_at_most(project: Project, tmp_path: Path) -> None:
    disk = tmp_path / "cache"
    _tmpfs(disk, 64 * 1024)
    try:
        (disk / "fill").write_bytes(b"\0" * (60 * 1024))  # what is left cannot hold a cache entry
        project.edit()
        env = dict(os.environ, TCPDIAGRAM_CACHE=str(disk / "c"))
        done = subprocess.run([sys.executable, "-m", "tcpdiagram", "build", "--spec", str(project.spec), "--out",
                               str(tmp_path / "out"), "--lang", ",".join(LANGS), "-q"], capture_output=True, text=True,
                              env=env, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr and "Dump cache file failed" not in done.stderr
        lines = [x for x in done.stderr.splitlines() if "cache" in x]
        assert len(lines) <= 1, done.stderr
        assert whole(tmp_path / "out")
    finally:
        _umount(disk)


# ---- tools that outlive their timeout -------------------------------------------------------------------------


def test_a_conversion_past_its_timeout_is_killed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A PNG conversion (librsvg in a worker process of convert_pool) that outlasts its deadline: the build gets
    ToolFailed, and the worker processes, which may be stuck inside librsvg, are killed, not left running."""
    from tcpdiagram import convert_pool
    from tcpdiagram.cache import convert as cache
    from tcpdiagram.errors import ToolFailed

    big = "".join(f"<text x='{i % 50 * 40}' y='{i // 50 * 20}' font-size='12'>已建立连接 {i}</text>" for i in range(4000))
    svg = f"<svg xmlns='http://www.w3.org/2000/svg' width='2000pt' height='1600pt'>{big}</svg>"
    monkeypatch.setattr(cache, "TIMEOUT", 0.001)  # far less than this conversion takes
    converter = cache.ConvertCache(None)
    started = converter.start(svg, "png")
    pids = [w.proc.pid for w in convert_pool._workers]
    assert pids
    with pytest.raises(ToolFailed, match="did not finish within"):
        converter.finish(svg, "png", started)
    assert all(_gone(pid) for pid in pids), "a converter process outlived the timeout"
    assert convert_pool._workers == []  # the next build starts new ones


def _gone(pid: int) -> bool:
    """The process has exited (a zombie nobody reaped counts as gone); waits for the kill to land."""
    import time

    for _ in range(100):
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("out", [".", "..", "./", "sub/.."])
def test_an_out_that_holds_the_working_folder_is_refused_before_any_work(tmp_path: Path, out: str) -> None:
    here = tmp_path / "empty"
    (here / "sub").mkdir(parents=True)
    (tmp_path / "spec.yaml").write_text(MINIMAL, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "tcpdiagram", "build", "--spec", "../spec.yaml", "--out", out], cwd=here,
                          capture_output=True, text=True)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"error: --out {str(Path(out))!r} is the folder you are in (or holds it)")
    assert sorted(p.name for p in here.iterdir()) == ["sub"] and sorted(p.name for p in tmp_path.iterdir()) == [
        "empty", "spec.yaml"]
