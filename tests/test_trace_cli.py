"""`tcpdiagram trace` as a user runs it: listing, picking, JSON, charts, bad input (one line, byte offset, exit 1)."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from capwriter import ACK, FIN, LINK_RAW, Flow, ipv4, pcap, pcapng, tcp

ROOT = Path(__file__).resolve().parent.parent
DNS = ROOT / "tests/data/captures/tcpdump/dns_tcp.pcap"
SVG = "{http://www.w3.org/2000/svg}"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tcpdiagram", "trace", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)


def test_listing_one_line_per_connection(tmp_path: Path) -> None:
    a = Flow().handshake().seg(20, "a", 1, 1, FIN | ACK).seg(21, "b", 1, 2, FIN | ACK).seg(22, "a", 2, 2, ACK)
    b = Flow(a=("192.0.2.9", 50000)).handshake(t=5)
    path = pcap(tmp_path / "two.pcap", sorted(a.frames + b.frames))
    r = run(str(path))
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split()[:3] == ["id", "endpoint", "A"]
    assert lines[1].split() == ["1", "192.0.2.1:40001", "198.51.100.1:80", "6", "0.022", "s", "SF", "TIME_WAIT", "CLOSED"]
    assert lines[2].split() == ["2", "192.0.2.9:50000", "198.51.100.1:80", "3", "0.010", "s", "S1", "ESTABLISHED",
                                "ESTABLISHED"]
    picked = run(str(path), "--port", "50000")
    assert picked.returncode == 0 and "192.0.2.9:50000 states: CLOSED → SYN_SENT → ESTABLISHED" in picked.stdout
    assert "192.0.2.1" not in picked.stdout


def test_json_shape(tmp_path: Path) -> None:
    f = Flow(a=("2001:db8::1", 40001), b=("2001:db8::2", 443)).handshake()
    r = run(str(f.write(tmp_path / "v6.pcap")), "--format", "json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert list(data) == ["capture", "frames", "tcp_segments", "skipped", "connections"]
    c = data["connections"][0]
    assert [e["addr"] for e in c["endpoints"]] == ["[2001:db8::1]:40001", "[2001:db8::2]:443"]
    assert [e["role"] for e in c["endpoints"]] == ["client", "server"]
    assert (c["conn_state"], c["history"]) == ("S1", "ShA")
    assert c["segments"][1] == {"frame": 2, "time": 0.005, "src": "[2001:db8::2]:443", "flags": ["SYN", "ACK"],
                                "seq": 0, "ack": 1, "len": 0, "win": 65535, "marks": []}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_chart_through_the_sequence_renderer(lang: str) -> None:
    r = run(str(DNS), "--format", "svg", "--lang", lang)
    assert r.returncode == 0, r.stderr
    root = ET.fromstring(r.stdout)
    texts = [t.text or "" for t in root.iter(f"{SVG}text")]
    assert any("192.168.1.11:33779" in t for t in texts) and any("209.87.249.18:53" in t for t in texts)
    for state in ("SYN_SENT", "SYN_RCVD", "FIN_WAIT_2", "TIME_WAIT", "LAST_ACK", "CLOSE_WAIT"):
        assert state in texts
    assert "PSH,ACK seq=1 len=58 ack=1" in texts
    assert any(t.endswith("later") or t.endswith("后") for t in texts)  # the RTT waits are broken, as in scenarios


def test_chart_needs_one_connection(tmp_path: Path) -> None:
    path = pcap(tmp_path / "two.pcap", sorted(Flow().handshake().frames + Flow(a=("192.0.2.9", 5)).handshake().frames))
    r = run(str(path), "--format", "svg")
    assert r.returncode == 2 and "pick one with --conn N" in r.stderr
    assert run(str(path), "--format", "svg", "--conn", "2").returncode == 0


def bad_block(tmp_path: Path) -> Path:
    good = pcapng(tmp_path / "g.pcapng", [(LINK_RAW, None)], [(0, 0, ipv4("192.0.2.1", "198.51.100.1", tcp(1, 2, 0, 0, 2)))],
                  unknown_block=False)
    data = bytearray(good.read_bytes())
    shb = struct.unpack_from("<I", data, 4)[0]
    idb = struct.unpack_from("<I", data, shb + 4)[0]
    struct.pack_into("<I", data, shb + idb + 4, 13)  # the packet block's length: not a multiple of 4
    path = tmp_path / "bad.pcapng"
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("case, expect", [
    ("not_a_capture", "byte 0: not a pcap or pcapng capture"),
    ("truncated", "byte 96: truncated: the packet needs 40 bytes, the file ends after 10"),
    ("no_tcp", "byte 0: no TCP segments in 1 frames (1 × not TCP)"),
    ("unsupported", "byte 0: unsupported link type 147"),
    ("bad_block", "bad block length 13"),
    ("empty", "byte 0: not a capture: the file has 0 bytes"),
])
def test_bad_input_is_one_line_exit_1(tmp_path: Path, case: str, expect: str) -> None:
    syn = ipv4("192.0.2.1", "198.51.100.1", tcp(40001, 80, 0, 0, 2))
    if case == "not_a_capture":
        path = tmp_path / "x.pcap"
        path.write_text("hello, I am text\n")
    elif case == "truncated":
        path = pcap(tmp_path / "x.pcap", [(0, syn)])
        path.write_bytes(path.read_bytes() + struct.pack("<IIII", 0, 0, 40, 40) + syn[:10])
    elif case == "no_tcp":
        path = pcap(tmp_path / "x.pcap", [(0, ipv4("192.0.2.1", "198.51.100.1", b"udp", proto=17))])
    elif case == "unsupported":
        path = pcap(tmp_path / "x.pcap", [(0, syn)], linktype=147)
    elif case == "bad_block":
        path = bad_block(tmp_path)
    else:
        path = tmp_path / "x.pcap"
        path.write_bytes(b"")
    r = run(str(path))
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr, r.stderr
    assert expect in r.stderr, r.stderr
    assert r.stderr.startswith(f"error: {path}: byte ")


def test_missing_file_is_exit_3(tmp_path: Path) -> None:
    r = run(str(tmp_path / "nope.pcap"))
    assert r.returncode == 3 and "Traceback" not in r.stderr


@pytest.mark.parametrize("capture", [DNS, ROOT / "tests/data/captures/zeek/retransmit-timeout.pcapng", "generated"])
def test_a_capture_read_from_a_pipe_is_the_file_read(capture: Path | str, tmp_path: Path) -> None:
    """`… | tcpdiagram trace /dev/stdin`: the pipe is read in steps (capture/source.py) and gives the file's
    listing and JSON (but its name); the generated capture is 1.5 MB, many times what one read of a pipe holds."""
    if capture == "generated":
        capture = tmp_path / "generated.pcap"
        subprocess.run([sys.executable, str(ROOT / "bench" / "gen_capture.py"), str(capture), "2500"], check=True,
                       capture_output=True)
    assert isinstance(capture, Path)
    cmd = [sys.executable, "-m", "tcpdiagram", "trace"]
    for fmt in ("text", "json"):
        whole = subprocess.run([*cmd, str(capture), "-f", fmt], capture_output=True, check=True).stdout
        piped = subprocess.run([*cmd, "/dev/stdin", "-f", fmt], input=capture.read_bytes(), capture_output=True,
                               check=True).stdout  # input=: stdin is a pipe
        if fmt == "json":
            whole = whole.replace(f'"capture": "{capture.name}"'.encode(), b'"capture": "stdin"', 1)
        assert piped == whole
