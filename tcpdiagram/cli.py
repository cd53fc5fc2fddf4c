"""The command line: parse options, call the library, print problems, map errors to exit codes."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional, Sequence

import click
import typer

from . import __version__
from .errors import SpecError, TcpDiagramError, Terminated, catch_signals
from .model import (CAPTURE_FORMATS, CHART_FORMATS, DEFAULT_LAYERS, EXPORT_FORMATS, LANGS, LAYERS, NAMING_TITLES, NAMINGS, RASTER_FORMATS, STATE_FORMATS, THEMES,
                    TRACE_FORMATS, CaptureFormat, ChartFormat, ExportFormat, Lang, NamingProfile, StateFormat, Theme, TraceFormat)

if TYPE_CHECKING:
    from .model import Spec

app = typer.Typer(
    name="tcpdiagram",
    help="TCP state diagrams, sequence charts and a bilingual reference site from one YAML spec.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)
render_app = typer.Typer(help="Render one diagram or chart.", no_args_is_help=True)
app.add_typer(render_app, name="render")

# One shape for every command: the spec is `--spec FILE`. A positional SPEC (the older form of check, export,
# build, serve and a trailing one after a scenario id) still works, with a deprecation hint on stderr.
SpecOpt = Annotated[
    Optional[Path],
    typer.Option("--spec", metavar="FILE", help="The spec file (default: spec/tcp.yaml here, else the bundled spec).",
                 show_default=False),
]
LegacySpec = Annotated[Optional[Path], typer.Argument(hidden=True, show_default=False, metavar="")]


def _choice(values: Sequence[str]) -> click.Choice[str]:
    """A typer option's choices, read from the model (model.LANGS, THEMES, NAMINGS, *_FORMATS)."""
    return click.Choice(list(values))


def _version(value: bool) -> None:
    if value:
        typer.echo(f"tcpdiagram {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        Optional[bool], typer.Option("--version", "-V", help="Print the version and exit.", callback=_version, is_eager=True)
    ] = None,
) -> None:
    """TCP state diagrams, sequence charts and a bilingual reference site from one YAML spec."""


def _err(message: str) -> None:
    sys.stderr.write(message.rstrip("\n") + "\n")


def _spec(spec: Path | None, legacy: Path | None, command: str) -> Path | None:
    """The spec path from `--spec`, or from the deprecated positional form (with a hint saying the new one)."""
    if legacy is None:
        return spec
    if spec is not None:
        raise typer.BadParameter(f"give the spec once: --spec {spec} or {legacy}, not both", param_hint="--spec")
    _err(f"warning: a positional spec is deprecated; write `tcpdiagram {command} --spec {legacy}`")
    return legacy


def _load(spec: Path | None, use_cache: bool = True) -> Spec:
    from .specfile import load_checked

    return load_checked(spec, use_cache)


def _write(data: bytes, output: Path | None, binary: bool) -> None:
    if output is None:
        if binary:
            raise typer.BadParameter("binary formats need -o FILE", param_hint="--format")
        sys.stdout.write(data.decode("utf-8"))
        return
    from .fsutil import write_atomic

    write_atomic(output, data)


@app.command()
def check(spec: SpecOpt = None, legacy: LegacySpec = None) -> None:
    """Validate the spec; print FILE:LINE:COL: path: message for every problem (exit 1 if any)."""
    s = _load(_spec(spec, legacy, "check"), use_cache=False)
    typer.echo(
        f"{s.file}: ok: {len(s.states)} states, {len(s.events)} events, {len(s.actions)} actions, "
        f"{len(s.transitions)} transitions, {len(s.scenarios)} scenarios"
    )


@app.command()
def export(
    spec: SpecOpt = None,
    format: Annotated[ExportFormat, typer.Option("--format", "-f", help="Output format.", click_type=_choice(EXPORT_FORMATS))] = "json",
    legacy: LegacySpec = None,
) -> None:
    """Print the whole spec as JSON (shape in the README)."""
    import json

    from .export_json import spec_to_json

    typer.echo(json.dumps(spec_to_json(_load(_spec(spec, legacy, "export"))), ensure_ascii=False, indent=2))


@app.command()
def schema() -> None:
    """Print the JSON Schema of the spec (for editor completion and checking)."""
    import json

    from .schema import json_schema

    typer.echo(json.dumps(json_schema(), ensure_ascii=False, indent=2))


