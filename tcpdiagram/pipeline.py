"""The only writer of build output: spec → traces → diagrams → pages → MkDocs, swapped in atomically."""

from __future__ import annotations

import os
import shutil
import sys
import time
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, Sequence

from . import faultpoints, outswap
from .errors import UsageError, WriteFailed
from .model import LANGS, Lang, Spec
from .outdir import guard, refuse_cwd
from .specfile import site_source
from .stamp import (DEFAULT_SOURCE_DATE_EPOCH, MARKER, MARKER_TEXT, current_key, is_up_to_date, linux_record,
                    read_marker, write_marker)

if TYPE_CHECKING:
    from .site.late import Late
    from .site.memo import PageMemo
    from .site.progress import Reporter

__all__ = ["MARKER", "MARKER_TEXT", "DEFAULT_SOURCE_DATE_EPOCH", "BuildResult", "KeepWork", "build", "build_spec",
           "guard", "site_source"]

# Called with (spec, languages, site, docs folder MkDocs built, generated page paths) before the work folder
# goes: bench/keep_work.py keeps the pages for the benchmark's floor. Builds users run pass none.
KeepWork = Callable[[Spec, tuple[Lang, ...], Path, Path, list[str]], None]


@dataclass(frozen=True)
class BuildResult:
    out: Path
    pages: int
    files: int
    warnings: tuple[str, ...]
    seconds: float
    up_to_date: bool = False  # nothing changed: OUT was left as it was
    laid_out: int = 0  # state diagrams sent to dot (the others came from the layout cache)
    converted: int = 0  # PNG/PDF files rsvg-convert made (the others came from the conversion cache)


def check_langs(langs: Sequence[str]) -> tuple[Lang, ...]:
    """Known languages, each once, in the order given (the first is the site's default)."""
    out: list[Lang] = []
    for lang in langs:
        if lang not in LANGS:
            raise UsageError(f"unknown language {lang!r}; choose from: {', '.join(LANGS)}")
        if lang not in out:
            out.append(lang)
    if not out:
        raise UsageError(f"--lang needs at least one of: {', '.join(LANGS)}")
    return tuple(out)


def prepare(out: Path) -> list[str]:
    """Refuse an OUT the build cannot replace whole, undo what interrupted builds of it left (outswap.recover),
    then guard. Returns warnings (leftovers that could not be removed)."""
    from . import outswap

    full = Path(os.path.abspath(out))
    refuse_cwd(out)
    kept = outswap.recover(full)
    guard(out)
    return [f"could not remove {k!r}, left by an interrupted build" for k in kept]


@contextmanager
def source_date_epoch() -> Iterator[None]:
    """SOURCE_DATE_EPOCH for the build (MkDocs' build date, PDF dates); the caller's own value wins."""
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = old or DEFAULT_SOURCE_DATE_EPOCH
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)


def build(
    spec_arg: Path | None,
    out: Path = Path("build"),
    langs: Sequence[str] = LANGS,
    strict: bool = False,
    quiet: bool = False,
    site: Path | None = None,
    keep_work: KeepWork | None = None,
    late: Late | None = None,
    site_url: str | None = None,
    memo: PageMemo | None = None,
) -> BuildResult:
    """Load and validate the spec (argument, ./spec/tcp.yaml or bundled), then build_spec with the Linux record
    beside it (stamp.linux_record: the file the key hashes).

    When OUT already holds the build of exactly these inputs (stamp.current_key, checked by
    stamp.is_up_to_date) nothing is imported, loaded or written.
    """
    start = time.monotonic()
    chosen = check_langs(langs)
    site_url = check_site_url(site_url)
    out = Path(out)
    for w in prepare(out):  # refuse early, before any work
        sys.stderr.write(f"warning: {w}\n")

    def key() -> str:
        return current_key(spec_arg, chosen, strict, site=site, site_url=site_url)

    before = key()
    if is_up_to_date(out, before):
        if not quiet:
            sys.stderr.write(f"{out} is up to date\n")
        info = read_marker(out)
        return BuildResult(out, _int(info.get("pages")), _int(info.get("diagrams")), (), time.monotonic() - start,
                           up_to_date=True)
    from .specfile import load_checked

    return build_spec(load_checked(spec_arg), out, langs, strict, quiet, site, stamp=(before, key),
                      record=linux_record(spec_arg), keep_work=keep_work, late=late, site_url=site_url,
                      memo=memo)


def check_site_url(url: str | None) -> str | None:
    """`--site-url`: an http(s) URL with a host, ending in `/` (MkDocs joins page paths to it); None stays None."""
    if url is None or not url.strip():
        return None
    from urllib.parse import urlsplit

    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise UsageError(f"--site-url {url!r} is not an http(s) URL such as https://user.github.io/tcpdiagram/")
    return url.strip() if url.strip().endswith("/") else url.strip() + "/"


