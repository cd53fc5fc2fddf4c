"""serve's rebuilds reuse MkDocs' work on unchanged pages and languages (site/memo.py) and still give, byte for
byte, what a fresh build of the same sources gives, with the same warnings."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tcpdiagram.pipeline import BuildResult, build
from tcpdiagram.site.late import Late
from tcpdiagram.site.memo import PageMemo

from test_pipeline import RECORD, SITE, SPEC, tree

pytestmark = pytest.mark.dot

ZH = ("label: {zh: 监听, en: Listen}", "label: {zh: 监听中, en: Listen}")
ZH_ONLY = ("zh: 服务器已被动打开，等待任意客户端发来的 SYN。", "zh: 服务器已被动打开，等待客户端发来的 SYN。")
BAD_LINK = "\n\nSee [a page that is not there](no-such-page.md).\n"


def _serve_build(spec: Path, out: Path, site: Path, memo: PageMemo) -> BuildResult:
    """A rebuild as serve runs it: pages first, the late conversions after the swap."""
    late = Late(written=memo.files.written)
    result = build(spec, out=out, quiet=True, site=site, late=late, memo=memo)
    late.finish(out)
    return result


def test_memoized_rebuilds_are_fresh_builds(tmp_path: Path) -> None:
    proj = tmp_path / "proj"
    (proj / "spec").mkdir(parents=True)
    shutil.copy(RECORD, proj / "spec" / "linux-record.json")
    spec = proj / "spec" / "tcp.yaml"
    original = SPEC.read_text(encoding="utf-8")
    assert ZH[0] in original and ZH_ONLY[0] in original
    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    for lang in ("zh", "en"):  # a warning MkDocs logs while rendering a page: a memo hit must log it again
        page = site / "docs" / lang / "reading.md"
        page.write_text(page.read_text(encoding="utf-8") + BAD_LINK, encoding="utf-8")
    memo = PageMemo()
    out = tmp_path / "served"
    steps = [("zh label", original.replace(*ZH, 1)),  # the Chinese nav changes; so do the English search tags
             ("zh summary", original.replace(*ZH, 1).replace(*ZH_ONLY, 1))]  # Chinese pages only: English is linked
    spec.write_text(original, encoding="utf-8")
    _serve_build(spec, out, site, memo)  # the first build: nothing to reuse yet
    for i, (name, text) in enumerate(steps):
        spec.write_text(text, encoding="utf-8")
        served = _serve_build(spec, out, site, memo)
        clean = build(spec, out=tmp_path / f"fresh-{i}", quiet=True, site=site)
        want, got = tree(clean.out), tree(out)
        assert sorted(set(got) ^ set(want)) == [], f"{name}: files differ"
        assert [k for k in want if got[k] != want[k]] == [], f"{name}: contents differ"
        assert served.warnings == clean.warnings, name
        assert any("no-such-page.md" in w for w in served.warnings)
    assert memo.hits > 0  # the pages the edits did not touch were not converted again
    assert memo.languages.reused > 0  # the summary edit left the English build as it was
    assert memo.files.linked > 0 and memo.site_pages.linked > 0  # unchanged files and pages: linked from OUT
    # The English pages were built by a forked child (site/parallel.py); what it added to the memo came back:
    assert any(rel.startswith("en/") for rel in memo.site_pages.committed)  # its pages, to link next time
    assert "en" in memo.languages.committed  # its whole run, to link when nothing it reads changes


def test_memo_delta_round_trip() -> None:
    """What a forked build adds to the memo (PageMemo.since) is exactly what merge() puts in the other one."""
    import copy
    import pickle

    memo = PageMemo()
    memo.lookup(memo.pages, "old", lambda: "kept")
    memo.site_pages.pending["zh/index.html"] = "a"
    parent = copy.deepcopy(memo)  # the process that forked: the same memo at the fork
    mark = memo.fork_point()
    memo.lookup(memo.pages, "old", lambda: "not made")  # used, not new
    memo.lookup(memo.render, "new", lambda: ("html", None))
    memo.site_pages.pending["en/index.html"] = "b"
    delta = pickle.loads(pickle.dumps(memo.since(mark)))  # noqa: S301 - our own bytes, as parallel.py
    assert delta.tables["render"] == {"new": ("html", None)} and delta.tables["pages"] == {}
    assert delta.used == {"new"} and delta.site_pages == {"en/index.html": "b"}
    assert delta.counts[:2] == (1, 1)  # one hit, one miss
    parent.merge(delta)
    assert parent.render == memo.render and parent.pages == memo.pages
    assert parent.site_pages.pending == memo.site_pages.pending and parent._used == memo._used
    assert (parent.hits, parent.misses) == (memo.hits, memo.misses)
