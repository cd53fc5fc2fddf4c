"""The command line as a user runs it: exit codes, check/export/schema output, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tcpdiagram.schema import json_schema

if TYPE_CHECKING:
    from conftest import Cli

ROOT = Path(__file__).resolve().parent.parent

# The 20 edges of RFC 9293 Figure 5 (event and action wording as printed) and the edge of its Note 2.
FIGURE5 = {
    ("CLOSED", "LISTEN", "passive OPEN", ("create TCB",)),
    ("CLOSED", "SYN_SENT", "active OPEN", ("create TCB", "snd SYN")),
    ("LISTEN", "CLOSED", "CLOSE", ("delete TCB",)),
    ("LISTEN", "SYN_RCVD", "rcv SYN", ("snd SYN,ACK",)),
    ("LISTEN", "SYN_SENT", "SEND", ("snd SYN",)),
    ("SYN_SENT", "CLOSED", "CLOSE", ("delete TCB",)),
    ("SYN_SENT", "SYN_RCVD", "rcv SYN", ("snd SYN,ACK",)),
    ("SYN_SENT", "ESTABLISHED", "rcv SYN,ACK", ("snd ACK",)),
    ("SYN_RCVD", "LISTEN", "rcv RST", ()),
    ("SYN_RCVD", "ESTABLISHED", "rcv ACK of SYN", ()),
    ("SYN_RCVD", "FIN_WAIT_1", "CLOSE", ("snd FIN",)),
    ("ESTABLISHED", "FIN_WAIT_1", "CLOSE", ("snd FIN",)),
    ("ESTABLISHED", "CLOSE_WAIT", "rcv FIN", ("snd ACK",)),
    ("FIN_WAIT_1", "FIN_WAIT_2", "rcv ACK of FIN", ()),
    ("FIN_WAIT_1", "CLOSING", "rcv FIN", ("snd ACK",)),
    ("FIN_WAIT_2", "TIME_WAIT", "rcv FIN", ("snd ACK",)),
    ("CLOSING", "TIME_WAIT", "rcv ACK of FIN", ()),
    ("CLOSE_WAIT", "LAST_ACK", "CLOSE", ("snd FIN",)),
    ("LAST_ACK", "CLOSED", "rcv ACK of FIN", ()),
    ("TIME_WAIT", "CLOSED", "Timeout=2MSL", ("delete TCB",)),
}


def test_check_bundled_spec(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    rc, out, err = cli(["check"])
    assert (rc, err) == (0, "")
    assert out.startswith("spec/tcp.yaml: ok: 11 states,")


def test_version_and_usage_codes(cli: Cli) -> None:
    rc, out, _ = cli(["--version"])
    assert (rc, out) == (0, "tcpdiagram 0.1.0\n")
    rc, _, err = cli([])
    assert rc == 2 and "Usage" in err
    rc, _, err = cli(["check", "--bogus"])
    assert rc == 2 and "No such option" in err and "--bogus" in err
    rc, _, err = cli(["check", "--spec", "no/such/spec.yaml"])
    assert (rc, err) == (3, "error: no/such/spec.yaml: cannot read the spec: No such file or directory\n")


SPEC_COMMANDS = [["check"], ["export"], ["simulate", "normal_close"], ["render", "state", "-f", "dot"],
                 ["render", "scenario", "normal_close"], ["build", "--out", "o"], ["serve"], ["verify"]]


@pytest.mark.parametrize("command", SPEC_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_every_command_takes_spec_the_same_way(command: list[str], cli: Cli, monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    """`--spec FILE` everywhere; a missing spec is exit 3 (file I/O) with the same message for every command."""
    monkeypatch.chdir(tmp_path)
    rc, out, err = cli([*command, "--spec", "nope.yaml"])
    assert (rc, out) == (3, ""), err
    assert "nope.yaml: cannot read the spec: No such file or directory" in err and "Traceback" not in err


@pytest.mark.parametrize("command", [c for c in SPEC_COMMANDS if c[0] != "verify"], ids=lambda c: " ".join(c[:2]))
def test_a_positional_spec_still_works_with_a_hint(command: list[str], cli: Cli, monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    rc, _, err = cli([*command, "nope.yaml"])
    assert rc == 3 and "warning: a positional spec is deprecated; write `tcpdiagram " in err, err
    assert "--spec nope.yaml`" in err
    rc, _, err = cli([*command, "--spec", "a.yaml", "b.yaml"])
    assert rc == 2 and "give the spec once" in err


def test_export_json_has_every_figure5_edge_and_note2(cli: Cli,
                                                       monkeypatch: pytest.MonkeyPatch, golden) -> None:
    monkeypatch.chdir(ROOT)
    rc, out, _ = cli(["export", "--format", "json"])
    assert rc == 0
    golden.check("export.json", out)
    data = json.loads(out)
    events = {e["id"]: e for e in data["events"]}
    actions = {a["id"]: a for a in data["actions"]}
    figure = {
        (t["from"], t["to"], events[t["event"]]["rfc"], tuple(actions[a]["rfc"] for a in t["actions"]))
        for t in data["transitions"] if t["layer"] == "figure"
    }
    assert figure == FIGURE5
    note2 = [t for t in data["transitions"] if t["layer"] == "note"]
    assert [(t["from"], t["event"], t["to"], t["actions"]) for t in note2] == [
        ("FIN_WAIT_1", "rcv_fin_ack_of_fin", "TIME_WAIT", ["snd_ack"])
    ]
    assert "rfc9293:note2" in note2[0]["cite"]
    assert all(t["cite"] for t in data["transitions"])
    assert {s["id"] for s in data["states"]} == {
        "CLOSED", "LISTEN", "SYN_SENT", "SYN_RCVD", "ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2",
        "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT",
    }


def test_schema_command_matches_committed_file(cli: Cli) -> None:
    rc, out, _ = cli(["schema"])
    assert rc == 0
    assert json.loads(out) == json_schema()
    committed = (ROOT / "tcpdiagram" / "data" / "spec.schema.json").read_text(encoding="utf-8")
    assert out == committed, "run: tcpdiagram schema > tcpdiagram/data/spec.schema.json"
    assert (ROOT / "spec" / "tcp.yaml").read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=../tcpdiagram/data/spec.schema.json\n"
    )


def test_python_dash_m_and_console_script_give_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("meta: [\n", encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "tcpdiagram", "check", "--spec", str(bad)], capture_output=True, text=True)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    assert r.stderr.startswith(f"{bad}:2:1: YAML syntax error")


def test_wheel_ships_the_spec_and_checks_in_an_empty_folder(tmp_path: Path) -> None:
    """`pip install .` then `tcpdiagram check` in an empty folder uses the spec inside the wheel."""
    wheels = tmp_path / "wheels"
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                        "-w", str(wheels), str(ROOT)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    (wheel,) = wheels.glob("tcpdiagram-*.whl")
    import zipfile

    site = tmp_path / "site-packages"
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        assert "tcpdiagram/data/bundled/spec/tcp.yaml" in names
        assert "tcpdiagram/data/bundled/spec/linux-record.json" in names
        assert "tcpdiagram/data/bundled/site/mkdocs.yml" in names
        assert "tcpdiagram/data/spec.schema.json" in names
        z.extractall(site)
    empty = tmp_path / "empty"
    empty.mkdir()
    r = subprocess.run([sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]); "
                        "sys.argv = ['tcpdiagram', 'check']; from tcpdiagram.entry import main; main()", str(site)],
                       cwd=empty, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "tcpdiagram/data/bundled/spec/tcp.yaml: ok: 11 states" in r.stdout


def test_output_files_get_the_usual_mode(tmp_path: Path) -> None:
    import os

    from tcpdiagram.fsutil import write_atomic

    target = tmp_path / "x" / "out.svg"
    old = os.umask(0o022)
    try:
        write_atomic(target, b"<svg/>")
    finally:
        os.umask(old)
    assert target.read_bytes() == b"<svg/>"
    assert target.stat().st_mode & 0o777 == 0o644
    assert [p.name for p in target.parent.iterdir()] == ["out.svg"]


def test_an_unwritable_output_is_exit_3_without_traceback(cli: Cli, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.chdir(ROOT)
    rc, _, err = cli(["render", "state", "-o", str(blocker / "x.svg")])
    assert rc == 3
    assert err.startswith("error: cannot access") and "Traceback" not in err
