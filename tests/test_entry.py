"""The console entry point's reading of `build` options (its fast path must never misread a command)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tcpdiagram.entry import BuildArgs, parse_build, up_to_date


@pytest.mark.parametrize("args,expected", [
    ([], BuildArgs(None, Path("build"), ("zh", "en"), False, False)),
    (["my.yaml", "--out", "o", "-q"], BuildArgs(Path("my.yaml"), Path("o"), ("zh", "en"), False, True)),
    (["--out=x/y", "--lang", "en", "--strict", "--quiet"], BuildArgs(None, Path("x/y"), ("en",), True, True)),
    (["--lang=en,zh"], BuildArgs(None, Path("build"), ("en", "zh"), False, False)),
])
def test_plain_forms_are_read(args: list[str], expected: BuildArgs) -> None:
    assert parse_build(args) == expected


@pytest.mark.parametrize("args", [
    ["--help"], ["--out"], ["--lang", "fr"], ["--lang", "zh,zh"], ["a.yaml", "b.yaml"], ["--bogus"], ["-o", "x"],
    ["--lang="],
])
def test_anything_else_goes_to_the_full_cli(args: list[str]) -> None:
    assert parse_build(args) is None


def test_other_commands_never_take_the_fast_path() -> None:
    assert up_to_date(["check"]) is None
    assert up_to_date([]) is None
    assert up_to_date(["build", "--help"]) is None


def test_a_missing_output_is_never_up_to_date(tmp_path: Path) -> None:
    assert up_to_date(["build", "--out", str(tmp_path / "nothing-here")]) is None
