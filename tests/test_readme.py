"""The README is true: every `$ ` command of its console blocks runs and prints what the README shows, and every
`tcpdiagram …` line of its sh blocks runs cleanly.

How a console block is read (the same rules as README.md's "Examples are tests" note):
- a line starting with `$ ` is a command, run from the repository root (`tcpdiagram` is this checkout's CLI);
  the lines after it, up to the next command, are its output (stdout and stderr, as a terminal shows them);
- `…` alone on a line stands for any number of lines (none included); `…` inside a line for any text on that line;
- trailing spaces are ignored;
- `<!-- readme-test: skip REASON -->` on the line before a block skips it (for commands that need root, say).
"""

from __future__ import annotations

import difflib
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
ELLIPSIS = "…"
SKIP = re.compile(r"<!--\s*readme-test:\s*skip\s*(.*?)\s*-->")


@dataclass(frozen=True)
class Example:
    line: int  # 1-based line of the `$ ` command in README.md
    command: str
    expected: tuple[str, ...]
    skip: str | None  # the reason, when the block is marked to skip


def blocks(text: str, kinds: tuple[str, ...]) -> list[tuple[int, list[str], str | None]]:
    """Fenced blocks of the given info strings: (line of their first content line, lines, skip reason)."""
    found: list[tuple[int, list[str], str | None]] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = re.match(r"^(`{3,}|~{3,})\s*(\S*)", lines[i])
        if not m:
            i += 1
            continue
        fence, info = m.group(1), m.group(2)
        end = next((j for j in range(i + 1, len(lines)) if lines[j].strip() == fence), len(lines))
        if info in kinds:
            before = lines[i - 1] if i else ""
            skip = SKIP.search(before)
            found.append((i + 2, lines[i + 1:end], (skip.group(1) or "marked to skip") if skip else None))
        i = end + 1
    return found


def console_examples(text: str) -> list[Example]:
    out: list[Example] = []
    for first, lines, skip in blocks(text, ("console",)):
        current: tuple[int, str] | None = None
        expected: list[str] = []
        for n, line in enumerate(lines):
            if line.startswith("$ "):
                if current:
                    out.append(Example(current[0], current[1], tuple(expected), skip))
                current, expected = (first + n, line[2:].strip()), []
            elif current:
                expected.append(line)
        if current:
            out.append(Example(current[0], current[1], tuple(expected), skip))
    return out


def sh_commands(text: str) -> list[tuple[int, str]]:
    """`tcpdiagram …` lines of sh blocks (comments cut); other tools' lines (make, pip, apt-get) are set-up."""
    found = []
    for first, lines, skip in blocks(text, ("sh", "bash", "shell")):
        for n, line in enumerate(lines):
            command = line.split("  #", 1)[0].split(" # ", 1)[0].strip()
            if command.startswith("tcpdiagram ") and skip is None:
                found.append((first + n, command))
    return found


def pattern(expected: tuple[str, ...]) -> re.Pattern[str]:
    """The expected lines as one regex: `…` lines match any lines, `…` in a line any text."""
    parts = []
    for line in expected:
        line = line.rstrip()
        if line == ELLIPSIS:
            parts.append(r"(?:[^\n]*\n)*?")
        else:
            parts.append(".*?".join(re.escape(p) for p in line.split(ELLIPSIS)) + r"[ \t]*\n")
    return re.compile("".join(parts))


def run(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    argv = shlex.split(command)
    assert argv[0] == "tcpdiagram", f"README example {command!r}: only tcpdiagram commands are run"
    env = dict(os.environ, COLUMNS="120", NO_COLOR="1", TERM="dumb")
    return subprocess.run([sys.executable, "-m", "tcpdiagram", *argv[1:]], cwd=cwd, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=600, check=False)


README_TEXT = README.read_text("utf-8")
CONSOLE = console_examples(README_TEXT)
SH = sh_commands(README_TEXT)


def test_the_readme_has_examples_to_check() -> None:
    assert len(CONSOLE) >= 4 and len(SH) >= 5, "the README lost its examples, or this reader lost track of them"


@pytest.mark.dot
@pytest.mark.parametrize("example", CONSOLE, ids=lambda e: f"README.md:{e.line}")
def test_console_example(example: Example) -> None:
    if example.skip:
        pytest.skip(f"README.md:{example.line}: {example.skip}")
    done = run(example.command, ROOT)
    actual = "\n".join(line.rstrip() for line in done.stdout.splitlines()) + "\n"
    if not pattern(example.expected).fullmatch(actual):
        diff = "\n".join(difflib.unified_diff(list(example.expected), actual.splitlines(), "README.md", "actual",
                                              lineterm=""))
        pytest.fail(f"README.md:{example.line}: `$ {example.command}` (exit {done.returncode}) printed something "
                    f"else than the README shows (`…` = any text; see tests/test_readme.py):\n{diff}", pytrace=False)


@pytest.mark.dot
@pytest.mark.parametrize(("line", "command"), SH, ids=[f"README.md:{n}" for n, _ in SH])
def test_sh_example_runs(line: int, command: str, tmp_path: Path) -> None:
    done = run(command, tmp_path)  # an empty folder: the bundled spec, files written there
    assert done.returncode == 0, f"README.md:{line}: `{command}` exited {done.returncode}:\n{done.stdout}"
    out = re.search(r"-o (\S+)", command)
    if out:
        assert (tmp_path / out.group(1)).stat().st_size > 0, f"README.md:{line}: `{command}` wrote nothing"


def test_the_checker_reads_elisions_as_documented() -> None:
    p = pattern(("a …", "…", "c"))
    assert p.fullmatch("a b\nx\ny\nc\n") and p.fullmatch("a \nc\n") and not p.fullmatch("a b\nc\nd\n")
