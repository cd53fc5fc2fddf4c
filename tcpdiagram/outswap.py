"""The build folder beside --out, its atomic swap into place, and the clean-up of what interrupted builds left.

A build works in `.<name>.tcpdiagram-<random>` next to OUT, with a lock file `<that>.lock` beside it that the
build holds (flock) for as long as it runs: a lock nobody holds means its build is gone (killed, crashed),
whatever happened to its process id since. The folder carries the marker from its first moment.

The swap is one `renameat2(RENAME_EXCHANGE)` (Linux 3.15+, through ctypes): OUT holds the old build, then
the new one, never nothing. Where the file system or the system has no exchange, three renames do it (OUT
aside, the new build in, the old one removed) and a build killed between the first two leaves OUT missing:
the next run of tcpdiagram puts the old build back (`recover`) before it does anything else.
"""

from __future__ import annotations

import errno
import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from . import faultpoints
from .stamp import MARKER

BUILDING_TEXT = "tcpdiagram build in progress (an interrupted build; the next build removes this folder)\n"
INFIX = ".tcpdiagram-"
LOCK_SUFFIX = ".lock"
ASIDE_SUFFIX = ".old"

if sys.platform != "win32":  # Windows has no flock: there a leftover's lock counts as free
    import fcntl


def prefix(out: Path) -> str:
    return f".{out.name}{INFIX}"


@contextmanager
def workdir(out: Path) -> Iterator[Path]:
    """A new, locked, marked build folder beside `out` (an absolute path); removed on the way out, whatever
    it then holds (the unfinished new build, or after a swap the old one)."""
    import secrets

    parent = out.parent
    while True:
        stem = parent / f"{prefix(out)}{secrets.token_hex(6)}"
        try:
            fd = os.open(f"{stem}{LOCK_SUFFIX}", os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            break
        except FileExistsError:
            continue
    try:
        if sys.platform != "win32":
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.mkdir(stem)  # mode 0o777 less the umask: a published site must be readable
        (stem / MARKER).write_text(BUILDING_TEXT, encoding="utf-8")
        faultpoints.reached("workdir")
        yield stem
    finally:
        with _signals_held():  # a second Ctrl-C or SIGTERM waits: it must not leave half a folder unmarked
            for path in (stem, Path(f"{stem}{ASIDE_SUFFIX}")):
                remove(path)
            os.unlink(f"{stem}{LOCK_SUFFIX}")
            os.close(fd)


def remove(path: Path) -> None:
    """Delete one of our folders, its marker last: a deletion cut short by SIGKILL still leaves it recognisable."""
    if not path.is_dir() or path.is_symlink():
        return
    for child in path.iterdir():
        if child.name == MARKER:
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)
    (path / MARKER).unlink(missing_ok=True)
    try:
        path.rmdir()
    except OSError:
        shutil.rmtree(path, ignore_errors=True)


@contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP back (they arrive afterwards) while a few file operations finish."""
    import signal

    held = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP} if hasattr(signal, "pthread_sigmask") else set()
    if held:
        signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        if held:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, held)


def swap(work: Path, out: Path) -> None:
    """Put the finished build `work` at `out`; afterwards `work` holds the old build (or nothing)."""
    faultpoints.reached("swap")
    if not out.exists():
        os.rename(work, out)
        faultpoints.reached("swapped")
        return
    if _exchange(work, out):
        faultpoints.reached("swapped")
        return
    aside = Path(f"{work}{ASIDE_SUFFIX}")
    os.rename(out, aside)
    try:
        faultpoints.reached("aside")
        os.rename(work, out)
    except BaseException:
        os.rename(aside, out)
        raise
    faultpoints.reached("swapped")


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
_NO_EXCHANGE = {errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EPERM}


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step; False when this system or file system cannot (the caller falls back)."""
    if not sys.platform.startswith("linux") or os.environ.get(faultpoints.NO_EXCHANGE):
        return False
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    call = getattr(libc, "renameat2", None)
    if call is None:  # glibc before 2.28
        return False
    call.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)
    if call(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in _NO_EXCHANGE:
        return False
    raise OSError(code, os.strerror(code), str(b))


# ---- what interrupted builds left ----------------------------------------------------------------------------


def leftovers(out: Path) -> list[Path]:
    """Folders and lock files of builds of `out` that are no longer running (cheap: one directory listing)."""
    found: list[Path] = []
    try:
        names = os.listdir(out.parent)
    except OSError:
        return []
    start, legacy = prefix(out), f".{out.name}.old-"
    for name in sorted(names):
        path = out.parent / name
        if name.startswith(legacy) and name[len(legacy):].isdigit():  # the aside folder of builds before locks
            if not _alive(int(name[len(legacy):])):
                found.append(path)
            continue
        if not name.startswith(start):
            continue
        stem = name.removesuffix(LOCK_SUFFIX).removesuffix(ASIDE_SUFFIX)
        if not _held(out.parent / f"{stem}{LOCK_SUFFIX}"):
            found.append(path)
    return found


def recover(out: Path) -> list[str]:
    """Undo what interrupted builds of `out` left: put back an old build left aside, remove their folders (those
    carrying our marker, or empty) and their lock files. Returns what it could not remove, for a warning."""
    kept: list[str] = []
    stale = leftovers(out)
    for path in stale:
        aside = path.name.endswith(ASIDE_SUFFIX) or f".{out.name}.old-" in path.name
        if aside and not out.exists() and (path / MARKER).is_file():
            os.rename(path, out)  # killed between the two renames of a swap: the old build goes back
    for path in stale:
        if path.name.endswith(LOCK_SUFFIX) or not path.is_dir() or path.is_symlink():
            continue
        if (path / MARKER).is_file():
            remove(path)
        else:
            try:
                path.rmdir()  # killed before the marker: an empty folder
            except OSError:
                kept.append(str(path))
    for path in stale:
        if path.name.endswith(LOCK_SUFFIX):
            try:
                path.unlink()
            except OSError:
                kept.append(str(path))
    return kept


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's process: alive
        return True
    return True


def _held(lock: Path) -> bool:
    """Whether a running build holds this lock file (a missing file holds nothing)."""
    if sys.platform == "win32":
        return False
    try:
        fd = os.open(lock, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False
