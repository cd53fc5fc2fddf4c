"""`tcpdiagram serve`: build, serve OUT/site on 127.0.0.1, rebuild and reload the browser on changes."""

from __future__ import annotations

import os
import sys
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from .errors import TcpDiagramError

VERSION_PATH = "/__tcpdiagram__/version"
POLL_SECONDS = 0.5
# Served pages only (never written to disk): ask for the build number every second, reload when it moves.
RELOAD_SCRIPT = (
    "<script>(function(){var seen=null;function poll(){fetch('" + VERSION_PATH + "',{cache:'no-store'})"
    ".then(function(r){return r.text()}).then(function(v){if(seen===null){seen=v}else if(v!==seen){location.reload()}})"
    ".catch(function(){}).then(function(){setTimeout(poll,1000)})}poll()})();</script>"
).encode("ascii")


class Version:
    """The number of successful builds; pages reload when it changes."""

    def __init__(self) -> None:
        self.value = 1
        self.lock = threading.Lock()

    def bump(self) -> None:
        with self.lock:
            self.value += 1


class Handler(SimpleHTTPRequestHandler):
    """Static files of the built site, with the reload script added to HTML pages."""

    version: Version

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self.path.split("?", 1)[0] == VERSION_PATH:
            self._send(str(self.version.value).encode("ascii"), "text/plain")
            return
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?", 1)[0].endswith("/"):
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            body = path.read_bytes()
            at = body.rfind(b"</body>")
            body = body[:at] + RELOAD_SCRIPT + body[at:] if at >= 0 else body + RELOAD_SCRIPT
            self._send(body, "text/html; charset=utf-8")
            return
        super().do_GET()

    def _send(self, body: bytes, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's signature
        pass


def snapshot(paths: list[Path]) -> tuple[tuple[str, int, int], ...]:
    """(path, mtime, size) of every file under the watched paths: any edit, addition or removal changes it.

    The build output is never among them: the pipeline refuses an --out inside the site sources."""
    seen: list[tuple[str, int, int]] = []
    for root in paths:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for f in files:
            try:
                st = f.stat()
            except OSError:
                continue
            seen.append((str(f), st.st_mtime_ns, st.st_size))
    return tuple(seen)


def serve(spec_arg: Path | None, out: Path = Path("build"), port: int = 8000) -> None:
    """Serve until Ctrl-C (KeyboardInterrupt propagates: the CLI exits 130)."""
    from .pipeline import build, site_source
    from .specfile import resolve_spec
    from .stamp import linux_record

    watched = [resolve_spec(spec_arg), linux_record(spec_arg), site_source()]
    build(spec_arg, out=out)
    version = Version()
    handler = type("BoundHandler", (Handler,), {"version": version})
    httpd = ThreadingHTTPServer(("127.0.0.1", port), partial(handler, directory=os.fspath(out / "site")))
    httpd.daemon_threads = True
    url = f"http://127.0.0.1:{httpd.server_address[1]}/"
    thread = threading.Thread(target=httpd.serve_forever, name="tcpdiagram-http", daemon=True)
    thread.start()
    sys.stderr.write(f"serving {url} (Ctrl-C to stop); watching {', '.join(map(str, watched))}\n")
    try:
        before = snapshot(watched)
        while True:
            time.sleep(POLL_SECONDS)
            now = snapshot(watched)
            if now == before:
                continue
            time.sleep(POLL_SECONDS)  # let an editor finish saving
            before = snapshot(watched)
            try:
                build(spec_arg, out=out)
            except TcpDiagramError as e:
                sys.stderr.write(f"rebuild failed; still serving the previous build:\n{e}\n")
                continue
            version.bump()
    finally:
        httpd.shutdown()
        httpd.server_close()
