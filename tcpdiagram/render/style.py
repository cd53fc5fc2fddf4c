"""Fonts and colour palettes shared by every renderer (light and dark ink on a transparent background)."""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Theme

# The first installed family lays the text out; the rest make the SVG render well where it is embedded.
FONT_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Microsoft YaHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "WenQuanYi Micro Hei",
    "sans-serif",
)
FONT_FAMILY = ", ".join(FONT_FAMILIES)
# For PDF export: a TrueType CJK font cairo subsets small (Noto's CFF makes ~900 KB PDFs).
PDF_FONT_FAMILY = "WenQuanYi Micro Hei"


@dataclass(frozen=True)
class Palette:
    """The colours of one theme."""

    ink: str  # text and normal lines
    muted: str  # secondary text, legends, grid
    faded: str  # what a highlight pushes to the back
    fill: str  # state boxes
    cluster: str  # group outlines
    peer_a: str  # scenario colour of peer A (client)
    peer_b: str  # scenario colour of peer B (server)
    accent: str  # timers, warnings


PALETTES: dict[Theme, Palette] = {
    "light": Palette(
        ink="#1f2328", muted="#57606a", faded="#c8ccd1", fill="#f6f8fa", cluster="#8c959f",
        peer_a="#0969da", peer_b="#cf222e", accent="#9a6700",
    ),
    "dark": Palette(
        ink="#e6edf3", muted="#9da7b3", faded="#3d444d", fill="#161b22", cluster="#768390",
        peer_a="#58a6ff", peer_b="#ff7b72", accent="#d29922",
    ),
}
