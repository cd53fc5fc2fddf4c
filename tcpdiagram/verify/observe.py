"""What one run saw: each peer's state over time (sock_diag first, else TCP_INFO) and the segments on the wire."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from typing import Any

from ..model import Spec
from .diag import DiagSocket, SockDiag, tcp_info_state
from .wire import Packet

Json = dict[str, Any]
RESTART_JUMP_MS = 200  # a TIME_WAIT timer that reads this much more than a poll before was restarted


def kernel_names(spec: Spec) -> dict[str, str]:
    """Kernel state name → spec state id, from the spec's `linux` naming profile (TCP_NEW_SYN_RECV = SYN_RECV)."""
    table = {s.names.linux: s.id for s in spec.states}
    if "TCP_SYN_RECV" in table:
        table["TCP_NEW_SYN_RECV"] = table["TCP_SYN_RECV"]
    return table


@dataclass
class PeerObserver:
    """One endpoint of the connection: its app's fds, and the state timeline polled every millisecond."""

    peer: str
    diag: SockDiag
    local: tuple[str, int]
    remote: tuple[str, int]
    names: dict[str, str]
    listener: socket.socket | None = None
    conn: socket.socket | None = None
    timeline: list[tuple[int, str, str]] = field(default_factory=list)  # (ns, spec state, seen by)
    info_timeline: list[tuple[int, str]] = field(default_factory=list)  # TCP_INFO alone, while an fd is open
    time_wait_timer_ms: int | None = None
    time_wait_restarts: int = 0  # times the TIME_WAIT timer jumped back up (a retransmitted FIN restarted it)
    _last_expires: int | None = None

    def observe(self, now: int) -> None:
        found = self.diag.lookup(*self.local, *self.remote)
        info = tcp_info_state(self.conn) if self.conn is not None else None
        if info is not None and (not self.info_timeline or self.info_timeline[-1][1] != self._name(info)):
            self.info_timeline.append((now, self._name(info)))
        if found is not None:
            kernel, via = found.state, f"sock_diag:{found.kind}"
            if kernel == "TCP_TIME_WAIT" and self.time_wait_timer_ms is None:
                self.time_wait_timer_ms = found.expires_ms
            if kernel == "TCP_TIME_WAIT" and found.expires_ms is not None:
                if self._last_expires is not None and found.expires_ms > self._last_expires + RESTART_JUMP_MS:
                    self.time_wait_restarts += 1
                self._last_expires = found.expires_ms
        elif info is not None:
            kernel, via = info, "tcp_info"
        elif self.listener is not None and tcp_info_state(self.listener) == "TCP_LISTEN":
            kernel, via = "TCP_LISTEN", "tcp_info:listener"
        else:
            kernel, via = "TCP_CLOSE", "none"
        state = self._name(kernel)
        if not self.timeline or self.timeline[-1][1:] != (state, via):
            self.timeline.append((now, state, via))

    def _name(self, kernel: str) -> str:
        return self.names.get(kernel, kernel)

    def last_change(self) -> int:
        return self.timeline[-1][0] if self.timeline else 0




def ms(ns: int, t0: int) -> int:
    return round((ns - t0) / 1_000_000)


def states_json(obs: PeerObserver, t0: int) -> Json:
    """The peer's timeline from t0 on (the state at t0 first), in trace form plus times and observers."""
    before = [c for c in obs.timeline if c[0] <= t0]
    changes = before[-1:] + [c for c in obs.timeline if c[0] > t0]
    timeline: list[Json] = [{"t": max(0, ms(t, t0)), "state": s, "via": v} for t, s, v in changes]
    info = [c for c in obs.info_timeline if c[0] > t0]
    states: list[str] = []
    for _t, s, _v in changes:
        if not states or states[-1] != s:
            states.append(s)
    out: Json = {
        "states": states,
        "timeline": timeline,
        "tcp_info": [{"t": ms(t, t0), "state": s} for t, s in info],
    }
    if obs.time_wait_timer_ms is not None:
        out["time_wait_timer_ms"] = obs.time_wait_timer_ms
        out["time_wait_restarts"] = obs.time_wait_restarts
    return out


def sockets_json(found: list[DiagSocket], names: dict[str, str]) -> list[Json]:
    """A sock_diag dump as `ss -tan` would list it: state, what holds the socket, its timer (ms left)."""
    rows = [{"state": names.get(d.state, d.state), "kernel": d.state, "kind": d.kind,
             "timer_ms": d.expires_ms if d.timer else None} for d in found]
    return sorted(rows, key=lambda r: (r["state"], r["kind"]))


def segments_json(packets: dict[str, list[Packet]], addr: dict[str, str], t0: int) -> list[Json]:
    """Every segment sent from t0 on: direction, flags, relative seq/ack, send and arrival times (ms)."""
    peer_of = {a: p for p, a in addr.items()}
    isn: dict[str, int] = {}
    for p in ("A", "B"):
        for k in packets[p]:
            if k.outgoing and "SYN" in k.flags and p not in isn:
                isn[p] = k.seq
    out: list[tuple[int, str, Json]] = []
    for p in ("A", "B"):
        other = "B" if p == "A" else "A"
        arrivals = [k for k in packets[other] if not k.outgoing and k.src == addr[p]]
        for k in packets[p]:
            if not k.outgoing or k.dst not in peer_of or k.t < t0:
                continue
            got = next((i for i, a in enumerate(arrivals) if a.raw == k.raw), None)
            received = ms(arrivals.pop(got).t, t0) if got is not None else None
            out.append((k.t, p, {
                "src": p, "dst": other, "flags": list(k.flags),
                "seq": (k.seq - isn[p]) % 2**32 if p in isn else k.seq,
                "ack": None if "ACK" not in k.flags else (k.ack - isn[other]) % 2**32 if other in isn else k.ack,
                "len": k.length, "sent": ms(k.t, t0), "received": received,
            }))
    out.sort(key=lambda x: (x[0], x[1]))
    return [seg for _t, _p, seg in out]
