"""The two applications of a scenario: real non-blocking sockets driven by the spec's steps, in one loop."""

from __future__ import annotations

import errno
import socket
import struct
from dataclasses import dataclass, field
from typing import Any

from ..model import Scenario, Spec, Step
from .diag import tcp_info_rto_ms, tcp_info_state
from .lab import ADDR, Lab, now_ns
from .observe import PeerObserver, kernel_names, ms, segments_json, sockets_json, states_json

PORT = {"A": 40001, "B": 40002}
MS = 1_000_000
QUIET_MS = 150  # the run ends when nothing moved for this long: > a delayed ACK (40 ms) + a one-way trip
AFTER_EOF_MS = 1  # a close meant to follow the peer's FIN waits for EOF, then at least this long
LIMIT_MS = 5000
DATA = b"hello"  # sent A -> B before a close scenario, so B's delayed-ACK timer is the 40 ms one


class ScenarioUnsupported(Exception):
    """The scenario uses an app event or start state that verify cannot drive."""


@dataclass
class App:
    """One peer's application: its sockets, what it has read, and the calls it made (with their results)."""

    peer: str
    lab: Lab
    obs: PeerObserver
    close_call: str
    calls: list[tuple[int, str, str, str]]
    connecting: bool = False
    eof_at: int | None = None
    received: bytes = b""
    reading: bool = True

    def call(self, now: int, call: str, result: str) -> None:
        self.calls.append((now, self.peer, call, result))

    def service(self, now: int) -> None:
        o = self.obs
        if o.listener is not None and o.conn is None:
            try:
                o.conn, _ = o.listener.accept()
                o.conn.setblocking(False)
                self.lab.sockets.append(o.conn)
                self.call(now, "accept()", "ok")
            except BlockingIOError:
                pass
        if o.conn is None:
            return
        if self.connecting:
            err = o.conn.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err or tcp_info_state(o.conn) == "TCP_ESTABLISHED":
                self.connecting, self.reading = False, not err
                self.call(now, "connect()", errno.errorcode.get(err, str(err)) if err else "ok")
        if self.reading and not self.connecting:
            try:
                data = o.conn.recv(4096)
            except BlockingIOError:
                return
            except OSError as e:
                self.reading = False
                self.call(now, "recv()", errno.errorcode.get(e.errno or 0, str(e)))
                return
            self.received += data
            if not data:
                self.reading, self.eof_at = False, now
                self.call(now, "recv()", "EOF")

    def do(self, event: str, now: int, step: Step | None = None) -> None:
        o = self.obs
        rto = tcp_info_rto_ms(o.conn) if o.conn is not None else None
        if rto is not None:  # the kernel's own RTO when the app acts: what a resend that follows will wait
            self.call(now, "tcp_info", f"rto={rto}")
        call = step.call if step is not None and step.call is not None else self.close_call
        if event == "passive_open":
            s = self.lab.socket(self.peer)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(o.local)
            s.listen(8)
            o.listener = s
            self.call(now, "listen()", "ok")
        elif event == "active_open":
            s = self.lab.socket(self.peer)
            s.bind(o.local)
            err = s.connect_ex(o.remote)
            o.conn, self.connecting = s, True
            self.call(now, "connect()", errno.errorcode.get(err, str(err)))
        elif event == "send" and o.conn is not None and step is not None and step.bytes:
            o.conn.send(b"d" * step.bytes)
            self.call(now, f"send({step.bytes} bytes)", "ok")
        elif event == "close" and o.conn is not None:
            if call == "shutdown":
                o.conn.shutdown(socket.SHUT_WR)
                self.call(now, "shutdown(SHUT_WR)", "ok")
            else:
                o.conn.close()
                o.conn = None
                self.call(now, "close()", "ok")
        elif event == "abort" and o.conn is not None:
            o.conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            o.conn.close()
            o.conn = None
            self.call(now, "close() with SO_LINGER {1, 0}", "ok")
        else:
            raise ScenarioUnsupported(f"verify cannot run app event {event!r} for peer {self.peer} here")


def after_eof(step: Step, sc: Scenario) -> bool:
    """A close scheduled after the other peer's FIN can have arrived is a passive close: it follows EOF."""
    return step.event == "close" and any(
        s.peer != step.peer and s.event == "close" and s.at + sc.delay <= step.at for s in sc.steps
    )


