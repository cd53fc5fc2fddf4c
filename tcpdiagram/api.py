"""The public Python API (notebooks, scripts, the MkDocs plugin, the Sphinx directive and the CLI all use it).

    >>> import tcpdiagram
    >>> chart = tcpdiagram.sequence_chart("simultaneous_close", lang="en")
    >>> chart.save("close.pdf")          # svg, png or pdf, from the suffix
    >>> tcpdiagram.state_diagram(view="scenario:fin_ack_close")   # a notebook shows it (_repr_svg_)

Errors are the exceptions the CLI reports: `SpecError` (every problem, each with file:line:col), `UsageError`
(an unknown scenario, view, language …, with suggestions), `ToolMissing`/`ToolFailed` (dot, rsvg-convert),
`FileUnreadable`; all derive from `tcpdiagram.errors.TcpDiagramError`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence, Union

from .errors import UsageError

if TYPE_CHECKING:
    from .model import Spec
    from .render.state_dot import View
    from .trace import Trace

SpecLike = Union["Spec", str, Path, None]
TEXT_FORMATS = ("svg", "mermaid", "plantuml")
SAVE_SUFFIXES = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".mmd": "mermaid", ".puml": "plantuml"}


def load_spec(path: str | Path | None = None) -> Spec:
    """Load and validate a spec: `path`, else ./spec/tcp.yaml, else the spec bundled with tcpdiagram.

    Raises SpecError (with every problem and its position) or FileUnreadable.
    """
    from .specfile import load_checked

    return load_checked(Path(path) if path is not None else None)


def _spec(spec: SpecLike) -> Spec:
    from .model import Spec

    return spec if isinstance(spec, Spec) else load_spec(spec)


@dataclass(frozen=True)
class Diagram:
    """A rendered diagram: `.svg` text, `.to(fmt)` bytes, `.save(path)`; Jupyter shows it through `_repr_svg_`."""

    name: str  # state-full, path-<scenario>, state-<STATE>, scenario-<scenario>
    _svg: Callable[[], str] = field(repr=False, compare=False)  # gives the SVG text (rendered on first use)
    _texts: Callable[[str], str] = field(repr=False, compare=False)  # format name → text (mermaid, plantuml, dot)

    @cached_property
    def svg(self) -> str:
        """The SVG document (UTF-8 text with its XML declaration), as `tcpdiagram render` writes it."""
        return self._svg()

    def text(self, fmt: str) -> str:
        """The diagram as text for another tool: "mermaid", "plantuml" (and "dot" for state diagrams)."""
        return self._texts(fmt)

    def inline_svg(self, prefix: str | None = None) -> str:
        """The SVG for inlining in HTML: no XML declaration, every id and reference prefixed (default: a prefix
        made from the content, so several diagrams can share a page)."""
        from .render.svg_ids import prefix_ids

        if prefix is None:
            prefix = f"tcpd{hashlib.sha256(self.svg.encode('utf-8')).hexdigest()[:8]}-"
        return prefix_ids(self.svg, prefix)

    def _repr_svg_(self) -> str:
        return self.inline_svg()

    def to(self, fmt: str) -> bytes:
        """The diagram as bytes: svg, png (2×, transparent), pdf, or a text format (mermaid, plantuml, dot)."""
        if fmt == "svg":
            return self.svg.encode("utf-8")
        if fmt in ("png", "pdf"):
            from .convert import svg_to

            return svg_to(self.svg, fmt)
        return self.text(fmt).encode("utf-8")

    def save(self, path: str | Path) -> Path:
        """Write the diagram to `path`, in the format its suffix names (.svg .png .pdf .mmd .puml); atomic."""
        from .fsutil import write_atomic

        target = Path(path)
        fmt = SAVE_SUFFIXES.get(target.suffix.lower())
        if fmt is None:
            raise UsageError(f"cannot tell the format of {str(target)!r} from its suffix; "
                             f"use one of: {', '.join(SAVE_SUFFIXES)}")
        write_atomic(target, self.to(fmt))
        return target


def state_diagram(
    view: str = "full",
    lang: str = "zh",
    naming: str = "stevens",
    layers: str | Sequence[str] | None = None,
    theme: str = "light",
    spec: SpecLike = None,
) -> Diagram:
    """A state diagram: view "full", "scenario:<ID>" (the path taken, highlighted) or "state:<ID>" (one state
    and its transitions). `layers` from figure, note, event_processing, linux (default figure,note; state views
    all). Options are checked now (UsageError); dot runs when `.svg` is first read."""
    from .render.state import make_view

    s = _spec(spec)
    v = make_view(s, view, lang, naming, layers, theme)
    name = {"full": "state-full", "scenario": f"path-{v.scenario}", "state": f"state-{v.focus}"}[v.kind]
    return Diagram(name, lambda: _state_svg(s, v), lambda fmt: _state_text(s, v, fmt))


def _state_svg(spec: Spec, view: View) -> str:
    from .render.state import cached_svg

    return cached_svg(spec, view)


def _state_text(spec: Spec, view: View, fmt: str) -> str:
    if fmt == "dot":
        from .render.state_dot import build

        return build(spec, view).source
    if fmt == "mermaid":
        from .render.mermaid import state_mermaid

        return state_mermaid(spec, view)
    if fmt == "plantuml":
        from .render.plantuml import state_plantuml

        return state_plantuml(spec, view)
    raise UsageError(f"unknown text format {fmt!r}; use one of: dot, mermaid, plantuml")


def sequence_chart(scenario: str, lang: str = "zh", theme: str = "light", spec: SpecLike = None) -> Diagram:
    """A scenario's sequence chart: two lifelines, segments in flight as slanted arrows, states on the lifelines.

    The scenario runs on the spec's transitions now (SimulationError, UsageError for an unknown id)."""
    from .model import LANGS
    from .render.scenario import check_options

    s = _spec(spec)
    check_options(lang, theme)
    trace = simulate(scenario, spec=s)
    return Diagram(f"scenario-{scenario}", lambda: _chart_svg(s, trace, lang, theme),
                   lambda fmt: _chart_text(s, trace, LANGS[LANGS.index(lang)], theme, fmt))


def _chart_svg(spec: Spec, trace: Trace, lang: str, theme: str) -> str:
    from .render.sequence_place import layout
    from .render.sequence_svg import sequence_svg

    return sequence_svg(layout(spec, trace, lang), theme)  # type: ignore[arg-type]


def _chart_text(spec: Spec, trace: Trace, lang: str, theme: str, fmt: str) -> str:
    if fmt == "mermaid":
        from .render.mermaid import sequence_mermaid

        return sequence_mermaid(spec, trace, lang, theme)  # type: ignore[arg-type]
    if fmt == "plantuml":
        from .render.plantuml import sequence_plantuml

        return sequence_plantuml(spec, trace, lang, theme)  # type: ignore[arg-type]
    raise UsageError(f"unknown text format {fmt!r}; use one of: mermaid, plantuml")


def simulate(scenario: str, numeric: bool = False, spec: SpecLike = None) -> Trace:
    """Run a scenario on the spec's own transitions; the Trace lists segments, state changes, calls and timers
    (tcpdiagram.trace.trace_to_json gives the JSON the CLI prints)."""
    from .render.state import check_choice
    from .simulate import simulate as run

    s = _spec(spec)
    check_choice("scenario", scenario, [sc.id for sc in s.scenarios])
    return run(s, scenario, numeric=numeric)
