"""librsvg and cairo in-process (ctypes): SVG → PDF as rsvg-convert makes it, SVG → premultiplied pixels for PNG."""

from __future__ import annotations

import ctypes
import math
import os
from datetime import datetime, timezone
from typing import Any, Callable

# Debian: librsvg2-2 and libcairo2 (librsvg2-bin, which the Makefile installs, depends on both).
LIBRARIES = {"rsvg": "librsvg-2.so.2", "cairo": "libcairo.so.2", "gobject": "libgobject-2.0.so.0"}
INSTALL = "apt-get install librsvg2-2"
DPI = 96.0  # rsvg-convert's default: SVG lengths in pt become 96/72 pixels
_POINTS_PER_PIXEL = 72.0 / DPI
_FORMAT_ARGB32 = 0
_CONTENT_COLOR_ALPHA = 0x3000
_PDF_METADATA_CREATE_DATE = 5
_STATUS_SUCCESS = 0

_VP = ctypes.c_void_p
_WRITE_FUNC = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.POINTER(ctypes.c_ubyte), ctypes.c_uint)


class _Rect(ctypes.Structure):
    _fields_ = [("x", ctypes.c_double), ("y", ctypes.c_double), ("width", ctypes.c_double),
                ("height", ctypes.c_double)]


class _GError(ctypes.Structure):
    _fields_ = [("domain", ctypes.c_uint32), ("code", ctypes.c_int), ("message", ctypes.c_char_p)]


class LibraryMissing(Exception):
    """librsvg or cairo cannot be loaded (convert.py reports it as a missing tool)."""


class RenderFailed(Exception):
    """librsvg refused the SVG or cairo failed (convert.py reports it as a failed tool)."""


class _Libs:
    """The three shared libraries with the signatures we call (loaded once per process)."""

    def __init__(self) -> None:
        try:
            self.rsvg = ctypes.CDLL(LIBRARIES["rsvg"])
            self.cairo = ctypes.CDLL(LIBRARIES["cairo"])
            self.gobject = ctypes.CDLL(LIBRARIES["gobject"])
        except OSError as e:
            raise LibraryMissing(str(e)) from None
        r, c, g = self.rsvg, self.cairo, self.gobject
        dbl, pdbl = ctypes.c_double, ctypes.POINTER(ctypes.c_double)
        _sig(r.rsvg_handle_new_from_data, _VP, [ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(ctypes.POINTER(_GError))])
        _sig(r.rsvg_handle_set_dpi, None, [_VP, dbl])
        _sig(r.rsvg_handle_get_intrinsic_size_in_pixels, ctypes.c_int, [_VP, pdbl, pdbl])
        _sig(r.rsvg_handle_render_document, ctypes.c_int,
             [_VP, _VP, ctypes.POINTER(_Rect), ctypes.POINTER(ctypes.POINTER(_GError))])
        _sig(g.g_object_unref, None, [_VP])
        _sig(c.cairo_image_surface_create, _VP, [ctypes.c_int, ctypes.c_int, ctypes.c_int])
        _sig(c.cairo_image_surface_get_data, _VP, [_VP])
        _sig(c.cairo_image_surface_get_stride, ctypes.c_int, [_VP])
        _sig(c.cairo_pdf_surface_create_for_stream, _VP, [_WRITE_FUNC, _VP, dbl, dbl])
        _sig(c.cairo_pdf_surface_set_metadata, None, [_VP, ctypes.c_int, ctypes.c_char_p])
        _sig(c.cairo_surface_flush, None, [_VP])
        _sig(c.cairo_surface_finish, None, [_VP])
        _sig(c.cairo_surface_status, ctypes.c_int, [_VP])
        _sig(c.cairo_surface_destroy, None, [_VP])
        _sig(c.cairo_recording_surface_create, _VP, [ctypes.c_int, _VP])
        _sig(c.cairo_set_source_surface, None, [_VP, _VP, dbl, dbl])
        _sig(c.cairo_paint, None, [_VP])
        _sig(c.cairo_create, _VP, [_VP])
        _sig(c.cairo_scale, None, [_VP, dbl, dbl])
        _sig(c.cairo_show_page, None, [_VP])
        _sig(c.cairo_status, ctypes.c_int, [_VP])
        _sig(c.cairo_destroy, None, [_VP])
        _sig(c.cairo_version_string, ctypes.c_char_p, [])


