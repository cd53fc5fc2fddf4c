"""SVG → PNG/PDF through librsvg in-process: Chinese glyphs present, PNG 2× with alpha and not blank, PDF small and
drawn as rsvg-convert draws it."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from tcpdiagram import rsvg
from tcpdiagram.convert import pdf_fonts, svg_to
from tcpdiagram.errors import ToolFailed, ToolMissing, UsageError
from tcpdiagram.model import Spec
from tcpdiagram.render.state import render_state
from tcpdiagram.render.style import FONT_FAMILY, PDF_FONT_FAMILY

needs_rsvg = pytest.mark.skipif(shutil.which("rsvg-convert") is None, reason="rsvg-convert not installed")
needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
PDF_LIMIT = 200 * 1024
SMALL = ('<svg xmlns="http://www.w3.org/2000/svg" width="40pt" height="20pt" viewBox="0 0 40 20">'
         f'<text x="2" y="15" font-family="{FONT_FAMILY}" font-size="12">已建立</text></svg>')


def png_pixels(data: bytes) -> tuple[int, int, int, list[bytes]]:
    """(width, height, colour type, rows of raw RGBA bytes) of an 8-bit non-interlaced PNG, stdlib only."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        (length,), kind = struct.unpack(">I", data[pos:pos + 4]), data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    assert header is not None
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and interlace == 0 and colour in (2, 6)
    n = 4 if colour == 6 else 3
    raw, stride = zlib.decompress(idat), width * n
    rows, prev = [], bytes(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        rows.append(prev := _unfilter(f, raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)], prev, n))
    return width, height, colour, rows


def _unfilter(f: int, line: bytes, prev: bytes, n: int) -> bytes:
    """Undo one PNG row filter; zero runs (transparent background) are skipped, not looped over."""
    out = bytearray(line)
    if f == 0:
        return bytes(out)
    nonzero = re.compile(rb"[^\x00]")
    both = bytes(a | b for a, b in zip(line, prev)) if f != 1 else line
    i, size = 0, len(line)
    while i < size:
        if i % n == 0 and not any(out[max(0, i - n):i]) and not any(prev[max(0, i - n):i]):
            m = nonzero.search(both, i)  # everything up to the next non-zero byte decodes to zero
            if m is None:
                break
            i = m.start() - m.start() % n
        a = out[i - n] if i >= n else 0
        b, c = prev[i], prev[i - n] if i >= n else 0
        if f == 1:
            pred = a
        elif f == 2:
            pred = b
        elif f == 3:
            pred = (a + b) // 2
        else:
            pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
            pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
        out[i] = (out[i] + pred) & 0xFF
        i += 1
    return bytes(out)


_NUMBER = re.compile(rb"-?\d+\.\d+")


def _drawn(pdf: bytes) -> list[tuple[bytes, list[float]]]:
    """The PDF's decompressed streams, each as its text with every decimal number taken out, and those numbers."""
    streams = [zlib.decompress(m) for m in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S)]
    return [(_NUMBER.sub(b"#", x), [float(n) for n in _NUMBER.findall(x)]) for x in streams]


def _same_drawing(a: bytes, b: bytes) -> bool:
    """The same operators in the same order, every coordinate equal within 0.001 pt (rounding the last printed
    digit differently, 282.0625 printed as 282.062 or 282.063, is no difference in the drawing)."""
    da, db = _drawn(a), _drawn(b)
    return len(da) == len(db) and all(
        ta == tb and len(na) == len(nb) and all(abs(x - y) <= 1e-3 for x, y in zip(na, nb))
        for (ta, na), (tb, nb) in zip(da, db))


def test_pdf_fonts_swaps_only_our_font_list() -> None:
    svg = f'<text font-family="{FONT_FAMILY}">a</text><text font-family="monospace">b</text>'
    out = pdf_fonts(svg)
    assert f'font-family="{PDF_FONT_FAMILY}"' in out and 'font-family="monospace"' in out
    assert FONT_FAMILY not in out


def test_unknown_format_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="cannot convert SVG to 'gif'"):
        svg_to(SMALL, "gif")


