"""`tcpdiagram serve` under hostile requests and broken edits: every request answered, HEAD equal to GET,
a failed rebuild shown over the page (escaped) while the last good build is served, bad and busy ports
refused before any build."""

from __future__ import annotations

import http.client
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import html5lib
import pytest

MINIMAL = (Path(__file__).resolve().parent / "data" / "minimal.yaml").read_text(encoding="utf-8")

pytestmark = pytest.mark.dot


class Served:
    def __init__(self, folder: Path, proc: subprocess.Popen[str], port: int, log: list[str]) -> None:
        self.folder, self.proc, self.port, self.log = folder, proc, port, log
        self.spec = folder / "spec.yaml"

    def request(self, method: str, path: str) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.putrequest(method, path, skip_accept_encoding=True)  # the path goes out byte for byte
            conn.endheaders()
            r = conn.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            conn.close()

    def version(self) -> str:
        return self.request("GET", "/__tcpdiagram__/version")[2].decode()

    def wait_version(self, old: str) -> str:
        for _ in range(600):  # a rebuild under load: up to a few minutes; no timing is asserted
            now = self.version()
            if now != old:
                return now
            time.sleep(0.3)
        raise AssertionError("no rebuild after an edit")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("serve")
    (folder / "spec.yaml").write_text(MINIMAL, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "tcpdiagram", "serve", "--spec", "spec.yaml", "--out", "out", "--port", "0"],
                            cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    log: list[str] = []
    port = 0
    for line in proc.stderr:
        log.append(line)
        if m := re.search(r"serving http://127\.0\.0\.1:(\d+)/", line):
            port = int(m.group(1))
            break
    assert port, "serve never said where it serves"
    reader = threading.Thread(target=lambda: log.extend(proc.stderr or ()), daemon=True)  # keep the pipe drained
    reader.start()
    yield Served(folder, proc, port, log)
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 143
    reader.join(timeout=30)
    proc.stderr.close()
    assert not [x for x in log if "Traceback" in x], "".join(log)


HOSTILE_PATHS = ["/%00", "/index.html%00.txt", "/%ff", "/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd",
                 "/..%2f..%2f..%2fetc%2fpasswd", "/" + "a" * 5000, "/en/%00/", "/?%00", "/%"]


def test_every_hostile_path_gets_an_answer(served: Served) -> None:
    for path in HOSTILE_PATHS:
        status, _, body = served.request("GET", path)
        assert status in (200, 400, 404), (path, status)
        assert b"root:" not in body
    assert served.proc.poll() is None


def test_head_says_what_get_sends(served: Served) -> None:
    for path in ("/", "/en/", "/states/listen/", "/en/overview/", "/search/search_index.json", "/__tcpdiagram__/version"):
        got, got_headers, body = served.request("GET", path)
        head, head_headers, nothing = served.request("HEAD", path)
        assert (got, head) == (200, 200) and nothing == b""
        assert head_headers["content-length"] == got_headers["content-length"] == str(len(body)), path
        assert head_headers["content-type"] == got_headers["content-type"]


def test_a_failed_rebuild_shows_over_the_last_good_site_escaped(served: Served) -> None:
    good = served.request("GET", "/en/states/listen/")[2]
    v = served.version()
    broken = MINIMAL.replace("label: {zh: 监听, en: Listen}", 'label: {zh: 监听, en: "<script>alert(1)</script>"}')
    broken = broken.replace("to: LISTEN,", "to: LISTNE,")
    served.spec.write_text(broken, encoding="utf-8")
    v = served.wait_version(v)
    status, _, body = served.request("GET", "/en/states/listen/")
    assert status == 200
    doc = html5lib.parse(body, namespaceHTMLElements=False)
    [banner] = [e for e in doc.iter("div") if e.get("id") == "tcpdiagram-rebuild-failed"]
    text = "".join(banner.itertext())
    assert "the rebuild failed" in text and "unknown state 'LISTNE'" in text and "1 problem found" in text
    assert not [e for e in doc.iter("script") if "alert(1)" in "".join(e.itertext())]
    assert body.replace(body[body.find(b'<div id="tcpdiagram-rebuild-failed"'):body.find(b"<script>(function")], b"") \
        == good, "the previous build is what is served"
    served.spec.write_text(MINIMAL.replace("network: {delay: 50}", "network: {delay: " + "9" * 5000 + "}"), "utf-8")
    v = served.wait_version(v)
    assert b"out of range" in served.request("GET", "/")[2] and served.proc.poll() is None
    served.spec.write_text(MINIMAL.replace("Waits for a SYN.", "Waits for a SYN (edited)."), encoding="utf-8")
    served.wait_version(v)
    fixed = served.request("GET", "/en/states/listen/")[2]
    assert b"tcpdiagram-rebuild-failed" not in fixed and b"Waits for a SYN (edited)." in fixed


def test_a_waiting_reload_request_answers_when_the_rebuild_is_served(served: Served) -> None:
    """The page's reload script asks `version?seen=N`; the answer waits for the next build, then the new page."""
    page = served.request("GET", "/en/states/listen/")[2]
    assert b"?seen=" in page and b"location.reload()" in page
    v = served.version()
    assert served.request("GET", f"/__tcpdiagram__/version?seen={int(v) + 1000}")[2].decode() == v  # not seen: now
    answer: list[str] = []
    waiting = threading.Thread(target=lambda: answer.append(served.request("GET", f"/__tcpdiagram__/version?seen={v}")[2]
                                                            .decode()))
    waiting.start()
    time.sleep(0.5)
    assert answer == [], "answered before any rebuild"
    served.spec.write_text(MINIMAL.replace("Waits for a SYN.", "Waits for a SYN (reloaded)."), encoding="utf-8")
    waiting.join(timeout=600)
    assert answer and answer[0] != v
    assert b"Waits for a SYN (reloaded)." in served.request("GET", "/en/states/listen/")[2]


@pytest.mark.parametrize("port", ["70000", "-1", "65536", "http"])
def test_a_port_that_is_no_port_is_a_usage_error(tmp_path: Path, port: str) -> None:
    done = subprocess.run([sys.executable, "-m", "tcpdiagram", "serve", f"--port={port}", "--out", "out"],
                          cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 2 and "Traceback" not in done.stderr and "--port" in done.stderr
    assert not (tmp_path / "out").exists()


def test_a_port_in_use_is_said_before_any_build(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        (tmp_path / "spec.yaml").write_text(MINIMAL, encoding="utf-8")
        done = subprocess.run([sys.executable, "-m", "tcpdiagram", "serve", "--spec", "spec.yaml", "--out", "out",
                               "--port", str(port)], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 2, done.stderr
    assert done.stderr == f"error: port {port} on 127.0.0.1 is in use; choose another with --port (0: any free port)\n"
    assert not (tmp_path / "out").exists(), "it built before it found the port taken"