def _no_record(record: Path | None) -> tuple[str, ...]:
    """The one warning of a build whose spec has no Linux record beside it (a copied or new spec)."""
    if record is None:
        return ()
    return (f"no Linux record at {record}: the scenario pages leave out the runs observed on Linux "
            f"(make one with `sudo tcpdiagram verify --record {record}`)",)


def _int(text: str | None) -> int:
    return int(text) if text and text.isascii() and text.isdigit() and len(text) < 19 else 0


def build_spec(
    spec: Spec,
    out: Path = Path("build"),
    langs: Sequence[str] = LANGS,
    strict: bool = False,
    quiet: bool = False,
    site: Path | None = None,
    stamp: tuple[str, Callable[[], str]] | None = None,
    record: Path | None = None,
    keep_work: KeepWork | None = None,
    late: Late | None = None,
    site_url: str | None = None,
    memo: PageMemo | None = None,
) -> BuildResult:
    """Simulate, render and build the site into a temporary folder beside `out`, then swap it in.

    `record` is the Linux record `tcpdiagram verify` wrote (build() passes the one beside the spec; a missing
    file is no record): each scenario whose recorded run still agrees with the spec shows it.

    A failure at any step leaves `out` as it was and removes the temporary folder. Always builds.
    `stamp` is build()'s (key of the inputs before, how to compute it again): the marker records the
    key only when the inputs did not change while we built, so an edit made mid-build is never missed.
    `late` (serve): PNG/PDF conversions not done when the pages are are left to late.finish(out) after the swap.
    `memo` (serve): MkDocs' per-page work of earlier builds in this process, reused where a page's inputs are
    unchanged (site/memo.py).
    """
    from .site.progress import Reporter

    start = time.monotonic()
    chosen = check_langs(langs)
    out = Path(out)
    left = prepare(out)
    site = site or site_source()
    if out.resolve().is_relative_to(site.resolve()):
        raise UsageError(f"--out {str(out)!r} is inside the site sources {str(site)!r}; choose a folder outside it")
    full = Path(os.path.abspath(out))
    full.parent.mkdir(parents=True, exist_ok=True)
    if memo is not None:
        memo.start(full)
    try:
        with source_date_epoch(), Reporter(quiet) as report, outswap.workdir(full) as tmp:
            try:
                result = _make(spec, site, tmp, chosen, strict, report, record, keep_work, late,
                               check_site_url(site_url), memo)
                key = stamp[0] if stamp is not None and stamp[1]() == stamp[0] else None
                if late is not None and late.pending:
                    late.marker, key = (stamp, result.pages, result.files), None  # late.finish writes the real one
                write_marker(tmp, key, result.pages, result.files)
                faultpoints.reached("marker")
                guard(out)  # again: nothing may have appeared there while we worked
                with late.lock if late is not None else nullcontext():  # no late file of a build before
                    outswap.swap(tmp, full)
            except OSError as e:  # disk full, permission denied: say where, in OUT's terms (not the work folder's)
                raise WriteFailed(_destination(e, tmp, out), e.strerror or str(e)) from e
    except BaseException:
        if memo is not None:
            memo.abandon()  # OUT still holds the previous build
        raise
    if memo is not None:
        memo.commit()
    faultpoints.reached("done")
    for w in (*left, *result.warnings):
        sys.stderr.write(f"warning: {w}\n")
    seconds = time.monotonic() - start
    if not quiet:
        sys.stderr.write(
            f"built {out}/site ({result.pages} pages) and {out}/diagrams ({result.files} files) in {seconds:.1f} s\n"
        )
    return BuildResult(out, result.pages, result.files, result.warnings, seconds,
                       laid_out=result.laid_out, converted=result.converted)


@dataclass(frozen=True)
class _Made:
    pages: int
    files: int
    warnings: tuple[str, ...]
    laid_out: int
    converted: int


