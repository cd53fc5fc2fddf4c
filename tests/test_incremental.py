"""Rebuilds: nothing done when nothing changed, only changed diagrams redone, always the bytes of a clean build."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tcpdiagram.pipeline import MARKER, build
from tcpdiagram.site.catalog import catalog
from tcpdiagram.stamp import read_marker

from test_pipeline import RECORD, SITE, SPEC, leftovers, tree

pytestmark = pytest.mark.dot

DESCRIPTION = "The RFC calls CLOSED a fictional state: the connection has no TCB"
SUMMARY = "en: The server has opened passively and waits for a SYN from any client."


def _stats(root: Path) -> dict[str, tuple[int, int]]:
    """Relative path → (mtime_ns, size) of every file and folder, root included."""
    return {p.relative_to(root).as_posix(): (p.stat().st_mtime_ns, p.stat().st_size) for p in [root, *root.rglob("*")]}


def _counts() -> tuple[int, int]:
    """(state diagrams, rasters) of a two-language build of the bundled spec, its Linux runs included."""
    from tcpdiagram.loader import load_bytes
    from tcpdiagram.simulate import simulate
    from tcpdiagram.site.linux import load

    spec = load_bytes(SPEC.read_bytes(), str(SPEC))
    diagrams = catalog(spec, load(spec, RECORD, {sc.id: simulate(spec, sc.id) for sc in spec.scenarios}))
    assert sum(1 for d in diagrams if d.kind == "observed") == len(spec.scenarios)
    states = sum(1 for d in diagrams if d.kind == "state")
    return 2 * 2 * states, 2 * len(diagrams) * 2  # languages × themes; languages × (png, pdf) of the light theme


def test_no_change_touches_nothing(built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "build"
    shutil.copytree(built, out)  # copies keep their mtimes: still the finished build
    before = _stats(out)
    marker = (out / MARKER).read_bytes()
    result = build(SPEC, out=out, strict=True, site=SITE)
    assert result.up_to_date and result.laid_out == result.converted == 0
    assert f"{out} is up to date" in capsys.readouterr().err
    info = read_marker(out)
    assert (result.pages, result.files) == (int(info["pages"]), int(info["diagrams"])) and result.files > 0
    assert _stats(out) == before and (out / MARKER).read_bytes() == marker
    assert leftovers(tmp_path) == []
    build(SPEC, out=out, strict=True, quiet=True, site=SITE)
    assert capsys.readouterr().err == "", "--quiet says nothing, not even that"


def test_partial_change_equals_a_clean_build(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Edit a state's description (pages only) and another's summary (its two English focus diagrams):
    the incremental build lays out and converts just those, and its tree is byte for byte a clean build's."""
    spec = tmp_path / "tcp.yaml"
    text = SPEC.read_text("utf-8")
    assert text.count(DESCRIPTION) == 1 and text.count(SUMMARY) == 1
    text = text.replace(DESCRIPTION, DESCRIPTION.replace("fictional", "notional"))
    spec.write_text(text.replace(SUMMARY, SUMMARY.replace("any client", "any client at all")), "utf-8")
    shutil.copy(RECORD, tmp_path / RECORD.name)  # beside the spec, as in spec/
    out = tmp_path / "incremental"
    shutil.copytree(built, out)
    incremental = build(spec, out=out, strict=True, quiet=True, site=SITE)
    assert not incremental.up_to_date
    assert (incremental.laid_out, incremental.converted) == (2, 2), "state-listen.svg, -dark.svg; .png, .pdf (en)"
    assert "notional" in (out / "site/en/states/closed/index.html").read_text("utf-8")
    assert "any client at all" in (out / "diagrams/en/state-listen.svg").read_text("utf-8")

    monkeypatch.setenv("TCPDIAGRAM_CACHE", str(tmp_path / "empty-cache"))
    clean = build(spec, out=tmp_path / "clean", strict=True, quiet=True, site=SITE)
    assert (clean.laid_out, clean.converted) == _counts()
    mine, theirs = tree(out), tree(tmp_path / "clean")
    assert sorted(mine) == sorted(theirs)
    assert [name for name in mine if mine[name] != theirs[name]] == []


