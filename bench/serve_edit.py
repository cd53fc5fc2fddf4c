"""Bench row helper: start `tcpdiagram serve`, change one label in the spec, time until the served page shows it.

The page is asked for as an open page's reload script asks: it waits on serve's version URL (answered the
moment a rebuild is served), then loads the page once. Polling the page itself every few milliseconds would
time serve while it answers a request every few milliseconds, which no browser sends."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from tcpdiagram.serve import LONG_POLL_SECONDS, VERSION_PATH

LABEL = "label: {zh: 监听, en: Listen}"  # LISTEN's label in spec/tcp.yaml
PAGE = "states/listen/"  # LISTEN's page in the default language (zh)
START_TIMEOUT = 300.0
EDIT_TIMEOUT = 120.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fetch(url: str, timeout: float = 5) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:  # noqa: S310 - our own local server
            return bytes(r.read()).decode("utf-8", "replace")
    except (urllib.error.URLError, OSError):
        return None


def wait_for(url: str, text: str | None, timeout: float, poll: float = 0.02) -> float:
    """Seconds until GET url answers (and contains `text`, when given)."""
    t = time.perf_counter()
    while time.perf_counter() - t < timeout:
        body = fetch(url)
        if body is not None and (text is None or text in body):
            return time.perf_counter() - t
        time.sleep(poll)
    raise SystemExit(f"bench: {url} did not show {text!r} within {timeout:.0f} s")


def reloaded(base: str, seen: str, text: str, timeout: float) -> float:
    """Seconds until the page, reloaded each time serve's version moves past `seen`, contains `text`."""
    t = time.perf_counter()
    while time.perf_counter() - t < timeout:
        now = fetch(f"{base.rstrip('/')}{VERSION_PATH}?seen={seen}", timeout=LONG_POLL_SECONDS + 5)
        if now is None:
            raise SystemExit(f"bench: {base} answers no version")
        body = fetch(base + PAGE)
        if body is not None and text in body:
            return time.perf_counter() - t
        seen = now
    raise SystemExit(f"bench: {base}{PAGE} did not show {text!r} within {timeout:.0f} s")


def edit_to_page_ms(tcpdiagram: str, proj: Path, out: Path, env: dict[str, str], runs: int) -> list[float]:
    """Start serve in `proj`, then `runs` times: rewrite LISTEN's Chinese label, time until the served page has it."""
    spec = proj / "spec" / "tcp.yaml"
    original = spec.read_text(encoding="utf-8")
    assert LABEL in original, "bench/serve_edit.py: LISTEN's label moved in spec/tcp.yaml"
    port = free_port()
    proc = subprocess.Popen([tcpdiagram, "serve", "--out", str(out), "--port", str(port)], cwd=proj, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/"
    times: list[float] = []
    try:
        wait_for(base + PAGE, None, START_TIMEOUT)
        for i in range(runs + 1):  # the first edit warms the serving process; not counted
            label = f"监听{i}号"
            time.sleep(1.0)  # the watcher has seen the previous state
            seen = fetch(base.rstrip("/") + VERSION_PATH) or ""
            t = time.perf_counter()
            spec.write_text(original.replace(LABEL, f"label: {{zh: {label}, en: Listen}}", 1), encoding="utf-8")
            reloaded(base, seen, label, EDIT_TIMEOUT)
            if i:
                times.append((time.perf_counter() - t) * 1000)
            time.sleep(0.5)  # conversions may still run: let them finish before the next edit
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        spec.write_text(original, encoding="utf-8")
    return times