def _make(
    spec: Spec, site: Path, tmp: Path, langs: tuple[Lang, ...], strict: bool, report: Reporter, record: Path | None,
    keep_work: KeepWork | None = None,
    late: Late | None = None,
    site_url: str | None = None,
    memo: PageMemo | None = None,
) -> _Made:
    """Everything a build writes, all inside `tmp`: diagrams/, the MkDocs docs (then removed), site/.

    State diagrams and PNG/PDF files come from the user cache (tcpdiagram/cache/) when their inputs are unchanged.
    PNG/PDF conversions (convert_pool's worker processes) run while MkDocs builds: MkDocs sees
    empty stand-ins with the right names (so its link checks pass), the real files replace them after.
    """
    from .cache.convert import open_convert_cache
    from .cache.layout import open_layout_cache
    from .cache.store import ensure, folder, prune
    from .simulate import simulate
    from .site.linux import load as load_linux
    from .site.mkdocs_run import SiteBuildFailed, build_site
    from .site.pages import site_pages
    from .site.render_all import Conversions, rasters, render_svgs

    cache = ensure(folder())
    layout = open_layout_cache()
    converter = open_convert_cache()
    report.step("simulate the scenarios and render the diagrams")
    traces = {sc.id: simulate(spec, sc.id) for sc in spec.scenarios}
    linux = load_linux(spec, record, traces)  # once; the diagrams and the pages share it
    svgs = render_svgs(spec, traces, langs, layout, linux, memo)
    todo = rasters(spec, langs, linux)
    conversions = Conversions(svgs, todo, converter)
    try:
        report.step("write pages")
        docs = tmp / ".work" / "docs"
        if (site / "docs").is_dir():
            shutil.copytree(site / "docs", docs)
        n_pages = sum(1 for p in docs.rglob("*.md"))
        empty = tmp / ".work" / "empty"
        _write(tmp, empty, b"")
        generated: list[str] = []
        for lang in langs:
            for name, text in sorted(svgs[lang].items()):
                _made(tmp, f"{lang}/{name}", text.encode("utf-8"), memo)
                _link(tmp, tmp / "diagrams" / lang / name, docs / lang / "diagrams" / name)
            for raster in todo:
                if raster.lang == lang:  # stand-ins, see above: names of one empty file (a link is ~20× a new file)
                    _link(tmp, empty, docs / lang / "diagrams" / raster.name)
            for rel, page in site_pages(spec, lang, traces, linux).items():
                target = docs / lang / rel
                if target.exists():
                    raise UsageError(f"{site / 'docs' / lang / rel} has the name of a generated page; rename it")
                _write(tmp, target, page.encode("utf-8"))
                generated.append(rel)
                n_pages += 1
        faultpoints.reached("pages")
        report.step("build the site with MkDocs")
        warnings = build_site(site / "mkdocs.yml", docs, tmp / "site", langs=langs, generated=generated,
                              cache_dir=cache, site_url=site_url, memo=memo)
        faultpoints.reached("site")
        if keep_work is not None:
            keep_work(spec, langs, site, docs, generated)
        if strict and warnings:
            raise SiteBuildFailed(
                f"--strict: MkDocs reported {len(warnings)} warning(s):" + "".join(f"\n  {w}" for w in warnings)
            )
        tick = report.bar("convert to PNG and PDF", len(todo))
        for raster, data in conversions.results(tick) if late is None else late.split(conversions, langs[0]):
            _made(tmp, f"{raster.lang}/{raster.name}", data, memo)
            prefix = "" if raster.lang == langs[0] else f"{raster.lang}/"  # i18n: default language at the root
            _replace(tmp, tmp / "diagrams" / raster.lang / raster.name, tmp / "site" / f"{prefix}diagrams" / raster.name)
    finally:
        conversions.close()
    shutil.rmtree(tmp / ".work")
    n_files = sum(len(v) for v in svgs.values()) + len(todo)
    if cache is not None:
        prune()
    ours = linux.warnings if linux is not None else _no_record(record)
    return _Made(n_pages, n_files, (*ours, *warnings), layout.misses, converter.misses)


def _replace(root: Path, source: Path, path: Path) -> None:
    """Fill a stand-in MkDocs copied with the finished file; it must be there (else the site is not what we think),
    or already be that file (a language serve linked from the previous build, site/reuse.py)."""
    if not path.is_file() or (path.stat().st_size != 0 and path.read_bytes() != source.read_bytes()):
        raise RuntimeError(f"expected the stand-in {path.relative_to(root)} in the built site")
    path.unlink()
    _link(root, source, path)


def _inside(root: Path, path: Path) -> None:
    """Refuse any path that leaves the build folder (by its name: the build folder is new, it holds no links)."""
    base = os.path.abspath(root)
    if not os.path.abspath(path).startswith(base + os.sep):
        raise UsageError(f"refusing to write {str(path)!r}: outside the build folder")


def _made(root: Path, rel: str, data: bytes, memo: PageMemo | None) -> None:
    """A file of OUT/diagrams: linked from the build serve swapped in last when it has these bytes, else written."""
    _inside(root, root / "diagrams" / rel)
    if memo is None or not memo.files.place(rel, data, root / "diagrams" / rel):
        _write(root, root / "diagrams" / rel, data)


def _write(root: Path, path: Path, data: bytes) -> None:
    """Write a new file inside the build folder."""
    _inside(root, path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _link(root: Path, source: Path, path: Path) -> None:
    """A second name for a file of this build (hard link: ~60 MB of PNG/PDF/SVG are not written twice)."""
    _inside(root, path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, path)
    except OSError:  # a file system without hard links
        shutil.copyfile(source, path)



def _destination(e: OSError, work: Path, out: Path) -> str:
    """The path an I/O error is about, with the work folder shown as OUT (where the file was headed)."""
    name = e.filename2 if e.filename2 is not None else e.filename  # a copy's error names (source, destination)
    if name is None:
        return str(out)
    path = Path(os.fsdecode(name))
    try:
        return str(out / path.relative_to(work))
    except ValueError:
        return str(path)