def test_missing_librsvg_is_tool_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The library name a system without librsvg cannot load (the real dlopen fails)."""
    monkeypatch.setitem(rsvg.LIBRARIES, "rsvg", "librsvg-not-installed.so.2")
    monkeypatch.setattr(rsvg, "_libs", None)
    with pytest.raises(ToolMissing) as e:
        svg_to(SMALL, "png")
    assert e.value.tool == "librsvg" and e.value.install == "apt-get install librsvg2-2"
    assert e.value.exit_code == 3 and "not found as a library" in str(e.value)


def test_broken_svg_is_tool_failed() -> None:
    with pytest.raises(ToolFailed, match="librsvg could not read the SVG"):
        svg_to("<svg", "png")


@needs_rsvg
@pytest.mark.dot
def test_pdf_is_what_rsvg_convert_makes_and_png_has_its_pixels(spec: Spec, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process librsvg renders as the rsvg-convert command: the PDF draws the same (its streams equal up to the
    last printed digit of a coordinate: 30.914063 vs 30.914062 happens), and the PNG's pixels are within one
    level of rounding (Pillow and cairo un-premultiply alpha alike but round differently)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1704067200")
    svg = render_state(spec, lang="zh").decode("utf-8")
    exe = shutil.which("rsvg-convert")
    assert exe
    command_pdf = subprocess.run([exe, "-f", "pdf"], input=pdf_fonts(svg).encode(), capture_output=True,
                                 check=True).stdout
    assert _same_drawing(svg_to(svg, "pdf"), command_pdf)
    command_png = subprocess.run([exe, "-f", "png", "-z", "2"], input=svg.encode(), capture_output=True,
                                 check=True).stdout
    ours, theirs = png_pixels(svg_to(svg, "png")), png_pixels(command_png)
    assert ours[:3] == theirs[:3]
    assert len(svg_to(svg, "png")) < len(command_png)  # unfiltered rows deflate smaller for flat diagrams
    worst = 0
    for a, b in zip(ours[3][::7], theirs[3][::7]):
        worst = max(worst, max(abs(x - y) for x, y in zip(a, b)))
    assert worst <= 1


@needs_rsvg
@pytest.mark.dot
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_png_is_2x_transparent_and_not_blank(spec: Spec, lang: str) -> None:
    svg = render_state(spec, lang=lang).decode("utf-8")
    data = svg_to(svg, "png")
    width, height, colour, rows = png_pixels(data)
    assert colour == 6  # RGBA
    pt_width = float(svg.split('width="', 1)[1].split("pt", 1)[0])
    assert abs(width - 2 * pt_width * 96 / 72) <= 2  # rsvg: 96 px per inch, zoom 2
    alphas = [row[x + 3] for row in rows[::4] for x in range(0, len(row), 16)]
    assert alphas.count(0) > len(alphas) // 2  # transparent background
    inked = sum(1 for a in alphas if a > 128)
    assert inked > len(alphas) // 100  # lines and text, not a blank page
    assert rows[0][3] == 0 and rows[-1][-1] == 0  # corners transparent


@needs_rsvg
@needs_poppler
@pytest.mark.dot
@pytest.mark.parametrize(("lang", "words"), [("zh", ["已建立连接", "主动关闭", "收到 SYN"]),
                                             ("en", ["Established", "active close", "rcv SYN"])])
def test_pdf_has_the_text_small_and_subset(spec: Spec, tmp_path: Path, lang: str, words: list[str]) -> None:
    data = render_state(spec, lang=lang, fmt="pdf")
    assert data.startswith(b"%PDF") and len(data) < PDF_LIMIT, len(data)
    path = tmp_path / "full.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout
    for w in words:
        assert w in text, w
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows and all("WenQuanYiMicroHei" in r and " yes yes " in r for r in rows), fonts
    assert data == render_state(spec, lang=lang, fmt="pdf")  # deterministic (SOURCE_DATE_EPOCH)


@needs_rsvg
def test_small_svg_converts_with_cjk() -> None:
    width, height, _, rows = png_pixels(svg_to(SMALL, "png"))
    assert abs(width - 107) <= 1 and abs(height - 53) <= 1  # 40 × 20 pt at 96 dpi, zoom 2
    assert any(any(row[i] for i in range(3, len(row), 4)) for row in rows)


@needs_rsvg
@pytest.mark.dot
def test_recorded_raster_is_the_direct_one_bit_for_bit(spec: Spec) -> None:
    """rsvg.pixels draws through a recording surface (faster): every kind of diagram, both languages and themes,
    and a label with every awkward character, give exactly the pixels of librsvg drawing on the image."""
    from tcpdiagram.render.scenario import render_scenario

    svgs = [render_state(spec, lang=lang, theme=theme) for lang in ("zh", "en") for theme in ("light", "dark")]
    svgs += [render_state(spec, view="state:TIME_WAIT", lang="en"), render_scenario(spec, "normal_close", lang="zh")]
    svgs.append(b'<svg xmlns="http://www.w3.org/2000/svg" width="220" height="60"><g opacity="0.5">'
                b'<text x="4" y="30" font-size="13">&lt;&amp;&gt; \xe7\x9b\x91\xe5\x90\xac \xe2\x86\x92 SYN+ACK</text>'
                b'</g><path d="M4 40 C 60 60, 120 20, 210 44" stroke="#c00" fill="none" stroke-dasharray="4 2"/></svg>')
    for svg in svgs:
        assert rsvg.pixels(svg, 2) == rsvg.pixels(svg, 2, recorded=False)
