"""Console entry point: read argv once; an up-to-date `build`, `render` and `trace` run without typer, all else the full CLI.

The fast commands take the CLI's options in their plain forms only (FAST: names, flags and choices as cli.py
declares them; tests/test_entry.py checks the two against each other and runs both on the same argv). They
call the very functions the CLI's commands call, with the same guards; anything they do not read, and any
error, goes to the full CLI, which runs the command from the start and reports it as always.
"""

from __future__ import annotations

import sys
from collections import namedtuple
from pathlib import Path

# namedtuples, not dataclasses: `dataclasses` costs ~15 ms to import, a tenth of the up-to-date path.
Opt = namedtuple("Opt", "names key flag default choices")
BuildArgs = namedtuple("BuildArgs", "spec out langs strict quiet")
RenderArgs = namedtuple("RenderArgs", "spec view lang naming layers theme format output")
ScenarioArgs = namedtuple("ScenarioArgs", "scenario spec lang theme format output")
TraceArgs = namedtuple("TraceArgs", "capture conn host port format lang theme output spec")


def _choices(name: str) -> tuple[str, ...]:
    """The model's list of allowed values for an option (one source with the CLI and the renderers)."""
    from . import model

    return tuple({"lang": model.LANGS, "naming": model.NAMINGS, "theme": model.THEMES, "format": model.STATE_FORMATS,
                  "chart_format": model.CHART_FORMATS, "capture_format": model.CAPTURE_FORMATS}[name])


# command words → (options, name of the positional argument or None); defaults as in cli.py.
FAST: dict[tuple[str, ...], tuple[tuple[Opt, ...], str | None]] = {
    ("build",): ((
        Opt(("--out",), "out", False, "build", None),
        Opt(("--lang",), "lang", False, "zh,en", None),
        Opt(("--strict",), "strict", True, False, None),
        Opt(("--quiet", "-q"), "quiet", True, False, None),
        Opt(("--site-url",), "site_url", False, None, None),
        Opt(("--spec",), "spec", False, None, None),
    ), None),  # a positional spec (deprecated) goes to the full CLI, which prints the hint
    ("render", "state"): ((
        Opt(("--spec",), "spec", False, None, None),
        Opt(("--view",), "view", False, "full", None),
        Opt(("--lang",), "lang", False, "zh", "lang"),
        Opt(("--naming",), "naming", False, "stevens", "naming"),
        Opt(("--layers",), "layers", False, "", None),
        Opt(("--theme",), "theme", False, "light", "theme"),
        Opt(("--format", "-f"), "format", False, "svg", "format"),
        Opt(("-o", "--output"), "output", False, None, None),
    ), None),
    ("render", "scenario"): ((
        Opt(("--spec",), "spec", False, None, None),
        Opt(("--lang",), "lang", False, "zh", "lang"),
        Opt(("--theme",), "theme", False, "light", "theme"),
        Opt(("--format", "-f"), "format", False, "svg", "chart_format"),
        Opt(("-o", "--output"), "output", False, None, None),
    ), "scenario"),
    ("trace",): ((
        Opt(("--conn",), "conn", False, None, None),  # integers: plain digits only (parse_trace)
        Opt(("--host",), "host", False, None, None),
        Opt(("--port",), "port", False, None, None),
        Opt(("--format", "-f"), "format", False, "text", "capture_format"),
        Opt(("--lang",), "lang", False, "en", "lang"),
        Opt(("--theme",), "theme", False, "light", "theme"),
        Opt(("-o", "--output"), "output", False, None, None),
        Opt(("--spec",), "spec", False, None, None),
    ), "capture"),
}


