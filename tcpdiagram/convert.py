"""SVG → PNG (2×, transparent) or PDF (small CJK TrueType subset) through rsvg-convert; no second layout."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from . import procrun
from .errors import ToolFailed, ToolMissing, UsageError
from .model import RASTER_FORMATS as FORMATS
from .render.style import FONT_FAMILY, PDF_FONT_FAMILY
INSTALL = "apt-get install librsvg2-bin"
PNG_ZOOM = 2
TIMEOUT = 60.0
_FAMILY_ATTR = re.compile(r'font-family="([^"]*)"')


def rsvg_exe() -> str:
    exe = shutil.which("rsvg-convert")
    if exe is None:
        raise ToolMissing("rsvg-convert", INSTALL)
    return exe


def pdf_fonts(svg: str) -> str:
    """The SVG with our screen font list swapped for PDF_FONT_FAMILY.

    Cairo embeds Noto Sans CJK (CFF) almost whole (~900 KB per PDF); WenQuanYi Micro Hei is
    TrueType, which cairo subsets to the glyphs used (tens of KB). Its glyphs are no wider than
    Noto's, so text laid out with Noto metrics still fits its boxes.
    """
    svg = svg.replace(FONT_FAMILY, PDF_FONT_FAMILY)
    return _FAMILY_ATTR.sub(lambda m: f'font-family="{_pdf_family(m.group(1))}"', svg)


def _pdf_family(value: str) -> str:
    families = [f.strip() for f in value.split(",")]
    return PDF_FONT_FAMILY if "sans-serif" in families or "Noto Sans CJK SC" in families else value


def svg_to(svg: str, fmt: str) -> bytes:
    """Convert one SVG document to PNG (2×, alpha kept) or PDF (vector, fonts subset)."""
    if fmt not in FORMATS:
        raise UsageError(f"cannot convert SVG to {fmt!r}; formats: {', '.join(FORMATS)}")
    exe = rsvg_exe()
    if fmt == "png":
        args = [exe, "-f", "png", "-z", str(PNG_ZOOM)]
    else:
        args = [exe, "-f", "pdf"]
        svg = pdf_fonts(svg)
    env = dict(os.environ, SOURCE_DATE_EPOCH=os.environ.get("SOURCE_DATE_EPOCH", "0"))
    try:
        done = procrun.run(args, svg.encode("utf-8"), TIMEOUT, env)  # a timeout kills rsvg-convert's whole group
    except FileNotFoundError:
        raise ToolMissing("rsvg-convert", INSTALL) from None
    except subprocess.TimeoutExpired:
        raise ToolFailed(f"rsvg-convert did not finish within {TIMEOUT:.0f} s") from None
    if done.returncode != 0 or not done.stdout:
        msg = done.stderr.decode("utf-8", "replace").strip() or "no output"
        raise ToolFailed(f"rsvg-convert failed (exit {done.returncode}): {msg}")
    return done.stdout
