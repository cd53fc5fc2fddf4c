"""The wire between the namespaces: TUN devices, a FIFO delay line, AF_PACKET capture, TCP header parsing."""

from __future__ import annotations

import fcntl
import os
import socket
import struct
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass

from ..model import LossRule

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
ETH_P_ALL = 0x0003
SO_TIMESTAMPNS = 35
PACKET_OUTGOING = 4
MAX_PACKET = 65536

FLAG_BITS = (("ACK", 0x10), ("FIN", 0x01), ("PSH", 0x08), ("RST", 0x04), ("SYN", 0x02))  # sorted by name


def open_tun(name: str) -> int:
    """Create TUN device `name` in the current namespace (no packet-info header); return its fd."""
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH22x", name.encode(), IFF_TUN | IFF_NO_PI))
    except OSError:
        os.close(fd)
        raise
    return fd


def open_capture(ifname: str) -> socket.socket:
    """An AF_PACKET socket on `ifname` (current namespace) that stamps every packet with kernel time."""
    s = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_ALL))
    s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    s.bind((ifname, ETH_P_ALL))
    s.setblocking(False)
    return s


@dataclass(frozen=True)
class Packet:
    """One IPv4 TCP segment as captured: kernel time (ns, CLOCK_REALTIME), outgoing or not, header fields."""

    t: int
    outgoing: bool
    src: str
    dst: str
    sport: int
    dport: int
    seq: int
    ack: int
    flags: tuple[str, ...]
    length: int
    raw: bytes


def parse_tcp(data: bytes, t: int, outgoing: bool) -> Packet | None:
    """Decode an IPv4 packet; None for anything that is not TCP."""
    if len(data) < 20 or data[0] >> 4 != 4 or data[9] != socket.IPPROTO_TCP:
        return None
    ihl = (data[0] & 0x0F) * 4
    total = struct.unpack_from("!H", data, 2)[0]
    tcp = data[ihl:total]
    if len(tcp) < 20:
        return None
    sport, dport, seq, ack, off, bits = struct.unpack_from("!HHIIBB", tcp)
    flags = tuple(name for name, bit in FLAG_BITS if bits & bit)
    return Packet(
        t, outgoing, socket.inet_ntoa(data[12:16]), socket.inet_ntoa(data[16:20]),
        sport, dport, seq, ack, flags, len(tcp) - (off >> 4) * 4, bytes(data[:total]),
    )


def read_captures(sock: socket.socket) -> list[Packet]:
    """Drain a capture socket; return its TCP packets with their kernel timestamps."""
    out: list[Packet] = []
    while True:
        try:
            data, anc, _flags, addr = sock.recvmsg(MAX_PACKET, socket.CMSG_SPACE(16))
        except BlockingIOError:
            return out
        t = 0
        for level, kind, payload in anc:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                sec, nsec = struct.unpack("qq", payload[:16])
                t = sec * 1_000_000_000 + nsec
        pkt = parse_tcp(data, t, addr[2] == PACKET_OUTGOING)
        if pkt is not None:
            out.append(pkt)


class DelayLine:
    """Two TUN fds joined by FIFOs: what one side sends comes out of the other `delay_ns` later, in order."""

    def __init__(self, fd_a: int, fd_b: int, delay_ns: int) -> None:
        self.fds = (fd_a, fd_b)
        self.delay_ns = delay_ns
        self.queues: tuple[deque[tuple[int, bytes]], deque[tuple[int, bytes]]] = (deque(), deque())
        self.last_activity = 0
        self.late_ns = 0  # the worst lateness of a release, for the run's metrics
        self.lose: tuple[LossRule, ...] = ()  # the scenario's loss rules, set when its steps start
        self.counts: Counter[tuple[str, frozenset[str]]] = Counter()
        self.dropped = 0

    def drops(self, side: int, data: bytes) -> bool:
        """Whether a loss rule names this packet (counted per sender and exact flags, as the simulator counts)."""
        if not self.lose:
            return False
        pkt = parse_tcp(data, 0, True)
        if pkt is None:
            return False
        key = ("AB"[side], frozenset(pkt.flags))
        self.counts[key] += 1
        return any(r.matches(key[0], key[1], self.counts[key]) for r in self.lose)  # type: ignore[arg-type]

    def pull(self, side: int, now: int, sent_at: Callable[[bytes], int | None]) -> None:
        """Read everything side (0 = A, 1 = B) has sent; queue it for the other side.

        A packet is due `delay` after the kernel sent it (its capture time), not after the loop read it, so
        a stalled loop delays packets but never reorders them.
        """
        while True:
            try:
                data = os.read(self.fds[side], MAX_PACKET)
            except BlockingIOError:
                return
            if data and data[0] >> 4 == 4:  # IPv4 only; IPv6 is disabled in both namespaces anyway
                due = (sent_at(data) or now) + self.delay_ns  # read the capture first: a dropped packet is in it
                self.last_activity = now
                if self.drops(side, data):
                    self.dropped += 1
                    continue
                self.queues[side].append((due, data))

    def release_next(self, now: int) -> None:
        """Write the packet due first, whichever way it goes, into the other side."""
        dues = [(q[0][0], side) for side, q in enumerate(self.queues) if q]
        _due, side = min(dues)
        due, data = self.queues[side].popleft()
        self.late_ns = max(self.late_ns, now - due)
        os.write(self.fds[1 - side], data)
        self.last_activity = now

    def next_due(self) -> int | None:
        dues = [q[0][0] for q in self.queues if q]
        return min(dues) if dues else None

    def empty(self) -> bool:
        return not (self.queues[0] or self.queues[1])
