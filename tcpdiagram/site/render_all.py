"""Render every diagram of the catalogue in every language and theme; Graphviz in two batched processes."""

from __future__ import annotations

import json
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterator, Mapping, Sequence

from ..model import RASTER_FORMATS, THEMES, Lang, Spec, Theme
from ..trace import Trace
from .catalog import RASTER_THEMES, Diagram, catalog
from ..cache.convert import ConvertCache
from ..cache.layout import LayoutCache

if TYPE_CHECKING:
    from ..render.state_dot import Diagram as StateDiagram
    from .linux import Linux
    from .memo import PageMemo

DOT_PROCESSES = 2

Tick = Callable[[int], None]


@dataclass(frozen=True)
class Job:
    lang: Lang
    theme: Theme
    diagram: Diagram


def state_svgs(spec: Spec, jobs: Sequence[Job], cache: LayoutCache | None = None) -> list[str]:
    """All state diagrams: cached ones read back, the rest through at most DOT_PROCESSES `dot` processes."""
    from ..render.state import make_view
    from ..render.state_dot import build

    diagrams = [build(spec, make_view(spec, j.diagram.view, lang=j.lang, theme=j.theme)) for j in jobs]
    return (cache or LayoutCache(None)).svgs(diagrams, batched)


def batched(diagrams: Sequence[StateDiagram]) -> list[str]:
    """Lay out diagrams in one `dot` process, or two side by side when there are enough to share."""
    from ..render.state import finish

    if len(diagrams) < 2 * DOT_PROCESSES:
        return finish(diagrams)
    half = (len(diagrams) + 1) // 2
    with ThreadPoolExecutor(DOT_PROCESSES) as pool:
        parts = list(pool.map(finish, [diagrams[:half], diagrams[half:]]))
    return [svg for part in parts for svg in part]


def chart_svg(spec: Spec, job: Job, trace: Trace) -> str:
    """A sequence chart from the trace the build already has (no second simulation)."""
    from ..render.sequence_place import layout
    from ..render.sequence_svg import sequence_svg

    return sequence_svg(layout(spec, trace, job.lang), job.theme)


def observed_chart_svg(spec: Spec, job: Job, linux: Linux) -> str:
    """The chart of a recorded Linux run (the catalogue lists only runs that still agree with the spec)."""
    from ..render.observed_chart import observed_svg

    svg = observed_svg(spec, linux.record, job.diagram.view, job.lang, job.theme)
    if svg is None:
        raise RuntimeError(f"the Linux record has no run of {job.diagram.view!r}, yet the catalogue lists its chart")
    return svg


def render_svgs(
    spec: Spec, traces: Mapping[str, Trace], langs: Sequence[Lang], layout: LayoutCache | None = None,
    linux: Linux | None = None, memo: PageMemo | None = None,
) -> dict[Lang, dict[str, str]]:
    """language → SVG file name → SVG text, for every diagram in both themes (`linux`: the build's record).
    `memo` (serve's): a diagram whose inputs are those of the previous rebuild is taken from it."""
    diagrams = catalog(spec, linux)
    jobs = [Job(lang, theme, d) for lang in langs for d in diagrams for theme in THEMES]
    record = "" if linux is None else json.dumps(linux.record, sort_keys=True, default=str)

    def chart(j: Job) -> str:
        if j.diagram.kind == "scenario":
            return chart_svg(spec, j, traces[j.diagram.view])
        if j.diagram.kind == "capture":
            from ..capture.site import capture_chart_svg

            return capture_chart_svg(spec, j.diagram.view, j.lang, j.theme)
        assert j.diagram.kind == "observed" and linux is not None
        return observed_chart_svg(spec, j, linux)

    def parts(j: Job) -> tuple[object, ...]:
        return (j.diagram.kind, j.diagram.view, j.theme, record if j.diagram.kind == "observed" else "")

    keys = {j: memo.diagram_key(spec, j.lang, parts(j)) for j in jobs} if memo is not None else {}
    svg: dict[Job, str] = {}
    if memo is not None:
        for j in jobs:
            if (found := memo.take(memo.diagrams, keys[j])) is not None:
                svg[j] = found
    todo = [j for j in jobs if j.diagram.kind == "state" and j not in svg]  # laid out together: dot in batches
    svg.update(zip(todo, state_svgs(spec, todo, layout)))
    for j in jobs:
        if j not in svg:
            svg[j] = chart(j)
    if memo is not None:
        for j in jobs:
            if keys[j] not in memo.diagrams:
                memo.keep(memo.diagrams, keys[j], svg[j])
    out: dict[Lang, dict[str, str]] = {lang: {} for lang in langs}
    for j in jobs:
        out[j.lang][j.diagram.file(j.theme, "svg")] = svg[j]
    return out


@dataclass(frozen=True)
class Raster:
    """A PNG or PDF to make from one of the SVGs."""

    lang: Lang
    name: str  # state-full.png
    source: str  # state-full.svg
    fmt: str


def rasters(spec: Spec, langs: Sequence[Lang], linux: Linux | None = None) -> list[Raster]:
    """Every PNG and PDF of the build, in a stable order."""
    return [
        Raster(lang, d.file(theme, fmt), d.file(theme, "svg"), fmt)
        for lang in langs for d in catalog(spec, linux) for theme in RASTER_THEMES for fmt in RASTER_FORMATS
    ]


class Conversions:
    """PNG/PDF conversions: cached ones read back at once, the rest in worker processes (convert_pool) while the
    caller does other work; each new result is stored in the cache."""

    def __init__(self, svgs: Mapping[Lang, Mapping[str, str]], todo: Sequence[Raster], cache: ConvertCache) -> None:
        self.cache = cache
        started: dict[Raster, tuple[Future[bytes], bool]] = {}
        # Largest first (PNG before PDF): the two workers then finish close together.
        for r in sorted(todo, key=lambda r: (r.fmt != "png", -len(svgs[r.lang][r.source]))):
            started[r] = cache.start(svgs[r.lang][r.source], r.fmt)
        self.started = [(r, svgs[r.lang][r.source], started[r]) for r in todo]
        self.kept = False  # site.late.Late took the unfinished ones: close() leaves them running

    def results(self, tick: Tick = lambda n: None) -> Iterator[tuple[Raster, bytes]]:
        """Each raster with its bytes, in order; the first failure is raised."""
        for raster, svg, started in self.started:
            yield raster, self.cache.finish(svg, raster.fmt, started)
            tick(1)

    def close(self) -> None:
        """Stop: drop what has not started (the worker processes stay for the next build of this process)."""
        for _, _, (future, _) in [] if self.kept else self.started:
            future.cancel()
