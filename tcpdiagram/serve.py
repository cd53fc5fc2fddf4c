"""`tcpdiagram serve`: build, serve OUT/site on 127.0.0.1, rebuild and reload the browser on changes."""

from __future__ import annotations

import errno
import html
import os
import sys
import threading
import time
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from .errors import SpecError, TcpDiagramError, UsageError

if TYPE_CHECKING:
    from .site.late import Late

VERSION_PATH = "/__tcpdiagram__/version"
POLL_SECONDS = 0.05  # how often the sources are looked at (a look is a few stat calls: ~1 ms)
SETTLE_SECONDS = 0.05  # then how long an editor may take to finish saving: a rebuild starts 0.05–0.1 s after it
LONG_POLL_SECONDS = 25.0  # a version request waits this long for a new build before answering the same number
# Served pages only (never written to disk): ask for the build number; the server answers when it moves (or after
# LONG_POLL_SECONDS), and the page reloads as soon as it has moved.
RELOAD_SCRIPT = (
    "<script>(function(){var seen=null;function poll(){fetch('" + VERSION_PATH + "'+(seen===null?'':'?seen='+seen),"
    "{cache:'no-store'}).then(function(r){return r.text()}).then(function(v){if(seen===null||v===seen){seen=v;poll()}"
    "else{location.reload()}}).catch(function(){setTimeout(poll,1000)})}poll()})();</script>"
).encode("ascii")


# A failed rebuild, over every served page until a rebuild succeeds (the text is escaped: it quotes the spec).
BANNER = ('<div id="tcpdiagram-rebuild-failed" role="alert" style="position:fixed;inset:auto 0 0 0;z-index:10000;'
          "max-height:40vh;overflow:auto;margin:0;padding:12px 16px;background:#b00020;color:#fff;"
          'font:13px/1.45 ui-monospace,monospace;white-space:pre-wrap">{}</div>')


class Version:
    """The number of builds, failed ones included (pages reload when it changes), and the last one's error."""

    def __init__(self) -> None:
        self.value = 1
        self.error: str | None = None
        self.lock = threading.Lock()
        self.moved = threading.Condition(self.lock)

    def bump(self, error: str | None = None) -> None:
        with self.lock:
            self.value += 1
            self.error = error
            self.moved.notify_all()

    def after(self, seen: str, timeout: float) -> int:
        """The build number once it is no longer `seen` (at most `timeout` seconds later)."""
        with self.lock:
            self.moved.wait_for(lambda: str(self.value) != seen, timeout)
            return self.value


def page(html_bytes: bytes, error: str | None) -> bytes:
    """A served page: the reload script, and the banner of a failed rebuild, before `</body>`."""
    extra = RELOAD_SCRIPT
    if error is not None:
        text = f"tcpdiagram: the rebuild failed; this page is from the previous build.\n\n{error}"
        extra = BANNER.format(html.escape(text)).encode("utf-8") + extra
    at = html_bytes.rfind(b"</body>")
    return html_bytes[:at] + extra + html_bytes[at:] if at >= 0 else html_bytes + extra


class Handler(SimpleHTTPRequestHandler):
    """Static files of the built site, with the reload script (and a failed rebuild's banner) in HTML pages.

    HEAD answers exactly what GET would send, without the body; a path the file system cannot hold (a NUL,
    bytes that are not UTF-8) gets 400, never a traceback."""

    version: Version

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._respond(head=False)

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
        self._respond(head=True)

    def _respond(self, head: bool) -> None:
        route = self.path.split("?", 1)[0].split("#", 1)[0]
        if route == VERSION_PATH:
            query = parse_qs(urlsplit(self.path).query)
            seen = query.get("seen", [""])[0]
            value = self.version.after(seen, LONG_POLL_SECONDS) if seen else self.version.value
            self._send(str(value).encode("ascii"), "text/plain", head)
            return
        try:
            local = self.translate_path(self.path)
            if "\0" in local:
                raise ValueError("NUL in the path")
            local.encode("utf-8")  # surrogates from undecodable %-escapes
            path = Path(local)
            if path.is_dir() and route.endswith("/"):
                path = path / "index.html"
            served = path.suffix == ".html" and path.is_file()
        except (ValueError, UnicodeError):
            self.send_error(HTTPStatus.BAD_REQUEST, "bad path")
            return
        except OSError:  # a name too long for the file system, and the like
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        if served:
            with self.version.lock:
                error = self.version.error
            self._send(page(path.read_bytes(), error), "text/html; charset=utf-8", head)
        elif head:
            super().do_HEAD()
        else:
            super().do_GET()

    def _send(self, body: bytes, kind: str, head: bool = False) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
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