def _sig(fn: Any, restype: type | None, argtypes: list[type]) -> None:  # a ctypes function (its type is private)
    fn.restype = restype
    fn.argtypes = argtypes


_libs: _Libs | None = None


def libs() -> _Libs:
    """The loaded libraries; LibraryMissing when they are not installed."""
    global _libs
    if _libs is None:
        _libs = _Libs()
    return _libs


def versions() -> str:
    """librsvg's and cairo's versions and the files loaded (for the conversion cache's identity)."""
    lib = libs()
    parts = []
    for var in ("rsvg_major_version", "rsvg_minor_version", "rsvg_micro_version"):
        parts.append(str(ctypes.c_uint.in_dll(lib.rsvg, var).value))
    cairo = (lib.cairo.cairo_version_string() or b"?").decode()
    files = [_mapped(name) for name in LIBRARIES.values()]
    return f"librsvg {'.'.join(parts)}; cairo {cairo}; " + "; ".join(files)


def _mapped(soname: str) -> str:
    """Path, size and mtime of the file a loaded soname resolves to (from /proc/self/maps)."""
    try:
        with open("/proc/self/maps", encoding="utf-8") as f:
            paths = sorted({line.split()[-1] for line in f if soname.split(".so")[0] + ".so" in line})
    except OSError:
        return soname
    out = []
    for p in paths:
        try:
            st = os.stat(p)
        except OSError:
            continue
        out.append(f"{p} {st.st_size} {st.st_mtime_ns}")
    return ", ".join(out) or soname


class _Handle:
    """An RsvgHandle for one SVG document and its size in pixels at 96 dpi."""

    def __init__(self, svg: bytes) -> None:
        self.lib = libs()
        err = ctypes.POINTER(_GError)()
        self.ptr = self.lib.rsvg.rsvg_handle_new_from_data(svg, len(svg), ctypes.byref(err))
        if not self.ptr:
            raise RenderFailed(_message(err, "librsvg could not read the SVG"))
        self.lib.rsvg.rsvg_handle_set_dpi(self.ptr, DPI)
        w, h = ctypes.c_double(), ctypes.c_double()
        if not self.lib.rsvg.rsvg_handle_get_intrinsic_size_in_pixels(self.ptr, ctypes.byref(w), ctypes.byref(h)):
            self.close()
            raise RenderFailed("the SVG has no intrinsic size (width and height)")
        self.width, self.height = w.value, h.value

    def render(self, cr: int) -> None:
        err = ctypes.POINTER(_GError)()
        viewport = _Rect(0.0, 0.0, self.width, self.height)
        if not self.lib.rsvg.rsvg_handle_render_document(self.ptr, cr, ctypes.byref(viewport), ctypes.byref(err)):
            raise RenderFailed(_message(err, "librsvg could not render the SVG"))
        if self.lib.cairo.cairo_status(cr) != _STATUS_SUCCESS:
            raise RenderFailed(f"cairo failed (status {self.lib.cairo.cairo_status(cr)})")

    def close(self) -> None:
        if self.ptr:
            self.lib.gobject.g_object_unref(self.ptr)
            self.ptr = None


def _message(err: ctypes._Pointer[_GError], fallback: str) -> str:
    if err and err.contents.message:
        return f"{fallback}: {err.contents.message.decode('utf-8', 'replace')}"
    return fallback


Pixels = tuple[int, int, int, bytes]  # width, height, stride, premultiplied BGRA rows (cairo's ARGB32)


