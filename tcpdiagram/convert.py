"""SVG → PNG (2×, transparent) or PDF (small CJK TrueType subset) with librsvg in-process; no second layout."""

from __future__ import annotations

import os
import re
import struct
import zlib

from .errors import ToolFailed, ToolMissing, UsageError
from .model import RASTER_FORMATS as FORMATS
from .render.style import FONT_FAMILY, PDF_FONT_FAMILY

PNG_ZOOM = 2
# zlib-ng level of the PNG data, rows unfiltered: diagrams are flat colour, where filters add noise. Level 4
# writes ~22 % smaller files than rsvg-convert (libpng: adaptive filters, zlib level 6) in a tenth of its time.
PNG_LEVEL = 4
_FAMILY_ATTR = re.compile(r'font-family="([^"]*)"')
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


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
    """Convert one SVG document to PNG (2×, alpha kept) or PDF (vector, fonts subset).

    librsvg draws it into cairo as rsvg-convert does (the PDF draws the same and is mostly byte for byte its
    output; the PNG has its pixels), loaded once per process: no process start and no font set-up per file.
    """
    if fmt not in FORMATS:
        raise UsageError(f"cannot convert SVG to {fmt!r}; formats: {', '.join(FORMATS)}")
    from . import rsvg

    try:
        if fmt == "png":
            return png(*rsvg.pixels(svg.encode("utf-8"), PNG_ZOOM))
        return rsvg.pdf(pdf_fonts(svg).encode("utf-8"), os.environ.get("SOURCE_DATE_EPOCH", "0"))
    except rsvg.LibraryMissing as e:
        raise ToolMissing("librsvg", rsvg.INSTALL, where=f"as a library ({e})") from None
    except rsvg.RenderFailed as e:
        raise ToolFailed(str(e)) from None


def png(width: int, height: int, stride: int, bgra: bytes) -> bytes:
    """An 8-bit RGBA PNG from cairo's premultiplied BGRA rows: Pillow un-premultiplies (as cairo's own writer does,
    within one level of rounding), zlib-ng deflates; deterministic for given library versions (convert identity)."""
    from PIL import Image
    from zlib_ng import zlib_ng

    rgba = Image.frombuffer("RGBA", (width, height), bgra, "raw", "BGRa", stride, 1).tobytes()
    z = zlib_ng.compressobj(PNG_LEVEL, zlib_ng.DEFLATED, 15, 9)
    row = 4 * width
    view = memoryview(rgba)
    parts = []
    for y in range(height):
        parts.append(z.compress(b"\0"))  # filter type 0 (None) for every row
        parts.append(z.compress(view[y * row:(y + 1) * row]))
    parts.append(z.flush())
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8 bits, RGBA, deflate, no interlace
    return _PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", b"".join(parts)) + _chunk(b"IEND", b"")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def identity() -> str:
    """What besides the SVG decides a conversion's bytes: librsvg, cairo, Pillow and zlib versions, PNG_LEVEL."""
    from PIL import __version__ as pillow
    from zlib_ng import zlib_ng

    from . import rsvg

    try:
        libs = rsvg.versions()
    except rsvg.LibraryMissing as e:
        raise ToolMissing("librsvg", rsvg.INSTALL, where=f"as a library ({e})") from None
    return f"{libs}; Pillow {pillow}; zlib-ng {zlib_ng.ZLIBNG_RUNTIME_VERSION}; png level {PNG_LEVEL} zoom {PNG_ZOOM} recorded"