class Server(ThreadingHTTPServer):
    """One line, not a traceback, for a request that failed; none for a browser that hung up."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if not isinstance(error, ConnectionError):
            sys.stderr.write(f"serve: a request from {client_address[0]} failed: {error!r}\n")


PORT_MAX = 65535


def bind(port: int, handler: type[Handler], site: Path) -> Server:
    """The listening socket, made before any build: a port in use is said at once."""
    if not 0 <= port <= PORT_MAX:
        raise UsageError(f"--port {port} is not a port: use 1..{PORT_MAX} (0: any free port)")
    try:
        return Server(("127.0.0.1", port), partial(handler, directory=os.fspath(site)))
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            raise UsageError(f"port {port} on 127.0.0.1 is in use; choose another with --port (0: any free port)") from e
        if e.errno == errno.EACCES:
            raise UsageError(f"port {port} needs privileges; choose one above 1023 with --port") from e
        raise


def serve(spec_arg: Path | None, out: Path = Path("build"), port: int = 8000) -> None:
    """Serve until Ctrl-C or SIGTERM (errors.Terminated propagates: the CLI exits 130 or 143)."""
    from .pipeline import build, site_source
    from .specfile import resolve_spec
    from .site.late import Late
    from .site.memo import PageMemo
    from .stamp import linux_record

    from . import convert_pool

    watched = [resolve_spec(spec_arg), linux_record(spec_arg), site_source()]
    version = Version()
    handler = type("BoundHandler", (Handler,), {"version": version})
    httpd = bind(port, handler, out / "site")
    convert_pool.background()  # the PNG/PDF converters take only the CPU the pages leave
    swap = threading.Lock()  # a build's swap and a late file are never at once
    memo = PageMemo()  # MkDocs' work on the pages an edit did not change, kept from one rebuild to the next
    late = Late(swap, memo.files.written)  # pages first: the PNG/PDF still converting fill in after each swap
    before = snapshot(watched)  # before the first build reads them: an edit made from now on is a rebuild
    try:
        build(spec_arg, out=out, late=late, memo=memo)
    except TcpDiagramError as e:
        if not (out / "site").is_dir():
            httpd.server_close()
            raise
        version.error = _failed(e)  # an earlier build is there: serve it, with the error over it
    url = f"http://127.0.0.1:{httpd.server_address[1]}/"
    finisher: threading.Thread | None = None
    try:  # from here on a signal (errors.Terminated) always passes through the `finally` below
        thread = threading.Thread(target=httpd.serve_forever, name="tcpdiagram-http", daemon=True)
        thread.start()
        finisher = _finishing(late, out, version)
        sys.stderr.write(f"serving {url} (Ctrl-C to stop); watching {', '.join(map(str, watched))}\n")
        while True:
            time.sleep(POLL_SECONDS)
            now = snapshot(watched)
            if now == before:
                continue
            late.cancel()  # that build's PNG/PDF are stale: stop writing them (the rebuild makes its own)
            time.sleep(SETTLE_SECONDS)  # let an editor finish saving
            before = snapshot(watched)
            late = Late(swap, memo.files.written)
            try:
                build(spec_arg, out=out, late=late, memo=memo)
            except Exception as e:  # noqa: BLE001 - serving goes on whatever a rebuild met; the page says it
                version.bump(_failed(e))
                continue
            finally:
                finisher.join()
            version.bump()
            finisher = _finishing(late, out, version)
    finally:
        late.cancel()
        if finisher is not None:
            finisher.join(timeout=30)  # at most the conversion under way: nothing may write once we are gone
        httpd.shutdown()
        httpd.server_close()


def _finishing(late: Late, out: Path, version: Version) -> threading.Thread:
    """_finish in a thread of its own: serve goes on watching the sources meanwhile."""
    thread = threading.Thread(target=_finish, args=(late, out, version), name="tcpdiagram-late", daemon=True)
    thread.start()
    return thread


def _finish(late: Late, out: Path, version: Version) -> None:
    """Fill in the PNG/PDF a rebuild left converting (its pages are already served); a failure is shown."""
    try:
        late.finish(out)
    except Exception as e:  # noqa: BLE001 - serving goes on; the page says it
        if not late.cancelled.is_set():  # a rebuild, or the end of serve, stopped it: nothing to say
            version.bump(_failed(e))


def _failed(e: Exception) -> str:
    """Say on the terminal that a rebuild failed; return the text for the banner."""
    if isinstance(e, SpecError):
        text = "\n".join([*map(str, e.issues), f"{e.total} problem{'s' if e.total != 1 else ''} found"])
    elif isinstance(e, TcpDiagramError):
        text = f"error: {e}"
    elif isinstance(e, OSError):
        text = f"error: {e.strerror or e}" + (f": {e.filename}" if e.filename else "")
    else:
        text = f"internal error ({type(e).__name__}: {e}): a bug in tcpdiagram, please report it"
    sys.stderr.write(f"rebuild failed; still serving the previous build:\n{text}\n")
    return text
