"""One run's lab: two namespaces joined by the TUN delay line, captures, sock_diag, and the event loop."""

from __future__ import annotations

import os
from collections import deque
import select
import signal
import socket
import time
from collections.abc import Callable
from functools import partial
from types import TracebackType

from .diag import SockDiag
from .netns import Netns, run_name
from .wire import DelayLine, Packet, open_capture, open_tun, read_captures

ADDR = {"A": "192.0.2.1", "B": "198.51.100.1"}  # RFC 5737 documentation addresses
NET = {"A": "192.0.2.0/24", "B": "198.51.100.0/24"}
IFNAME = "wire0"
POLL_NS = 1_000_000  # observe states every 1 ms
SIGNALS = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
_counter = 0


def now_ns() -> int:
    return time.time_ns()  # CLOCK_REALTIME, the clock of the kernel's packet timestamps


class Lab:
    """Namespaces `tcpdiagram-<pid>-<n>-a/b`; `with Lab(delay_ms) as lab:` builds it and always tears it down."""

    def __init__(self, delay_ms: int) -> None:
        global _counter
        _counter += 1
        self.delay_ns = delay_ms * 1_000_000
        self.ns = {p: Netns(run_name(os.getpid(), _counter, p.lower())) for p in ("A", "B")}
        self.tun: dict[str, int] = {}
        self.cap: dict[str, socket.socket] = {}
        self.diag: dict[str, SockDiag] = {}
        self.sockets: list[socket.socket] = []
        self.packets: dict[str, list[Packet]] = {"A": [], "B": []}
        self.unsent: dict[str, deque[Packet]] = {"A": deque(), "B": deque()}  # captured, not yet read from TUN
        self.wire: DelayLine | None = None
        self.observers: list[Callable[[int], None]] = []

    def __enter__(self) -> Lab:
        try:
            self._setup()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def _setup(self) -> None:
        for p, ns in self.ns.items():
            other = "B" if p == "A" else "A"
            ns.create()
            ns.sysctl("net.ipv6.conf.all.disable_ipv6", "1")
            ns.sysctl("net.ipv6.conf.default.disable_ipv6", "1")
            with ns.inside():
                self.tun[p] = open_tun(IFNAME)
                self.diag[p] = SockDiag()
            ns.configure([
                "link set lo up",
                f"link set {IFNAME} up",
                f"addr add {ADDR[p]}/32 dev {IFNAME}",
                f"route add {NET[other]} dev {IFNAME}",
            ])
            with ns.inside():
                self.cap[p] = open_capture(IFNAME)
        self.wire = DelayLine(self.tun["A"], self.tun["B"], self.delay_ns)

    def close(self) -> None:
        """Close every fd and delete both namespaces; safe to call twice; Ctrl-C/SIGTERM wait until it is done."""
        old = signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
        try:
            self._close()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)

    def _close(self) -> None:
        for s in self.sockets:
            s.close()
        self.sockets.clear()
        for c in self.cap.values():
            c.close()
        for d in self.diag.values():
            d.close()
        for fd in self.tun.values():
            os.close(fd)
        self.cap, self.diag, self.tun = {}, {}, {}
        errors: list[BaseException] = []
        for ns in self.ns.values():
            try:
                ns.delete()
            except BaseException as e:  # noqa: BLE001 - still try the other namespace; the first is re-raised
                errors.append(e)
        if errors:
            raise errors[0]

    def socket(self, peer: str) -> socket.socket:
        """A non-blocking TCP socket in the peer's namespace, closed with the lab."""
        with self.ns[peer].inside():
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # each send() a segment of its own (no Nagle)
        self.sockets.append(s)
        return s

    def dump(self, peer: str) -> list:  # type: ignore[type-arg]
        return self.diag[peer].dump()

    def _capture(self, peer: str) -> None:
        got = read_captures(self.cap[peer])
        self.packets[peer].extend(got)
        self.unsent[peer].extend(k for k in got if k.outgoing)

    def _sent_at(self, peer: str, data: bytes) -> int | None:
        """The kernel's send time of a packet read from the peer's TUN, from the capture of the same bytes."""
        self._capture(peer)
        queue = self.unsent[peer]
        for i, k in enumerate(queue):
            if k.raw == data:
                del queue[i]
                return k.t
        return None

    def observe(self) -> None:
        """Poll every observer now."""
        now = now_ns()
        for observe in self.observers:
            observe(now)

    def pump(self, done: Callable[[int], bool], tick: Callable[[int], int | None], limit_ms: int) -> int:
        """Run the loop until done(now) or limit_ms.

        tick(horizon) runs the apps (steps due by `horizon`) and returns its next deadline. Events keep their
        order even when the loop is stalled: each due packet is released only after the app steps due before
        it, and the states are observed after every release, every tick, and at least every millisecond.
        """
        assert self.wire is not None
        wire = self.wire
        poller = select.poll()  # only to sleep until a packet, a deadline or the next observation
        for fd in (self.tun["A"], self.tun["B"], self.cap["A"].fileno(), self.cap["B"].fileno()):
            poller.register(fd, select.POLLIN)
        start = now_ns()
        while True:
            now = now_ns()
            for side, peer in enumerate(("A", "B")):  # everything sent so far, before anything is released
                wire.pull(side, now, partial(self._sent_at, peer))
                self._capture(peer)
            while (due := wire.next_due()) is not None and due <= now:
                tick(due)
                self.observe()
                wire.release_next(now)
                self.observe()
            deadline = tick(now)
            self.observe()
            if done(now):
                return now
            if now - start > limit_ms * 1_000_000:
                raise TimeoutError(f"the run did not finish within {limit_ms} ms")
            wake = min(d for d in (wire.next_due(), now + POLL_NS, deadline) if d is not None)
            poller.poll(max(0, -(-(wake - now_ns()) // 1_000_000)))
