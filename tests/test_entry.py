"""The console entry point users run: its fast paths read argv as the CLI does and answer exactly as the CLI would."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main

from tcpdiagram.cli import app
from tcpdiagram.entry import FAST, BuildArgs, RenderArgs, _choices, parse_build, parse_render_state, up_to_date

ROOT = Path(__file__).resolve().parent.parent
CONSOLE = Path(sys.executable).parent / "tcpdiagram"  # the installed console script (entry:main)
FULL_CLI = [sys.executable, "-c", "import sys; sys.argv[0] = 'tcpdiagram'; from tcpdiagram.cli import main; main()"]


def click_command(words: tuple[str, ...]):  # type: ignore[no-untyped-def]
    cmd = typer.main.get_command(app)
    for w in words:
        cmd = cmd.commands[w]  # type: ignore[attr-defined]
    return cmd


@pytest.mark.parametrize("words", list(FAST))
def test_fast_options_are_the_clis(words: tuple[str, ...]) -> None:
    """Names, flags, defaults, choices and the positional argument: the fast table equals what typer declares."""
    opts, positional = FAST[words]
    declared = {}
    arguments = []
    for p in click_command(words).params:
        if p.param_type_name == "argument":
            if p.name != "legacy":  # the deprecated positional spec: the fast path leaves it to the full CLI
                arguments.append(p.name)
            continue
        default = getattr(p.default, "value", p.default)
        default = str(default) if isinstance(default, Path) else default
        choices = tuple(getattr(p.type, "choices", ()) or ())
        declared[p.name] = (tuple(p.opts + p.secondary_opts), bool(p.is_flag), default, choices)
    ours = {o.key: (o.names, o.flag, o.default, _choices(o.choices) if o.choices else ()) for o in opts}
    assert ours == declared
    assert arguments == ([positional] if positional else [])


@pytest.mark.parametrize("args,expected", [
    ([], BuildArgs(None, Path("build"), ("zh", "en"), False, False)),
    (["--spec", "my.yaml", "--out", "o", "-q"], BuildArgs(Path("my.yaml"), Path("o"), ("zh", "en"), False, True)),
    (["--out=x/y", "--lang", "en", "--strict", "--quiet"], BuildArgs(None, Path("x/y"), ("en",), True, True)),
    (["--lang=en,zh"], BuildArgs(None, Path("build"), ("en", "zh"), False, False)),
    (["--out", "a", "--out", "b"], BuildArgs(None, Path("b"), ("zh", "en"), False, False)),
])
def test_plain_forms_are_read(args: list[str], expected: BuildArgs) -> None:
    assert parse_build(args) == expected


def test_render_state_options_are_read() -> None:
    assert parse_render_state(["--view", "state:LISTEN", "--lang=en", "-f", "dot", "-o", "x.dot"]) == RenderArgs(
        None, "state:LISTEN", "en", "stevens", "", "light", "dot", Path("x.dot"))


@pytest.mark.parametrize("args", [
    ["--help"], ["--out"], ["a.yaml", "b.yaml"], ["--bogus"], ["-o", "x"], ["--lang="], ["--out", "-q"],
    ["--strict=1"], ["--", "x.yaml"], ["-qq"],
])
def test_anything_else_goes_to_the_full_cli(args: list[str]) -> None:
    assert parse_build(args) is None


@pytest.mark.parametrize("args", [["--lang", "fr"], ["--format", "gif"], ["-fdot"], ["--naming"], ["x"]])
def test_render_state_leaves_the_rest_to_the_cli(args: list[str]) -> None:
    assert parse_render_state(args) is None


def test_other_commands_never_take_the_fast_path() -> None:
    assert up_to_date(["check"]) is None
    assert up_to_date([]) is None
    assert up_to_date(["build", "--help"]) is None


def test_a_missing_output_is_never_up_to_date(tmp_path: Path) -> None:
    assert up_to_date(["build", "--out", str(tmp_path / "nothing-here")]) is None


# ---- the same argv through the console script and through the full CLI --------------------------------


def both(argv: list[str], cwd: Path, outputs: list[Path] = []) -> None:  # noqa: B006 - read only
    """Run argv through the console script (fast paths on) and through cli.main (typer only): the exit code,
    stdout, stderr and every output file must be the same."""
    results = []
    for runner in ([str(CONSOLE)], FULL_CLI):
        for f in outputs:
            f.unlink(missing_ok=True)
        done = subprocess.run(runner + argv, cwd=cwd, capture_output=True, env=dict(os.environ, COLUMNS="100"))
        files = [f.read_bytes() if f.exists() else None for f in outputs]
        results.append((done.returncode, done.stdout, done.stderr.replace(b"\\", b"/"), files))
    assert results[0] == results[1], argv


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project folder (spec/, site/) with an up-to-date build in it, `out`, and links and files around it."""
    proj = tmp_path_factory.mktemp("entry-project")
    shutil.copytree(ROOT / "spec", proj / "spec")
    shutil.copytree(ROOT / "site", proj / "site")
    subprocess.run([str(CONSOLE), "build", "--out", "out", "-q"], cwd=proj, check=True)
    (proj / "linked").symlink_to(proj / "out")
    (proj / "a-file").write_text("x")
    return proj