@dataclass
class Driver:
    """Runs one scenario in a lab: setup to the start states, then the steps; returns what it observed."""

    lab: Lab
    spec: Spec
    sc: Scenario
    close_call: str = "close"
    calls: list[tuple[int, str, str, str]] = field(default_factory=list)
    horizon_ms: int = 0  # the run lasts at least this long after its start (a retransmission wait is quiet)

    def __post_init__(self) -> None:
        names = kernel_names(self.spec)
        self.apps: dict[str, App] = {}
        for p in ("A", "B"):
            q = "B" if p == "A" else "A"
            obs = PeerObserver(p, self.lab.diag[p], (ADDR[p], PORT[p]), (ADDR[q], PORT[q]), names)
            self.apps[p] = App(p, self.lab, obs, self.close_call, self.calls)
            self.lab.observers.append(obs.observe)
        for rule in self.spec.linux_rules + self.sc.linux_rules:  # per-namespace sysctls the spec names
            if rule.sysctl is not None:
                peers, key, value = rule.sysctl
                for p in peers:
                    self.lab.ns[p].sysctl(key, value)
        starts = {self.sc.peer(p).start for p in ("A", "B")}
        if not starts <= {"CLOSED", "ESTABLISHED"} or len(starts) != 1:
            raise ScenarioUnsupported(f"verify can start both peers CLOSED or both ESTABLISHED, not {sorted(starts)}")

    def _service(self, now: int) -> None:
        for app in self.apps.values():
            app.service(now)

    def _quiet(self, now: int) -> bool:
        wire = self.lab.wire
        assert wire is not None
        last = max(wire.last_activity, *(a.obs.last_change() for a in self.apps.values()))
        return wire.empty() and now - last >= QUIET_MS * MS

    def setup(self) -> None:
        """Bring both peers to ESTABLISHED with 5 bytes A -> B read by B, then wait for a quiet wire."""
        a, b = self.apps["A"], self.apps["B"]
        t = now_ns()
        b.do("passive_open", t)
        a.do("active_open", t)

        def tick(now: int) -> None:
            self._service(now_ns())
            if b.obs.conn is not None and b.obs.listener is not None and not a.connecting:
                b.obs.listener.close()
                b.obs.listener = None
                assert a.obs.conn is not None
                a.obs.conn.send(DATA)

        self.lab.pump(lambda now: b.received == DATA and self._quiet(now), tick, LIMIT_MS)
        self.calls.clear()

    def run(self) -> dict[str, Any]:
        if self.sc.peer("A").start == "ESTABLISHED":
            self.setup()
        for p in ("A", "B"):
            self.apps[p].reading = self.sc.peer(p).reads  # a peer that does not read leaves data unread
        t0 = now_ns() + MS
        assert self.lab.wire is not None
        self.lab.wire.lose = self.sc.lose  # the loss rules count from the scenario's start, not the setup
        pending = sorted(self.sc.steps, key=lambda s: s.at)
        last_step = [t0]

        def tick(horizon: int) -> int | None:
            self._service(now_ns())
            while pending:
                step = pending[0]
                app = self.apps[step.peer]
                due = t0 + step.at * MS
                if after_eof(step, self.sc):
                    if app.eof_at is None:
                        return None
                    due = max(due, app.eof_at + AFTER_EOF_MS * MS)
                if horizon < due:
                    return due
                app.do(step.event, now_ns(), step)
                self.lab.observe()
                pending.pop(0)
                last_step[0] = now_ns()
            return None

        end = t0 + self.horizon_ms * MS
        self.lab.pump(lambda now: not pending and now >= end and now - last_step[0] >= QUIET_MS * MS
                      and self._quiet(now), tick, LIMIT_MS + max([s.at for s in self.sc.steps] + [self.horizon_ms]))
        return self.observed(t0)

    def observed(self, t0: int) -> dict[str, Any]:
        peers = {p: states_json(a.obs, t0) for p, a in self.apps.items()}
        calls = [{"t": ms(t, t0), "peer": p, "call": c, "result": r} for t, p, c, r in self.calls]
        wire = self.lab.wire
        assert wire is not None
        names = kernel_names(self.spec)
        return {
            "peers": peers,
            "segments": segments_json(self.lab.packets, ADDR, t0),
            "sockets_at_end": {p: sockets_json(self.lab.dump(p), names) for p in ("A", "B")},
            "calls": calls,
            "wire_late_ms": round(wire.late_ns / MS, 1),
        }
