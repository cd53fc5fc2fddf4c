"""A SequenceLayout written as SVG through the Jinja2 template (escaped, strict, byte-for-byte stable)."""

from __future__ import annotations

from dataclasses import asdict
from functools import lru_cache
from pathlib import Path

import jinja2

from .sequence import SequenceLayout
from ..model import Theme
from .style import FONT_FAMILY, PALETTES

TEMPLATES = Path(__file__).resolve().parent / "templates"


def number(value: float) -> str:
    """Coordinates with at most one decimal, no trailing zeros: stable text for golden files."""
    text = f"{round(float(value), 1):.1f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
        keep_trailing_newline=True,
    )
    env.filters["n"] = number
    return env


def sequence_svg(layout: SequenceLayout, theme: Theme = "light") -> str:
    """Render the chart; colours from the theme's palette on a transparent background."""
    palette = asdict(PALETTES[theme])
    return _env().get_template("sequence.svg.j2").render(
        L=layout, ink=palette, peer={"A": "peer_a", "B": "peer_b"}, font=FONT_FAMILY)
