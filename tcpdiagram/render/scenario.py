"""A scenario's sequence chart end to end: simulate, lay out, write SVG, convert to PNG/PDF if asked."""

from __future__ import annotations

from ..errors import UsageError
from ..model import CHART_FORMATS as FORMATS
from ..model import LANGS, THEMES, Lang, Spec, Theme
from ..simulate import simulate
from .sequence_place import layout
from .sequence_svg import sequence_svg


def scenario_svg(spec: Spec, scenario_id: str, lang: Lang = "zh", theme: Theme = "light") -> str:
    """The chart as SVG text (ids prefixed `seq-<scenario>-`, so several can share one page)."""
    return sequence_svg(layout(spec, simulate(spec, scenario_id), lang), theme)


def render_scenario(spec: Spec, scenario_id: str, lang: str = "zh", theme: str = "light", fmt: str = "svg") -> bytes:
    """Render one scenario's sequence chart as svg, png (2×, transparent) or pdf bytes."""
    if lang not in LANGS:
        raise UsageError(f"unknown language {lang!r}; use one of: {', '.join(LANGS)}")
    if theme not in THEMES:
        raise UsageError(f"unknown theme {theme!r}; use one of: {', '.join(THEMES)}")
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; use one of: {', '.join(FORMATS)}")
    svg = scenario_svg(spec, scenario_id, lang, theme)
    if fmt == "svg":
        return svg.encode("utf-8")
    from ..convert import svg_to

    return svg_to(svg, fmt)
