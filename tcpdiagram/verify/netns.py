"""Named network namespaces for one run: create, configure with iproute2, enter with setns(2), delete."""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import TcpDiagramError

CLONE_NEWNET = 0x40000000
NETNS_DIR = Path("/run/netns")
PREFIX = "tcpdiagram-"
_NAME = re.compile(r"^tcpdiagram-(\d+)-\d+-[ab]$")
_libc = ctypes.CDLL(None, use_errno=True)


class CannotVerify(TcpDiagramError):
    """This machine cannot run the Linux check (not Linux, not root, no namespaces or TUN)."""

    exit_code = 3


class NetnsFailed(TcpDiagramError):
    """An iproute2 command that sets up or removes a namespace failed."""

    exit_code = 3


def preflight() -> None:
    """Raise CannotVerify with a one-line reason when this machine cannot run `verify`."""
    if not sys.platform.startswith("linux"):
        raise CannotVerify(f"verify needs Linux network namespaces; this is {sys.platform!r}")
    if os.geteuid() != 0:
        raise CannotVerify("verify needs root (network namespaces, TUN devices); run it as root")
    if not Path("/proc/self/ns/net").exists():
        raise CannotVerify("this kernel has no network namespaces (/proc/self/ns/net is missing)")
    if not Path("/dev/net/tun").exists():
        raise CannotVerify("/dev/net/tun is missing (no TUN support, or not visible in this container)")
    if shutil.which("ip") is None:
        raise CannotVerify("'ip' (iproute2) not found on PATH; install it with: apt-get install -y iproute2")


def _ip(*args: str, stdin: str | None = None) -> None:
    proc = subprocess.run(["ip", *args], input=stdin, capture_output=True, text=True, timeout=20)
    if proc.returncode:
        err = (proc.stderr or proc.stdout).strip().splitlines()
        raise NetnsFailed(f"ip {' '.join(args)}: {err[-1] if err else f'exit {proc.returncode}'}")


def _setns(fd: int) -> None:
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"setns: {os.strerror(errno)}")


class Netns:
    """One named namespace (`ip netns add NAME`); `with ns.inside():` runs code in it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.created = False

    def create(self) -> None:
        self.created = True  # first: an interrupt during `ip netns add` must still lead to a delete
        try:
            _ip("netns", "add", self.name)
        except NetnsFailed as e:
            self.created = False
            raise CannotVerify(f"cannot create a network namespace: {e}") from e

    def configure(self, commands: list[str]) -> None:
        """Run iproute2 commands (without the leading `ip`) inside the namespace, in one process."""
        _ip("-n", self.name, "-batch", "-", stdin="\n".join(commands) + "\n")

    def sysctl(self, key: str, value: str) -> None:
        with self.inside():
            Path("/proc/sys", *key.split(".")).write_text(value)

    @contextmanager
    def inside(self) -> Iterator[None]:
        """Switch this thread into the namespace and back; sockets created inside stay bound to it."""
        home = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
        target = os.open(NETNS_DIR / self.name, os.O_RDONLY)
        try:
            _setns(target)
            try:
                yield
            finally:
                _setns(home)
        finally:
            os.close(target)
            os.close(home)

    def delete(self) -> None:
        if self.created and (NETNS_DIR / self.name).exists():
            _ip("netns", "del", self.name)
        self.created = False


def run_name(pid: int, run: int, side: str) -> str:
    return f"{PREFIX}{pid}-{run}-{side}"


def remove_stale() -> list[str]:
    """Delete namespaces left by a verify process that no longer exists (after SIGKILL); return their names."""
    removed: list[str] = []
    if not NETNS_DIR.is_dir():
        return removed
    for entry in sorted(NETNS_DIR.iterdir()):
        m = _NAME.match(entry.name)
        if m and not Path(f"/proc/{m.group(1)}").exists():
            try:
                _ip("netns", "del", entry.name)
                removed.append(entry.name)
            except NetnsFailed:
                pass
    return removed
