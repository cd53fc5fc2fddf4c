"""What the kernel says a socket's state is: a NETLINK_SOCK_DIAG dump (as `ss`) and TCP_INFO on an fd."""

from __future__ import annotations

import errno
import os
import socket
import struct
from dataclasses import dataclass

NETLINK_SOCK_DIAG = 4
SOCK_DIAG_BY_FAMILY = 20
NLM_F_REQUEST, NLM_F_DUMP = 0x1, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
TCP_INFO = 11
_REQ = struct.Struct("=IHHII BBBBI HH16s16sI8s")  # nlmsghdr + inet_diag_req_v2 (sockid in network order)
_MSG = struct.Struct("=BBBB HH16s16sI8s IIIII")  # inet_diag_msg
_HDR = struct.Struct("=IHHII")

# include/net/tcp_states.h, by number
KERNEL_STATES = {
    1: "TCP_ESTABLISHED", 2: "TCP_SYN_SENT", 3: "TCP_SYN_RECV", 4: "TCP_FIN_WAIT1", 5: "TCP_FIN_WAIT2",
    6: "TCP_TIME_WAIT", 7: "TCP_CLOSE", 8: "TCP_CLOSE_WAIT", 9: "TCP_LAST_ACK", 10: "TCP_LISTEN",
    11: "TCP_CLOSING", 12: "TCP_NEW_SYN_RECV",
}
TIMER_TIMEWAIT = 3
ALL_BUT_LISTEN = 0xFFFFFFFF & ~(1 << 10)  # skipping listeners skips the listening-hash walk


@dataclass(frozen=True)
class DiagSocket:
    """One socket of a sock_diag dump: kernel state name, endpoints, timer and whether an fd holds it."""

    state: str
    src: str
    sport: int
    dst: str
    dport: int
    timer: int
    expires_ms: int
    inode: int

    @property
    def kind(self) -> str:
        """`fd` (an application holds it), `tw-sock` (timewait minisock), `request` or `no-fd` (orphan)."""
        if self.timer == TIMER_TIMEWAIT and self.inode == 0 and self.state in ("TCP_TIME_WAIT", "TCP_FIN_WAIT2"):
            return "tw-sock"
        if self.state in ("TCP_SYN_RECV", "TCP_NEW_SYN_RECV") and self.inode == 0:
            return "request"
        return "fd" if self.inode else "no-fd"


class SockDiag:
    """A sock_diag netlink socket bound to the namespace it was created in; dump() lists its TCP sockets."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW | socket.SOCK_CLOEXEC, NETLINK_SOCK_DIAG)
        self.sock.bind((0, 0))
        self.seq = 0

    def close(self) -> None:
        self.sock.close()

    def dump(self) -> list[DiagSocket]:
        """Every TCP socket of the namespace but listeners (walks the kernel's whole connection table)."""
        return self._ask(NLM_F_REQUEST | NLM_F_DUMP, ALL_BUT_LISTEN, 0, 0, "0.0.0.0", "0.0.0.0")  # noqa: S104 - a filter, no bind

    def lookup(self, src: str, sport: int, dst: str, dport: int) -> DiagSocket | None:
        """The socket of one connection (full, request or timewait), found by a hash lookup; None if gone."""
        found = self._ask(NLM_F_REQUEST, 0xFFFFFFFF, sport, dport, src, dst)
        return found[0] if found and found[0].dport == dport else None

    def _ask(self, flags: int, states: int, sport: int, dport: int, src: str, dst: str) -> list[DiagSocket]:
        self.seq += 1
        req = _REQ.pack(
            _REQ.size, SOCK_DIAG_BY_FAMILY, flags, self.seq, 0, socket.AF_INET, socket.IPPROTO_TCP, 0, 0,
            states, socket.htons(sport), socket.htons(dport), socket.inet_aton(src), socket.inet_aton(dst),
            0, b"\xff" * 8,
        )
        self.sock.send(req)
        out: list[DiagSocket] = []
        while True:
            data = self.sock.recv(65536)
            off = 0
            while off + _HDR.size <= len(data):
                length, kind, _flags, seq, _pid = _HDR.unpack_from(data, off)
                if length < _HDR.size:
                    return out
                if seq == self.seq:
                    if kind == NLMSG_DONE:
                        return out
                    if kind == NLMSG_ERROR:
                        err = -struct.unpack_from("=i", data, off + _HDR.size)[0]
                        if err in (0, errno.ENOENT):
                            return out
                        raise OSError(err, f"sock_diag: {os.strerror(err)}")
                    if kind == SOCK_DIAG_BY_FAMILY:
                        out.append(_parse(data, off + _HDR.size))
                        if not flags & NLM_F_DUMP:
                            return out
                off += (length + 3) & ~3


def _parse(data: bytes, off: int) -> DiagSocket:
    _fam, state, timer, _retr, sport, dport, src, dst, _if, _cookie, expires, _rq, _wq, _uid, inode = (
        _MSG.unpack_from(data, off)
    )
    return DiagSocket(
        KERNEL_STATES.get(state, f"TCP_{state}"), socket.inet_ntoa(src[:4]), socket.ntohs(sport),
        socket.inet_ntoa(dst[:4]), socket.ntohs(dport), timer, expires, inode,
    )


def tcp_info_state(sock: socket.socket) -> str | None:
    """tcpi_state of an fd (the first byte of struct tcp_info), as a kernel state name; None once closed."""
    try:
        data = sock.getsockopt(socket.IPPROTO_TCP, TCP_INFO, 8)
    except OSError:
        return None
    return KERNEL_STATES.get(data[0], f"TCP_{data[0]}")


def tcp_info_rto_ms(sock: socket.socket) -> int | None:
    """tcpi_rto of an fd (struct tcp_info, the u32 at offset 8, in microseconds) in whole ms; None once closed."""
    try:
        data = sock.getsockopt(socket.IPPROTO_TCP, TCP_INFO, 12)
    except OSError:
        return None
    return round(struct.unpack_from("=I", data, 8)[0] / 1000) if len(data) >= 12 else None
