"""Render every diagram of the catalogue in every language and theme; Graphviz in two batched processes."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

from ..model import Lang, Spec
from ..trace import Trace
from .catalog import RASTER_FORMATS, RASTER_THEMES, THEMES, Diagram, Theme, catalog
from .convert_cache import ConvertCache

DOT_PROCESSES = 2

Tick = Callable[[int], None]


@dataclass(frozen=True)
class Job:
    lang: Lang
    theme: Theme
    diagram: Diagram


def stable_clusters(svg: str) -> str:
    """Put the cluster groups in id order: after the first graph, one dot 2.43 process emits them in a
    varying order (same drawing, different bytes). Should move into render/svg_post.py."""
    import xml.etree.ElementTree as ET

    from ..render.svg_post import SVG_NS

    root = ET.fromstring(svg.encode("utf-8"))
    graph = root.find(f"{{{SVG_NS}}}g")
    if graph is None:
        return svg
    clusters = [g for g in graph if g.get("class") == "cluster"]
    if len(clusters) < 2:
        return svg
    slots = [i for i, g in enumerate(graph) if g.get("class") == "cluster"]
    for i, g in zip(slots, sorted(clusters, key=lambda g: g.get("id", ""))):
        graph[i] = g
    head = svg[: svg.index("<svg")]
    return head + ET.tostring(root, encoding="unicode", short_empty_elements=True) + "\n"


def state_svgs(spec: Spec, jobs: Sequence[Job]) -> list[str]:
    """All state diagrams through at most DOT_PROCESSES `dot` processes running side by side."""
    from ..render.state import make_view, svgs

    views = [make_view(spec, j.diagram.view, lang=j.lang, theme=j.theme) for j in jobs]
    if len(views) < 2 * DOT_PROCESSES:
        return [stable_clusters(svg) for svg in svgs(spec, views)]
    half = (len(views) + 1) // 2
    with ThreadPoolExecutor(DOT_PROCESSES) as pool:
        parts = list(pool.map(lambda vs: svgs(spec, vs), [views[:half], views[half:]]))
    return [stable_clusters(svg) for part in parts for svg in part]


def chart_svg(spec: Spec, job: Job, trace: Trace) -> str:
    """A sequence chart from the trace the build already has (no second simulation)."""
    from ..render.sequence import layout
    from ..render.sequence_svg import sequence_svg

    return sequence_svg(layout(spec, trace, job.lang), job.theme)


def render_all(
    spec: Spec,
    traces: Mapping[str, Trace],
    langs: Sequence[Lang],
    cache: ConvertCache,
    tick: Tick = lambda n: None,
) -> dict[Lang, dict[str, bytes]]:
    """language → file name → bytes, for every diagram, theme and format; `tick(n)` reports progress."""
    diagrams = catalog(spec)
    jobs = [Job(lang, theme, d) for lang in langs for d in diagrams for theme in THEMES]
    state_jobs = [j for j in jobs if j.diagram.kind == "state"]
    svg: dict[Job, str] = dict(zip(state_jobs, state_svgs(spec, state_jobs)))
    tick(len(state_jobs))
    for j in jobs:
        if j.diagram.kind == "scenario":
            svg[j] = chart_svg(spec, j, traces[j.diagram.view])
            tick(1)
    out: dict[Lang, dict[str, bytes]] = {lang: {} for lang in langs}
    for j in jobs:
        out[j.lang][j.diagram.file(j.theme, "svg")] = svg[j].encode("utf-8")
    todo = [(j, fmt) for j in jobs if j.theme in RASTER_THEMES for fmt in RASTER_FORMATS]

    def convert(item: tuple[Job, str]) -> bytes:
        data = cache.convert(svg[item[0]], item[1])
        tick(1)
        return data

    with ThreadPoolExecutor(cache.workers) as pool:
        for (j, fmt), data in zip(todo, pool.map(convert, todo)):
            out[j.lang][j.diagram.file(j.theme, fmt)] = data
    return out


def count(spec: Spec, langs: Sequence[Lang]) -> int:
    """How many ticks render_all will report (for a progress bar)."""
    n = len(catalog(spec)) * len(langs)
    return n * len(THEMES) + n * len(RASTER_THEMES) * len(RASTER_FORMATS)