def parse(args: list[str], opts: tuple[Opt, ...], positional: str | None) -> dict[str, object] | None:
    """Options as click reads their plain forms (`--opt value`, `--opt=value`, `-x value`, flags, the last of a
    repeated option wins); None for anything else (bundled short flags, `--`, a value that looks like an
    option, an empty value, an unknown choice): the full CLI then decides."""
    by_name = {name: o for o in opts for name in o.names}
    values: dict[str, object] = {o.key: o.default for o in opts}
    if positional:
        values[positional] = None
    i = 0
    while i < len(args):
        arg = args[i]
        name, eq, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        opt = by_name.get(name)
        if opt is not None and opt.flag:
            if eq:
                return None
            values[opt.key] = True
        elif opt is not None:
            if not eq:
                if i + 1 >= len(args):
                    return None
                i += 1
                value = args[i]
            if not value or value.startswith("-"):
                return None
            if opt.choices and value not in _choices(opt.choices):
                return None
            values[opt.key] = value
        elif positional and not arg.startswith("-") and arg and values[positional] is None:
            values[positional] = arg
        else:
            return None
        i += 1
    return values


def parse_build(args: list[str]) -> BuildArgs | None:
    """`build`'s options, or None (the full CLI then decides)."""
    from .outdir import split_langs

    v = parse(args, *FAST[("build",)])
    if v is None or v["site_url"] is not None:  # a URL is checked and keyed by pipeline.build: the full CLI
        return None
    spec = Path(str(v["spec"])) if v["spec"] is not None else None
    return BuildArgs(spec, Path(str(v["out"])), split_langs(str(v["lang"])), bool(v["strict"]), bool(v["quiet"]))


def parse_render_state(args: list[str]) -> RenderArgs | None:
    """`render state`'s options, or None (the full CLI then decides)."""
    v = parse(args, *FAST[("render", "state")])
    if v is None:
        return None
    path = {k: Path(str(v[k])) if v[k] is not None else None for k in ("spec", "output")}
    return RenderArgs(path["spec"], str(v["view"]), str(v["lang"]), str(v["naming"]), str(v["layers"]),
                      str(v["theme"]), str(v["format"]), path["output"])


def up_to_date(argv: list[str]) -> BuildArgs | None:
    """The build's arguments when `argv` is a `build` whose output is current, else None.

    The same checks pipeline.build makes first (pipeline.prepare's, stamp.current_key, stamp.is_up_to_date): a
    marker's key only ever comes from a build whose languages were checked, so unchecked ones never match.
    """
    if argv[:1] != ["build"]:
        return None
    opts = parse_build(argv[1:])
    if opts is None:
        return None
    try:
        import os

        from .outdir import guard, refuse_cwd
        from .outswap import leftovers
        from .stamp import current_key, is_up_to_date

        refuse_cwd(opts.out)  # pipeline.prepare's checks, in its order
        if leftovers(Path(os.path.abspath(opts.out))):  # an interrupted build to clean up: the full command does
            return None
        guard(opts.out)
        return opts if is_up_to_date(opts.out, current_key(opts.spec, opts.langs, opts.strict)) else None
    except Exception:  # noqa: BLE001 - the full command runs and reports it properly
        return None


def parse_render_scenario(args: list[str]) -> ScenarioArgs | None:
    """`render scenario`'s options, or None (the full CLI then decides)."""
    v = parse(args, *FAST[("render", "scenario")])
    if v is None or v["scenario"] is None:
        return None
    path = {k: Path(str(v[k])) if v[k] is not None else None for k in ("spec", "output")}
    return ScenarioArgs(str(v["scenario"]), path["spec"], str(v["lang"]), str(v["theme"]), str(v["format"]),
                        path["output"])


def parse_trace(args: list[str]) -> TraceArgs | None:
    """`trace`'s options, or None (the full CLI then decides): --conn and --port as plain digits only."""
    v = parse(args, *FAST[("trace",)])
    if v is None or v["capture"] is None:
        return None
    ints: dict[str, int | None] = {}
    for k in ("conn", "port"):
        text = v[k]
        if text is not None and not (isinstance(text, str) and text.isascii() and text.isdigit()):
            return None  # a sign, a space, an underscore: click decides what it means
        ints[k] = int(text) if isinstance(text, str) else None
    path = {k: Path(str(v[k])) if v[k] is not None else None for k in ("spec", "output")}
    return TraceArgs(Path(str(v["capture"])), ints["conn"], v["host"], ints["port"], str(v["format"]),
                     str(v["lang"]), str(v["theme"]), path["output"], path["spec"])