def pixels(svg: bytes, zoom: float, recorded: bool = True) -> Pixels:
    """Rasterise at `zoom` × 96 dpi as rsvg-convert -z does: size rounded up, transparent background.

    `recorded`: librsvg draws into a cairo recording surface, which is then painted onto the image: the same
    pixels, bit for bit (tests/test_convert.py compares the two ways), ~5 % less CPU (measured alternating on
    the site's 114 PNGs; most of the time is librsvg's text, drawn as filled glyph outlines either way)."""
    handle = _Handle(svg)
    c = handle.lib.cairo
    try:
        width, height = math.ceil(handle.width * zoom), math.ceil(handle.height * zoom)
        surface = c.cairo_image_surface_create(_FORMAT_ARGB32, width, height)
        if c.cairo_surface_status(surface) != _STATUS_SUCCESS:
            c.cairo_surface_destroy(surface)
            raise RenderFailed(f"cairo cannot make a {width}×{height} image")
        cr = c.cairo_create(surface)
        try:
            if recorded:
                _record_and_paint(handle, cr, zoom)
            else:
                c.cairo_scale(cr, zoom, zoom)
                handle.render(cr)
            c.cairo_surface_flush(surface)
            stride = c.cairo_image_surface_get_stride(surface)
            data = ctypes.string_at(c.cairo_image_surface_get_data(surface), stride * height)
        finally:
            c.cairo_destroy(cr)
            c.cairo_surface_destroy(surface)
    finally:
        handle.close()
    return width, height, stride, data


def _record_and_paint(handle: _Handle, cr: int, zoom: float) -> None:
    """Render the document into a recording surface at `zoom`, then paint that onto `cr`'s image."""
    c = handle.lib.cairo
    recording = c.cairo_recording_surface_create(_CONTENT_COLOR_ALPHA, None)  # unbounded
    try:
        if c.cairo_surface_status(recording) != _STATUS_SUCCESS:
            raise RenderFailed("cairo cannot make a recording surface")
        rec = c.cairo_create(recording)
        try:
            c.cairo_scale(rec, zoom, zoom)
            handle.render(rec)
        finally:
            c.cairo_destroy(rec)
        c.cairo_set_source_surface(cr, recording, 0.0, 0.0)
        c.cairo_paint(cr)
        if c.cairo_status(cr) != _STATUS_SUCCESS:
            raise RenderFailed(f"cairo failed (status {c.cairo_status(cr)})")
    finally:
        c.cairo_surface_destroy(recording)


def pdf(svg: bytes, epoch: str | None) -> bytes:
    """One-page vector PDF the size of the SVG in points, fonts subset by cairo; CreationDate from `epoch`
    (SOURCE_DATE_EPOCH, as rsvg-convert reads it)."""
    handle = _Handle(svg)
    c = handle.lib.cairo
    chunks: list[bytes] = []

    def write(_closure: int | None, data: ctypes._Pointer[ctypes.c_ubyte], length: int) -> int:
        chunks.append(ctypes.string_at(data, length))
        return _STATUS_SUCCESS

    writer: Callable[..., int] = _WRITE_FUNC(write)
    try:
        surface = c.cairo_pdf_surface_create_for_stream(writer, None, handle.width * _POINTS_PER_PIXEL,
                                                        handle.height * _POINTS_PER_PIXEL)
        try:
            if epoch is not None:
                c.cairo_pdf_surface_set_metadata(surface, _PDF_METADATA_CREATE_DATE, _rfc3339(epoch).encode())
            cr = c.cairo_create(surface)
            try:
                c.cairo_scale(cr, _POINTS_PER_PIXEL, _POINTS_PER_PIXEL)
                handle.render(cr)
                c.cairo_show_page(cr)
            finally:
                c.cairo_destroy(cr)
            c.cairo_surface_finish(surface)
            if c.cairo_surface_status(surface) != _STATUS_SUCCESS:
                raise RenderFailed(f"cairo could not write the PDF (status {c.cairo_surface_status(surface)})")
        finally:
            c.cairo_surface_destroy(surface)
    finally:
        handle.close()
    return b"".join(chunks)


def _rfc3339(epoch: str) -> str:
    """SOURCE_DATE_EPOCH seconds as rsvg-convert writes them (chrono's to_rfc3339: +00:00)."""
    try:
        seconds = int(epoch)
    except ValueError:
        raise RenderFailed(f"SOURCE_DATE_EPOCH {epoch!r} is not a whole number of seconds") from None
    return datetime.fromtimestamp(seconds, timezone.utc).isoformat()