def test_inputs_and_options_trigger_rebuilds(built: Path, tmp_path: Path) -> None:
    site, spec, out = tmp_path / "site", tmp_path / "tcp.yaml", tmp_path / "build"
    shutil.copytree(SITE, site)
    shutil.copy(SPEC, spec)
    shutil.copy(RECORD, tmp_path / RECORD.name)
    shutil.copytree(built, out)
    assert build(spec, out=out, strict=True, quiet=True, site=site).up_to_date, "copies: same content, same key"

    page = site / "docs" / "en" / "reading.md"
    page.write_text(page.read_text("utf-8") + "\nOne more sentence.\n", "utf-8")
    result = build(spec, out=out, strict=True, quiet=True, site=site)
    assert not result.up_to_date and result.laid_out == result.converted == 0
    assert "One more sentence." in (out / "site/en/reading/index.html").read_text("utf-8")
    assert build(spec, out=out, strict=True, quiet=True, site=site).up_to_date

    spec.write_text(spec.read_text("utf-8").replace(DESCRIPTION, DESCRIPTION + " (edited)"), "utf-8")
    assert not build(spec, out=out, strict=True, quiet=True, site=site).up_to_date
    assert "(edited)" in (out / "site/en/states/closed/index.html").read_text("utf-8")

    record = tmp_path / RECORD.name  # the abort recorded as a bare RST: no longer what the spec says
    data = json.loads(record.read_text("utf-8"))
    data["scenarios"]["abort"]["observed"]["segments"][0]["flags"] = ["RST"]
    record.write_text(json.dumps(data), "utf-8")
    stale = build(spec, out=out, strict=True, quiet=True, site=site)
    assert not stale.up_to_date and stale.laid_out == stale.converted == 0, "the record is an input"
    assert stale.warnings == (
        f"the Linux record of 'abort' no longer matches the spec; re-run `tcpdiagram verify --spec {spec} "
        f"--record {record}`",)
    assert "linux-run" not in (out / "site/en/scenarios/abort/index.html").read_text("utf-8")
    assert 'id="linux-run"' in (out / "site/en/scenarios/normal_close/index.html").read_text("utf-8")
    assert not (out / "diagrams/en/observed-abort.svg").exists() and (out / "diagrams/en/observed-handshake.svg").exists()
    assert "observed-abort" not in (out / "site/en/downloads/index.html").read_text("utf-8")
    assert build(spec, out=out, strict=True, quiet=True, site=site).up_to_date

    assert not build(spec, out=out, langs=("en",), strict=True, quiet=True, site=site).up_to_date
    assert not (out / "site" / "en").exists() and not (out / "diagrams" / "zh").exists()
    assert not build(spec, out=out, strict=False, langs=("en",), quiet=True, site=site).up_to_date, "--strict is an input"


def test_an_edited_output_file_is_rebuilt(built: Path, tmp_path: Path) -> None:
    out = tmp_path / "build"
    shutil.copytree(built, out)
    page = out / "site" / "index.html"
    original = page.read_bytes()
    page.write_bytes(original.replace(b"</body>", b"<!-- hand edit --></body>"))
    assert not build(SPEC, out=out, strict=True, quiet=True, site=SITE).up_to_date
    assert page.read_bytes() == original


def _own_conversions(built: Path, version: Path) -> list[Path]:
    """The cache files of three PNGs of `built` (their keys come from its SVGs)."""
    from tcpdiagram.pipeline import source_date_epoch
    from tcpdiagram.cache import convert as convert_cache

    with source_date_epoch():  # the build's PDF dates, so the key's identity is the build's
        cc = convert_cache.ConvertCache(None, convert_cache.identity())
    keys = [cc.key((built / "diagrams" / "zh" / f"{name}.svg").read_text(encoding="utf-8"), "png")
            for name in ("state-full", "scenario-normal_close", "path-abort")]
    files = [version / "convert" / k[:2] / f"{k}.bin" for k in keys]
    assert all(f.is_file() for f in files), "the session build's conversions are in the cache"
    return files


def test_corrupt_cache_entries_are_misses(
    built: Path, tmp_path: Path, private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every layout entry, three conversions, every compiled template and jieba's dictionary garbled: the
    build redoes those and gives the same bytes."""
    cache = tmp_path / "cache"
    shutil.copytree(private_cache, cache)
    version = cache / "v1"
    garbled = 0
    for kind in ("layout", "convert", "jinja", "jieba"):
        # three conversions this very build reads (the session cache may also hold other builds' entries)
        files = _own_conversions(built, version) if kind == "convert" else sorted(
            p for p in (version / kind).rglob("*") if p.is_file())
        assert files, kind
        for f in files:
            data = f.read_bytes()
            f.write_bytes(data[: len(data) // 2] + b"\x00garbage")
            garbled += 1
    monkeypatch.setenv("TCPDIAGRAM_CACHE", str(cache))
    out = tmp_path / "build"
    result = build(SPEC, out=out, strict=True, quiet=True, site=SITE)
    assert (result.laid_out, result.converted) == (_counts()[0], 3)
    assert tree(out) == tree(built)
    assert os.environ["TCPDIAGRAM_CACHE"] == str(cache) and garbled > 10