BUILD_ARGV = [
    ["build", "--out", "out"], ["build", "--out", "out", "-q"], ["build", "--out=out", "--quiet"],
    ["build", "--out", "linked"],  # a link to an up-to-date build: both refuse it (exit 2)
    ["build", "--out", "linked", "-q"], ["build", "--out", "a-file"], ["build", "--out", "out", "--lang", "fr"],
    ["build", "--out", "out", "--bogus"],
    ["build", "spec/tcp.yaml", "--out", "out", "-q"], ["build", "no-such.yaml", "--out", "out", "-q"],
    ["build", "--out", "out", "--help"],
]


@pytest.mark.dot
@pytest.mark.parametrize("argv", BUILD_ARGV, ids=" ".join)
def test_build_answers_as_the_cli(project: Path, argv: list[str]) -> None:
    both(argv, project)


RENDER_ARGV = [
    ["render", "state", "-f", "dot"], ["render", "state", "--view", "state:LISTEN", "--lang", "en"],
    ["render", "state", "--view", "scenario:normal_close", "--theme", "dark", "-o", "o.svg"],
    ["render", "state", "--naming", "linux", "--layers", "figure,note,linux", "--format=dot", "--output=o.svg"],
    ["render", "state", "--naming", "ss", "-f", "dot"],
    ["render", "state", "--view", "state:NOPE"], ["render", "state", "--view", "bogus"],
    ["render", "state", "--layers", "nope", "-f", "dot"], ["render", "state", "--lang", "fr"],
    ["render", "state", "-f", "png"], ["render", "state", "--spec", "no-such.yaml"],
    ["render", "state", "--spec", "spec/tcp.yaml", "--view", "full", "-f", "dot", "-o", "o.svg"],
    ["render", "state", "--view", "full"], ["render", "state", "--view", "full"],  # the second: from the cache
    ["render", "scenario", "normal_close"], ["render", "scenario", "normal_close", "--lang", "en", "-o", "o.svg"],
    ["render", "scenario", "nope"], ["render", "scenario"], ["render", "scenario", "abort", "-f", "pdf"],
    ["render", "scenario", "abort", "--theme=dark", "--format", "svg", "--output", "o.svg"],
]


@pytest.mark.dot
@pytest.mark.parametrize("argv", RENDER_ARGV, ids=lambda argv: " ".join(argv))
def test_render_state_answers_as_the_cli(project: Path, argv: list[str]) -> None:
    both(argv, project, [project / "o.svg"])


