"""Console entry point: answer an up-to-date `tcpdiagram build` before loading the CLI framework, else run the CLI."""

from __future__ import annotations

import sys
from collections import namedtuple
from pathlib import Path

# A namedtuple, not a dataclass: `dataclasses` costs ~15 ms to import, a tenth of the up-to-date path.
BuildArgs = namedtuple("BuildArgs", "spec out langs strict quiet")


def parse_build(args: list[str]) -> BuildArgs | None:
    """The options of `build` in their plain forms; None for anything else (the full CLI then decides)."""
    spec: Path | None = None
    langs: tuple[str, ...] = ("zh", "en")  # model.LANGS (tests/test_entry.py keeps the two equal)
    out, strict, quiet = Path("build"), False, False
    i = 0
    while i < len(args):
        arg = args[i]
        name, eq, value = arg.partition("=")
        if name in ("--out", "--lang") and not eq:
            if i + 1 >= len(args):
                return None
            value = args[i + 1]
            i += 1
        if name == "--out" and value:
            out = Path(value)
        elif name == "--lang" and value:
            from .model import LANGS  # only when --lang is given: the plain `build` imports no dataclasses

            langs = tuple(x.strip() for x in value.split(",") if x.strip())
            if not langs or any(x not in LANGS for x in langs) or len(set(langs)) != len(langs):
                return None
        elif arg == "--strict":
            strict = True
        elif arg in ("--quiet", "-q"):
            quiet = True
        elif not arg.startswith("-") and spec is None:
            spec = Path(arg)
        else:
            return None
        i += 1
    return BuildArgs(spec, out, langs, strict, quiet)


def up_to_date(argv: list[str]) -> BuildArgs | None:
    """The build's arguments when `argv` is a `build` whose output is current, else None."""
    if argv[:1] != ["build"]:
        return None
    opts = parse_build(argv[1:])
    if opts is None:
        return None
    try:
        import os

        from .outswap import leftovers
        from .stamp import current_key, is_up_to_date

        if leftovers(Path(os.path.abspath(opts.out))):  # an interrupted build to clean up: the full command does
            return None
        return opts if is_up_to_date(opts.out, current_key(opts.spec, opts.langs, opts.strict)) else None
    except Exception:  # noqa: BLE001 - anything unusual: the full command runs and reports it properly
        return None


def main() -> None:
    opts = up_to_date(sys.argv[1:])
    if opts is not None:
        if not opts.quiet:
            sys.stderr.write(f"{opts.out} is up to date\n")
        sys.exit(0)
    from .cli import main as cli_main

    cli_main()
