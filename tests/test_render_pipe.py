"""`render state`'s pipeline (dot started first, simulations while it lays out) and the quick paths of the spec
checks answer exactly as the step-by-step code: same SVGs, same errors."""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tcpdiagram import textcheck, yamlsource
from tcpdiagram.cache import fingerprint
from tcpdiagram.errors import SpecError, ToolFailed
from tcpdiagram.render.dot_run import DotPipe, dot_version, run_dot
from tcpdiagram.render.state import render_state
from tcpdiagram.render.state_pipe import render_state_piped
from tcpdiagram.specfile import load_checked

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "spec" / "tcp.yaml"
BAD = ROOT / "tests" / "bad_specs"


def test_quick_text_check_never_hides_a_character() -> None:
    """textcheck.problem's whole-string test passes only strings the per-character rules pass: every code point."""
    for cp in range(sys.maxunicode + 1):
        ch = chr(cp)
        if textcheck.kind_of(ch) is not None:
            assert textcheck.problem(f"ok {ch} ok") is not None, hex(cp)
    assert textcheck.problem("SYN_RCVD 同步已接收\n第二行") is None
    assert textcheck.problem("a\u200bb") == "invisible character U+200B is not allowed"


def test_quick_prescan_never_skips_a_finding() -> None:
    """The whole-text searches fire whenever the line scan would find something (CR, LF and CR LF lines)."""
    rng = random.Random(17)  # noqa: S311 - a fixed seed, for test inputs
    parts = ["a", "_", " ", "-", "[", "]", ",", "，", "：", ":", "\t", "\u3000", "\r", "\n", "\r\n", "\x07", "\x85",
             "\u2028", "x1", "中"]
    for _ in range(50_000):
        text = "".join(rng.choice(parts) for _ in range(rng.randint(0, 12)))
        if yamlsource._scan_lines(text, "f"):
            assert yamlsource._may_hold(text), repr(text)
    clean = SPEC.read_text(encoding="utf-8")
    assert not yamlsource._may_hold(clean) and yamlsource._prescan(clean, "f") == []


@pytest.mark.parametrize("path", ["", ":", "/nonexistent", None, "/usr/bin:/usr/bin", "::/usr/bin"])
def test_which_agrees_with_shutil_on_odd_paths(path: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    if path is None:
        monkeypatch.delenv("PATH", raising=False)
    else:
        monkeypatch.setenv("PATH", path)
    for name in ("dot", "sh", "no-such-tool-here"):
        assert fingerprint.which(name) == shutil.which(name)


GRAPHS = ['digraph a { x -> y [label="中文 label"] }', 'digraph "b c" { graph [id="b"]; n [label="N\\n名"] }']


@pytest.mark.dot
def test_dot_pipe_gives_run_dots_svgs_and_version() -> None:
    pipe = DotPipe()
    try:
        assert pipe.version() == dot_version()
        pipe.send(GRAPHS)
        assert pipe.result() == run_dot(GRAPHS)
    finally:
        pipe.close()


@pytest.mark.dot
def test_dot_pipe_reports_a_broken_graph_as_run_dot_does() -> None:
    with pytest.raises(ToolFailed) as direct:
        run_dot(["digraph { a -> }"])
    pipe = DotPipe()
    pipe.send(["digraph { a -> }"])
    with pytest.raises(ToolFailed) as piped:
        pipe.result()
    pipe.close()
    assert str(piped.value) == str(direct.value)


@pytest.mark.dot
def test_dot_pipe_survives_a_flood_of_warnings_while_dot_reads() -> None:
    """200 KB of input that makes dot print 2 MB of warnings as it parses: both pipes fill, nothing blocks."""
    flood = "strict digraph {\n" + "  a -> 1x;\n" * 20_000 + "}\n"  # each `1x` is a warning, one graph of 3 nodes
    pipe = DotPipe()
    try:
        pipe.send([flood])
        assert pipe.result(timeout=60) == run_dot([flood])
    finally:
        pipe.close()


@pytest.mark.dot
def test_dot_pipe_closed_unused_leaves_no_process() -> None:
    pipe = DotPipe()
    pipe.close()
    pipe.close()
    procs = [pipe._proc, pipe._version]
    assert all(p is None or p.returncode is not None for p in procs)
    ps = subprocess.run(["ps", "-o", "pid=", "--ppid", str(__import__("os").getpid())], capture_output=True, text=True)
    assert not {int(x) for x in ps.stdout.split()} & {p.pid for p in procs if p is not None}


VIEWS = [("full", "zh", "stevens", "", "light"), ("full", "en", "rfc", "figure,note,linux", "dark"),
         ("state:TIME_WAIT", "zh", "linux", "", "light"), ("scenario:simultaneous_close", "en", "stevens", "", "light")]


@pytest.mark.dot
@pytest.mark.parametrize("view", VIEWS, ids=lambda v: "-".join(x for x in v if x))
def test_piped_render_is_render_state(view: tuple[str, str, str, str, str], tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Byte for byte the CLI's render, from an empty cache and again from a warm one."""
    monkeypatch.setenv("TCPDIAGRAM_CACHE", str(tmp_path / "cache"))
    name, lang, naming, layers, theme = view
    piped = render_state_piped(SPEC, name, lang, naming, layers, theme, "svg")
    monkeypatch.setenv("TCPDIAGRAM_CACHE", str(tmp_path / "other"))
    direct = render_state(load_checked(SPEC), name, lang, naming, layers, theme, "svg")
    assert piped == direct
    assert render_state_piped(SPEC, name, lang, naming, layers, theme, "svg") == direct  # spec and layout cached


@pytest.mark.dot
def test_piped_render_of_a_200_state_spec_is_render_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A big graph too: dot lays out the caller's graph first in its process (an earlier graph in the same
    process moved this one's splines)."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from gen_spec import generate
    finally:
        sys.path.remove(str(ROOT / "bench"))
    spec = tmp_path / "big.yaml"
    spec.write_text(generate(200), encoding="utf-8")
    monkeypatch.setenv("TCPDIAGRAM_CACHE", str(tmp_path / "cache"))
    piped = render_state_piped(spec, "full", "zh", "stevens", "", "light", "svg")
    monkeypatch.setenv("TCPDIAGRAM_CACHE", str(tmp_path / "other"))
    assert piped == render_state(load_checked(spec), "full", "zh", "stevens", "", "light", "svg")


@pytest.mark.dot
@pytest.mark.parametrize("bad", ["scenario_wrong_expect", "scenario_no_transition", "unknown_state", "tab_indent"])
@pytest.mark.parametrize("view", ["full", "scenario:normal_close"])
def test_piped_render_raises_every_issue_load_checked_does(bad: str, view: str, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TCPDIAGRAM_CACHE", str(tmp_path / "cache"))
    with pytest.raises(SpecError) as direct:
        load_checked(BAD / f"{bad}.yaml")
    with pytest.raises(SpecError) as piped:
        render_state_piped(BAD / f"{bad}.yaml", view, "zh", "stevens", "", "light", "svg")
    assert piped.value.issues == direct.value.issues
    assert not list((tmp_path / "cache").rglob("*.pickle")), "an unsound spec is never cached"
