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


def test_a_cancel_does_not_wait_for_the_conversion_under_way(tmp_path: Path) -> None:
    """serve cancels the last build's finish() when the sources change and goes on once it has returned: that must
    not wait for a long PNG still converting in a worker (it did: the next rebuild, and the reload, waited)."""
    import threading
    import time

    from tcpdiagram import convert_pool
    from tcpdiagram.site.render_all import Raster

    texts = "".join(f'<text x="{i % 40 * 15}" y="{i // 40 * 2 + 10}" font-size="9">SYN_SENT 同步已发送 {i}</text>'
                    for i in range(8000))
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" width="600" height="420">{texts}</svg>'
    future = convert_pool.submit(svg, "png")  # seconds of work for a worker
    late = Late()
    late.pending = [(Raster("zh", "slow.png", "slow.svg", "png"), future, future.result)]
    late.marker = (None, 1, 1)
    finishing = threading.Thread(target=late.finish, args=(tmp_path,))
    finishing.start()
    time.sleep(0.1)
    late.cancel()
    finishing.join(timeout=0.5)
    stopped, running = not finishing.is_alive(), not future.done()
    future.result()  # leave the worker idle for the next test
    finishing.join()
    assert running, "the conversion ended too soon to tell"
    assert stopped, "finish() went on waiting for the conversion after cancel()"
    assert not (tmp_path / "diagrams").exists() and not (tmp_path / ".tcpdiagram-build").exists()