@pytest.fixture(scope="module")
def captures(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with a real capture, generated ones (200 connections; 2,500, which fanout.py reads on every core),
    a truncated one and a file that is no capture."""
    folder = tmp_path_factory.mktemp("entry-trace")
    shutil.copyfile(ROOT / "tests" / "data" / "captures" / "tcpdump" / "dns_tcp.pcap", folder / "one.pcap")
    for name, n in (("many.pcap", "200"), ("big.pcap", "2500")):
        subprocess.run([sys.executable, str(ROOT / "bench" / "gen_capture.py"), str(folder / name), n], check=True,
                       capture_output=True)
    (folder / "cut.pcap").write_bytes((folder / "many.pcap").read_bytes()[:5000])
    (folder / "text.pcap").write_text("not a capture\n")
    return folder


TRACE_ARGV = [
    ["trace", "one.pcap"], ["trace", "one.pcap", "--lang", "zh"], ["trace", "one.pcap", "--conn", "1"],
    ["trace", "one.pcap", "--conn=1", "--lang=zh", "--theme", "dark", "-f", "svg"], ["trace", "one.pcap", "-f", "json"],
    ["trace", "many.pcap"], ["trace", "big.pcap", "--lang", "zh"], ["trace", "big.pcap", "--port", "1100"],
    ["trace", "many.pcap", "--host", "10.0.0.7", "-f", "json"], ["trace", "many.pcap", "--conn", "7", "-o", "o.svg",
                                                                  "-f", "svg"],
    ["trace", "one.pcap", "--spec", "spec/tcp.yaml", "-o", "o.svg"], ["trace", "one.pcap", "-f", "png", "-o", "o.png"],
    ["trace", "many.pcap", "-f", "svg"], ["trace", "many.pcap", "--conn", "999"], ["trace", "one.pcap", "-f", "png"],
    ["trace", "cut.pcap"], ["trace", "text.pcap"], ["trace", "no-such.pcap"], ["trace", "one.pcap", "--conn", "x"],
    ["trace", "one.pcap", "--conn", "+1"], ["trace", "one.pcap", "--conn", "-1"], ["trace", "one.pcap", "-f", "gif"],
    ["trace", "one.pcap", "--lang", "fr"], ["trace", "one.pcap", "--bogus"], ["trace"], ["trace", "--help"],
    ["trace", "one.pcap", "many.pcap"], ["trace", "one.pcap", "--spec", "no-such.yaml"],
    ["trace", "one.pcap", "-o", "no-such-dir/o.txt"],
]


@pytest.mark.dot
@pytest.mark.parametrize("argv", TRACE_ARGV, ids=" ".join)
def test_trace_answers_as_the_cli(captures: Path, argv: list[str]) -> None:
    if "spec/tcp.yaml" in argv and not (captures / "spec").exists():
        shutil.copytree(ROOT / "spec", captures / "spec")
    both(argv, captures, [captures / "o.svg", captures / "o.png"])


@pytest.mark.parametrize("argv,fast", [
    (["trace", "one.pcap", "-o", "o.txt"], True), (["trace", "big.pcap", "--lang=zh", "-o", "o.txt"], True),
    (["trace", "one.pcap", "--conn", "1", "-f", "json", "-o", "o.txt"], True),
    (["trace", "text.pcap", "-o", "o.txt"], False),  # an error: the full CLI reports it
    (["trace", "one.pcap", "-f", "pdf"], False), (["trace", "one.pcap", "--conn", "01x"], False),
])
def test_trace_takes_the_fast_path_without_typer(captures: Path, argv: list[str], fast: bool) -> None:
    code = ("import sys; from tcpdiagram import entry; ok = entry.trace(sys.argv[1:]); "
            "print(ok, 'typer' in sys.modules, 'click' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code, *argv], cwd=captures, capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == f"{fast} False False"


@pytest.mark.parametrize("fast", [True, False], ids=["console script", "full CLI"])
def test_trace_ends_on_sigterm_as_the_cli(captures: Path, fast: bool) -> None:
    """A trace stopped by SIGTERM while it reads says `terminated` and exits 143, on the fast path as in cli.main:
    the capture is a FIFO that never sends more than the first bytes of a pcap header."""
    fifo = captures / f"slow-{fast}.pcap"
    os.mkfifo(fifo)
    proc = subprocess.Popen(([str(CONSOLE)] if fast else FULL_CLI) + ["trace", fifo.name], cwd=captures,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    with open(fifo, "wb") as w:  # returns once the reader opened it, so after its signal handling was set
        w.write(b"\xd4\xc3\xb2\xa1")
        w.flush()
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=120)
    assert (proc.returncode, out, err) == (128 + signal.SIGTERM, b"", b"terminated\n")