def trace(argv: list[str]) -> bool:
    """Run `trace` as the CLI's command does (load_checked, capture.command.trace_capture, the same writes) when
    it reads; False, having written nothing, when the full CLI must run it instead (it then reports any error)."""
    a = parse_trace(argv[1:]) if argv[:1] == ["trace"] else None
    if a is None:
        return False
    from .errors import catch_signals
    from .model import RASTER_FORMATS

    if a.output is None and a.format in RASTER_FORMATS:  # the CLI's usage error: binary formats need -o FILE
        return False

    catch_signals()  # as cli.main: a signal unwinds (fanout.py's readers are stopped) and ends with 128 + N
    try:
        from .capture.command import trace_capture
        from .specfile import load_checked

        data = trace_capture(load_checked(a.spec), a.capture, a.format, a.lang, a.theme, a.conn, a.host, a.port)
        if a.output is not None:
            from .fsutil import write_atomic

            write_atomic(a.output, data)
            return True
        text = data.decode("utf-8")
    except Exception:  # noqa: BLE001 - the full command runs again and reports it properly
        return False
    sys.stdout.write(text)
    return True


def render(argv: list[str]) -> bool:
    """Run `render state` or `render scenario` as the CLI's commands do (load_checked, the same render function,
    the same writes), an unchanged render read back from the render cache; False, having written nothing, when
    the full CLI must run it instead."""
    a: RenderArgs | ScenarioArgs | None
    if argv[:2] == ["render", "state"]:
        a = parse_render_state(argv[2:])
    elif argv[:2] == ["render", "scenario"]:
        a = parse_render_scenario(argv[2:])
    else:
        return False
    if a is None or (a.output is None and a.format in ("png", "pdf")):
        return False  # the CLI's usage error: binary formats need -o FILE
    try:
        from .cache import render as cache
        from .cache.fingerprint import code_fingerprint

        code = code_fingerprint()  # once: the render cache and the spec cache key on it
        entry = cache.key((*argv[:2], *map(str, a._replace(output=None))), a.spec, code) \
            if a.format in cache.FORMATS else None
        data = cache.get(entry) if entry else None
        if data is None:
            data = _render(a, code)
            if entry:
                cache.put(entry, data)
        if a.output is None:
            text = data.decode("utf-8")
        else:
            from .fsutil import write_atomic

            write_atomic(a.output, data)
            return True
    except Exception:  # noqa: BLE001 - the full command runs again and reports it properly
        return False
    sys.stdout.write(text)
    return True


def _render(a: RenderArgs | ScenarioArgs, code: str) -> bytes:
    if isinstance(a, RenderArgs) and a.format in ("svg", "png", "pdf"):  # render.state_pipe.PIPED_FORMATS
        from .render.state_pipe import render_state_piped

        return render_state_piped(a.spec, a.view, a.lang, a.naming, a.layers, a.theme, a.format, code)
    from .specfile import load_checked

    spec = load_checked(a.spec, code=code)
    if isinstance(a, ScenarioArgs):
        from .render.scenario import render_scenario

        return render_scenario(spec, a.scenario, lang=a.lang, theme=a.theme, fmt=a.format)
    from .render.state import render_state

    return render_state(spec, view=a.view, lang=a.lang, naming=a.naming, layers=a.layers, theme=a.theme,
                        fmt=a.format)


def fast_trace(argv: list[str]) -> bool:
    """trace() for `trace` argv; a signal during it ends as cli.main ends it (errors are imported only here:
    their dataclasses cost a fast `render` ~10 ms)."""
    if argv[:1] != ["trace"]:
        return False
    from .errors import Terminated

    try:
        return trace(argv)
    except Terminated as e:  # the fast trace's signals, as cli.main reports them
        sys.stderr.write(e.line + "\n")
        sys.exit(e.exit_code)


def main() -> None:
    argv = sys.argv[1:]
    try:
        opts = up_to_date(argv)
        if opts is not None:
            if not opts.quiet:
                sys.stderr.write(f"{opts.out} is up to date\n")
            sys.exit(0)
        if render(argv) or fast_trace(argv):
            sys.exit(0)
    except KeyboardInterrupt:  # as cli.main reports it
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    from .cli import main as cli_main

    cli_main()
