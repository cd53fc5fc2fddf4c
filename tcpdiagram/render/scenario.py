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


def check_options(lang: str, theme: str, fmt: str = "svg") -> None:
    """UsageError (exit 2) for a language, theme or format a chart cannot have."""
    if lang not in LANGS:
        raise UsageError(f"unknown language {lang!r}; use one of: {', '.join(LANGS)}")
    if theme not in THEMES:
        raise UsageError(f"unknown theme {theme!r}; use one of: {', '.join(THEMES)}")
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; use one of: {', '.join(FORMATS)}")


def render_scenario(spec: Spec, scenario_id: str, lang: str = "zh", theme: str = "light", fmt: str = "svg") -> bytes:
    """Render one scenario's sequence chart as svg, png (2×, transparent), pdf, mermaid or plantuml bytes."""
    from ..api import sequence_chart

    check_options(lang, theme, fmt)
    return sequence_chart(scenario_id, lang, theme, spec=spec).to(fmt)