@app.command()
def simulate(
    scenario: Annotated[str, typer.Argument(help="Scenario id, e.g. normal_close.")],
    spec: SpecOpt = None,
    format: Annotated[TraceFormat, typer.Option("--format", "-f", help="text: a step table; json: the trace.",
                                                click_type=_choice(TRACE_FORMATS))] = "text",
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the text table.", click_type=_choice(LANGS))] = "en",
    numeric: Annotated[bool, typer.Option("--numeric", help="Numeric sequence numbers (RFC 9293 Figure 12 style) instead of J, K, M, N.")] = False,
    legacy: LegacySpec = None,
) -> None:
    """Run a scenario on the spec's transitions and print what each peer did."""
    import json

    from .api import simulate as run
    from .trace import trace_to_json, trace_to_text

    s = _load(_spec(spec, legacy, f"simulate {scenario}"))
    trace = run(scenario, numeric=numeric, spec=s)
    if format == "json":
        typer.echo(json.dumps(trace_to_json(trace), ensure_ascii=False, indent=2, sort_keys=True))
    else:
        typer.echo(trace_to_text(trace, s, lang), nl=False)


@render_app.command("state")
def render_state(
    spec: SpecOpt = None,
    view: Annotated[str, typer.Option("--view", help="full | scenario:<ID> | state:<ID>")] = "full",
    lang: Annotated[Lang, typer.Option("--lang", click_type=_choice(LANGS))] = "zh",
    naming: Annotated[NamingProfile, typer.Option("--naming", help=f"State names: {', '.join(NAMING_TITLES.values())}.",
                                                  click_type=_choice(NAMINGS))] = "stevens",
    layers: Annotated[str, typer.Option("--layers", help=f"Comma list from {','.join(LAYERS)} (default: {','.join(DEFAULT_LAYERS)}; state views: all).")] = "",
    theme: Annotated[Theme, typer.Option("--theme", click_type=_choice(THEMES))] = "light",
    format: Annotated[StateFormat, typer.Option("--format", "-f", click_type=_choice(STATE_FORMATS))] = "svg",
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="Output file (stdout for svg, dot, mermaid, plantuml when omitted).")] = None,
    legacy: LegacySpec = None,
) -> None:
    """Render the state diagram (full machine, a scenario's path, or one state's neighbourhood)."""
    from .api import state_diagram

    s = _load(_spec(spec, legacy, "render state"))
    data = state_diagram(view, lang, naming, layers, theme, spec=s).to(format)
    _write(data, output, binary=format in RASTER_FORMATS)


@render_app.command("scenario")
def render_scenario(
    scenario: Annotated[str, typer.Argument(help="Scenario id, e.g. simultaneous_close.")],
    spec: SpecOpt = None,
    lang: Annotated[Lang, typer.Option("--lang", click_type=_choice(LANGS))] = "zh",
    theme: Annotated[Theme, typer.Option("--theme", click_type=_choice(THEMES))] = "light",
    format: Annotated[ChartFormat, typer.Option("--format", "-f", click_type=_choice(CHART_FORMATS))] = "svg",
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="Output file (stdout for svg, mermaid, plantuml when omitted).")] = None,
    legacy: LegacySpec = None,
) -> None:
    """Render a scenario's sequence chart, with segments in flight drawn as slanted arrows."""
    from .api import sequence_chart

    s = _load(_spec(spec, legacy, f"render scenario {scenario}"))
    data = sequence_chart(scenario, lang, theme, spec=s).to(format)
    _write(data, output, binary=format in RASTER_FORMATS)


@app.command()
def build(
    spec: SpecOpt = None,
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("build"),
    lang: Annotated[str, typer.Option("--lang", help=f"Languages to build, comma separated ({', '.join(LANGS)}).")] = ",".join(LANGS),
    strict: Annotated[bool, typer.Option("--strict", help="Fail on MkDocs warnings (broken links, anchors).")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
    site_url: Annotated[Optional[str], typer.Option("--site-url", help="Where the site will be published (https://user.github.io/tcpdiagram/): gives a sitemap and absolute 404 links. Default: site_url in site/mkdocs.yml, else none (every link relative, no sitemap).", show_default=False)] = None,
    legacy: LegacySpec = None,
) -> None:
    """Build the bilingual site (OUT/site) and the embeddable diagrams (OUT/diagrams)."""
    from .outdir import split_langs
    from .pipeline import build as run

    run(_spec(spec, legacy, "build"), out=out, langs=split_langs(lang), strict=strict, quiet=quiet, site_url=site_url)


@app.command()
def serve(
    spec: SpecOpt = None,
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("build"),
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port on 127.0.0.1 (0: any free port).")] = 8000,
    legacy: LegacySpec = None,
) -> None:
    """Build, serve on 127.0.0.1, rebuild and reload the browser when the spec or site/ changes."""
    from .serve import serve as run

    run(_spec(spec, legacy, "serve"), out=out, port=port)


@app.command("trace")
def trace_cmd(
    capture: Annotated[Path, typer.Argument(help="A pcap or pcapng file (tcpdump -w, Wireshark, dumpcap).")],
    conn: Annotated[Optional[int], typer.Option("--conn", help="Only connection N (as listed).")] = None,
    host: Annotated[Optional[str], typer.Option("--host", help="Only connections with this IP address.")] = None,
    port: Annotated[Optional[int], typer.Option("--port", help="Only connections with this port.")] = None,
    format: Annotated[CaptureFormat, typer.Option("--format", "-f", click_type=_choice(CAPTURE_FORMATS), help="text: one line per connection; json: every segment; svg/png/pdf: one connection's chart.")] = "text",
    lang: Annotated[Lang, typer.Option("--lang", click_type=_choice(LANGS))] = "en",
    theme: Annotated[Theme, typer.Option("--theme", click_type=_choice(THEMES))] = "light",
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="Output file (stdout for text, json, svg when omitted).")] = None,
    spec: SpecOpt = None,
) -> None:
    """Read a capture's TCP connections and infer both endpoints' states through the spec."""
    from .capture.command import trace_capture

    data = trace_capture(_load(spec), capture, format, lang, theme, conn, host, port)
    _write(data, output, binary=format in RASTER_FORMATS)


