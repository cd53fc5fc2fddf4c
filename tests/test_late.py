"""serve's pages-first rebuilds: PNG/PDF still converting fill in after the swap, ending in a normal build's bytes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tcpdiagram.pipeline import build
from tcpdiagram.site.late import Late
from tcpdiagram.stamp import read_marker

from test_pipeline import SITE, SPEC, tree

pytestmark = pytest.mark.dot


def test_late_conversions_end_as_a_normal_build(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With an empty cache the build is swapped in while conversions still run: their files are missing or empty
    stand-ins and the marker has no key (a `build` now would redo it); late.finish fills them in, and the tree
    is then byte for byte the session's normal build, up to date for the next build."""
    monkeypatch.setenv("TCPDIAGRAM_CACHE", str(tmp_path / "empty-cache"))
    out = tmp_path / "build"
    late = Late()
    build(SPEC, out=out, strict=True, quiet=True, site=SITE, late=late)
    pending = [raster for raster, *_ in late.pending]
    if pending:  # conversions outlasted MkDocs (usual on two cores with an empty cache)
        assert read_marker(out)["key"] == "-"
        first = pending[0]
        prefix = "" if first.lang == "zh" else f"{first.lang}/"
        assert (out / "site" / f"{prefix}diagrams" / first.name).stat().st_size == 0
        assert not (out / "diagrams" / first.lang / first.name).exists()
    late.finish(out)
    assert late.pending == []
    assert tree(out) == tree(built)
    assert build(SPEC, out=out, strict=True, quiet=True, site=SITE).up_to_date


def test_nothing_pending_leaves_the_build_alone(built: Path, tmp_path: Path) -> None:
    """An up-to-date build has nothing late: finish() writes nothing, not even the marker."""
    import shutil

    out = tmp_path / "build"
    shutil.copytree(built, out)
    late = Late()
    assert build(SPEC, out=out, strict=True, quiet=True, site=SITE, late=late).up_to_date
    before = (out / ".tcpdiagram-build").stat().st_mtime_ns
    late.finish(out)
    assert (out / ".tcpdiagram-build").stat().st_mtime_ns == before