@app.command()
def init(
    folder: Annotated[Path, typer.Argument(metavar="DIR", help="A new or empty folder.", show_default=False)],
) -> None:
    """Write an editable project: DIR/spec/tcp.yaml (with its schema), DIR/spec/linux-record.json, DIR/site/."""
    from .project_init import init_project

    files = init_project(folder)
    typer.echo(f"wrote {len(files)} files into {folder}: spec/tcp.yaml, spec/linux-record.json, site/")
    typer.echo(f"next: cd {folder} && tcpdiagram check && tcpdiagram build")


@app.command()
def verify(
    scenarios: Annotated[Optional[list[str]], typer.Argument(metavar="SCENARIO", help="Scenario ids (default: all).", show_default=False)] = None,
    runs: Annotated[int, typer.Option("--runs", min=1, help="Runs per scenario; every run must agree.")] = 5,
    record: Annotated[Optional[Path], typer.Option("--record", help="Write what was observed as JSON (spec/linux-record.json).")] = None,
    spec: SpecOpt = None,
    shutdown: Annotated[bool, typer.Option("--shutdown", help="Close with shutdown(SHUT_WR), keeping the fd, not close().")] = False,
    pcap: Annotated[Optional[Path], typer.Option("--pcap", help="Save each run's capture (A's side) in this folder as SCENARIO-runN.pcap.")] = None,
) -> None:
    """Reproduce the scenarios on this machine's Linux TCP stack (root, network namespaces) and compare with the spec."""
    from .verify import run

    rc = run(scenarios or [], runs=runs, record=record, spec_path=spec, close_call="shutdown" if shutdown else "close", write=typer.echo, pcap=pcap)
    if rc:
        raise typer.Exit(rc)


def main() -> None:
    """Console entry point: run the app and turn our errors into exit codes, never tracebacks."""
    catch_signals()  # errors.py: entry.py's fast `trace` catches them alike
    try:
        rc = app(standalone_mode=False)
        if isinstance(rc, int) and rc:
            sys.exit(rc)
    except SpecError as e:
        for issue in e.issues:
            _err(str(issue))
        n = e.total
        _err(f"{n} problem{'s' if n != 1 else ''} found")
        sys.exit(1)
    except TcpDiagramError as e:
        _err(f"error: {e}")
        sys.exit(e.exit_code)
    except KeyboardInterrupt:
        _err("interrupted")
        sys.exit(130)
    except Terminated as e:
        _err(e.line)
        sys.exit(e.exit_code)
    except OSError as e:  # disk full, permission denied, a vanished folder: the environment, not a bug
        where = f" {e.filename!r}" if e.filename else ""
        _err(f"error: cannot access{where}: {e.strerror or e}")
        sys.exit(3)
    except SystemExit:
        raise
    except BaseException as e:  # noqa: BLE001 - typer's own usage errors arrive here in non-standalone mode
        code = _usage_exit(e)
        if code is not None:
            sys.exit(code)
        import traceback

        traceback.print_exc()
        _err("internal error: this is a bug in tcpdiagram, please report it")
        sys.exit(4)


def _usage_exit(e: BaseException) -> int | None:
    """Print a typer/click usage error the way click would and return its exit code."""
    show = getattr(e, "show", None)
    exit_code = getattr(e, "exit_code", None)
    if callable(show) and isinstance(exit_code, int):
        show()
        return exit_code
    if type(e).__name__ == "Abort":
        _err("aborted")
        return 130
    return None
