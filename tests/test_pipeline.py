"""`tcpdiagram build` end to end: real dot, librsvg and MkDocs; safe output; identical rebuilds."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tcpdiagram.errors import SpecError, ToolMissing, UsageError
from tcpdiagram.pipeline import MARKER, build, build_spec
from tcpdiagram.site.catalog import catalog
from tcpdiagram.site.mkdocs_run import SiteBuildFailed

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "spec" / "tcp.yaml"
SITE = ROOT / "site"
RECORD = ROOT / "spec" / "linux-record.json"

pytestmark = pytest.mark.dot

def tree(root: Path, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """Relative path → sha256 of every file under root (folders in `skip` left out)."""
    out = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        if p.is_file() and rel.split("/")[0] not in skip:
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if ".tcpdiagram-" in p.name or ".old-" in p.name)


def test_layout_every_page_and_file(built: Path) -> None:
    from tcpdiagram.loader import load_bytes

    from tcpdiagram.simulate import simulate
    from tcpdiagram.site.linux import load

    spec = load_bytes(SPEC.read_bytes(), str(SPEC))
    linux = load(spec, RECORD, {sc.id: simulate(spec, sc.id) for sc in spec.scenarios})
    assert (built / MARKER).is_file()
    assert sorted(p.name for p in built.iterdir()) == [MARKER, "diagrams", "site"], "caches live in the user cache"
    for prefix in ("", "en/"):
        for page in ("", "reading/", "overview/", "transitions/", "glossary/", "downloads/", "sources/",
                     "states/", "scenarios/"):
            assert (built / "site" / f"{prefix}{page}index.html").is_file(), prefix + page
        for s in spec.states:
            assert (built / "site" / f"{prefix}states/{s.id.lower()}/index.html").is_file(), s.id
        for sc in spec.scenarios:
            assert (built / "site" / f"{prefix}scenarios/{sc.id}/index.html").is_file(), sc.id
    names = {d.file(t, f) for d in catalog(spec, linux) for t, f in d.files()}
    assert {"state-full.svg", "state-full-dark.svg", "state-full.png", "state-full.pdf",
            "scenario-normal_close.svg", "scenario-normal_close-dark.svg", "scenario-normal_close.pdf",
            "observed-normal_close.svg", "observed-normal_close-dark.svg", "observed-normal_close.png",
            "observed-normal_close.pdf"} <= names
    for lang in ("zh", "en"):
        assert {p.name for p in (built / "diagrams" / lang).iterdir()} == names
        site_dir = built / "site" / ("" if lang == "zh" else "en") / "diagrams"
        assert {p.name for p in site_dir.iterdir()} == names
    for png in ("diagrams/zh/state-full.png", "site/diagrams/path-handshake.png", "site/en/diagrams/state-closed.png"):
        assert (built / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", png
    assert (built / "site/en/diagrams/scenario-abort.pdf").read_bytes() == (
        built / "diagrams/en/scenario-abort.pdf").read_bytes()
    assert (built / "diagrams/en/scenario-normal_close.pdf").read_bytes()[:5] == b"%PDF-"
    assert not (built / ".work").exists(), "the MkDocs docs folder must not stay in the output"


def test_languages_differ_where_they_should(built: Path) -> None:
    zh = (built / "site/states/time_wait/index.html").read_text("utf-8")
    en = (built / "site/en/states/time_wait/index.html").read_text("utf-8")
    assert '<html lang="zh"' in zh and "时间等待" in zh
    assert '<html lang="en"' in en and "Time wait" in en
    svg_zh = (built / "diagrams/zh/state-full.svg").read_text("utf-8")
    svg_en = (built / "diagrams/en/state-full.svg").read_text("utf-8")
    assert "已建立连接" in svg_zh and "Established" in svg_en


def test_no_absolute_paths_in_output(built: Path) -> None:
    needles = [str(built.parent).encode(), str(ROOT).encode(), str(Path.home()).encode() + b"/"]
    for p in built.rglob("*"):
        if p.is_file() and p.suffix in (".html", ".svg", ".json", ".xml", ".js", ".css"):
            data = p.read_bytes()
            for n in needles:
                assert n not in data, f"{p.relative_to(built)} contains {n!r}"


def test_rebuild_is_byte_identical(built: Path, tmp_path: Path) -> None:
    """A second build of the same inputs gives the same tree, marker included (warm user cache)."""
    out = tmp_path / "again"
    out.mkdir()
    (out / MARKER).write_text("")  # an earlier build without a key: never up to date
    result = build(SPEC, out=out, strict=True, quiet=True, site=SITE)
    assert not result.up_to_date and result.laid_out == 0 and result.converted == 0
    assert tree(out) == tree(built)


def test_bad_spec_leaves_previous_build_untouched(built: Path, tmp_path: Path) -> None:
    out = tmp_path / "build"
    shutil.copytree(built, out)
    before = tree(out, skip=())
    bad = tmp_path / "bad.yaml"
    bad.write_text(SPEC.read_text("utf-8").replace("to: LAST_ACK", "to: LAST_ACKK", 1), "utf-8")
    with pytest.raises(SpecError) as info:
        build(bad, out=out, quiet=True, site=SITE)
    assert "LAST_ACKK" in str(info.value)
    assert tree(out, skip=()) == before
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("missing", ["dot", "librsvg"])
def test_missing_tool_midway_leaves_previous_build_untouched(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spec: object, missing: str
) -> None:
    """dot disappears from PATH, or librsvg cannot be loaded (its real dlopen fails): the build fails."""
    from tcpdiagram import rsvg

    out = tmp_path / "build"
    shutil.copytree(built, out)
    before = tree(out, skip=())
    if missing == "dot":
        monkeypatch.setenv("PATH", str(tmp_path / "no-tools-here"))
    else:
        monkeypatch.setitem(rsvg.LIBRARIES, "rsvg", "librsvg-not-installed.so.2")
        monkeypatch.setattr(rsvg, "_libs", None)
    with pytest.raises(ToolMissing) as info:
        build_spec(spec, out=out, quiet=True, site=SITE)  # type: ignore[arg-type]
    assert info.value.exit_code == 3 and info.value.tool == missing and "apt-get install" in str(info.value)
    assert tree(out, skip=()) == before
    assert leftovers(tmp_path) == []


def test_strict_warning_fails_late_and_leaves_build_untouched(built: Path, tmp_path: Path, spec: object) -> None:
    """A broken link in a hand-written page: MkDocs warns at the very end; --strict fails, output stays."""
    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    page = site / "docs/en/reading.md"
    page.write_text(page.read_text("utf-8") + "\n[gone](no-such-page.md)\n", "utf-8")
    out = tmp_path / "build"
    shutil.copytree(built, out)
    before = tree(out, skip=())
    with pytest.raises(SiteBuildFailed) as info:
        build_spec(spec, out=out, strict=True, quiet=True, site=site)  # type: ignore[arg-type]
    assert "no-such-page.md" in str(info.value)
    assert tree(out, skip=()) == before
    assert leftovers(tmp_path) == []


def test_refuses_a_folder_it_did_not_make(tmp_path: Path) -> None:
    out = tmp_path / "notes"
    out.mkdir()
    (out / "lecture.md").write_text("my notes")
    with pytest.raises(UsageError) as info:
        build(SPEC, out=out, quiet=True, site=SITE)
    assert info.value.exit_code == 2 and MARKER in str(info.value)
    assert [p.name for p in out.iterdir()] == ["lecture.md"]
    assert leftovers(tmp_path) == []


def test_refuses_a_file(tmp_path: Path) -> None:
    out = tmp_path / "file"
    out.write_text("x")
    with pytest.raises(UsageError):
        build(SPEC, out=out, quiet=True, site=SITE)
    assert out.read_text() == "x"


def test_unknown_language_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="'fr'"):
        build(SPEC, out=tmp_path / "b", langs=("zh", "fr"), quiet=True)
    assert not (tmp_path / "b").exists()


def _cli(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tcpdiagram", *args], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=300, check=False)


def test_cli_exit_codes(tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "a.txt").write_text("keep")
    r = _cli(["build", "--spec", str(SPEC), "--out", "notes", "--quiet"], tmp_path)
    assert r.returncode == 2 and "marker" in r.stderr and "Traceback" not in r.stderr
    env = dict(os.environ, PATH=str(tmp_path / "nothing"))
    r = _cli(["build", "--spec", str(SPEC), "--out", "b", "--quiet"], tmp_path, env)
    assert r.returncode == 3 and "apt-get install" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "b").exists() and leftovers(tmp_path) == []
    bad = tmp_path / "bad.yaml"
    bad.write_text(SPEC.read_text("utf-8").replace("to: LAST_ACK", "to: LAST_ACKK", 1), "utf-8")
    r = _cli(["build", "--spec", str(bad), "--out", "b", "--quiet"], tmp_path)
    assert r.returncode == 1 and "bad.yaml:" in r.stderr and "LAST_ACKK" in r.stderr


def _wait_for(predicate, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    import time

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.3)
    return False


def test_serve_rebuilds_reloads_and_exits_130(built: Path, tmp_path: Path) -> None:
    """`tcpdiagram serve` in a project folder: serves, rebuilds on an edit, bumps the reload version, Ctrl-C → 130."""
    import re
    import signal
    import urllib.request

    (tmp_path / "spec").mkdir()
    shutil.copy(SPEC, tmp_path / "spec" / "tcp.yaml")
    shutil.copytree(SITE, tmp_path / "site")
    shutil.copytree(built, tmp_path / "build")  # an earlier build (another key: not --strict) to replace
    proc = subprocess.Popen([sys.executable, "-m", "tcpdiagram", "serve", "--port", "0"], cwd=tmp_path,
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        assert proc.stderr is not None
        url = ""
        for line in proc.stderr:
            if m := re.search(r"serving (http://127\.0\.0\.1:\d+/)", line):
                url = m.group(1)
                break
        assert url, "serve never said where it serves"

        def get(path: str) -> str:
            with urllib.request.urlopen(url + path, timeout=10) as r:  # noqa: S310 - our local server
                return r.read().decode("utf-8")

        assert "__tcpdiagram__/version" in get("en/") and get("__tcpdiagram__/version") == "1"
        assert "__tcpdiagram__" not in (tmp_path / "build/site/en/index.html").read_text("utf-8")
        page = tmp_path / "site/docs/en/index.md"
        page.write_text(page.read_text("utf-8") + "\nA sentence added while serving.\n", "utf-8")
        assert _wait_for(lambda: get("__tcpdiagram__/version") == "2", 240), "no rebuild after an edit"
        assert "A sentence added while serving." in get("en/")
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 130
        rest = proc.stderr.read()
        assert "Traceback" not in rest
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stderr is not None:
            proc.stderr.close()


def test_refuses_an_output_inside_the_site_sources(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    with pytest.raises(UsageError, match="inside the site sources"):
        build(SPEC, out=site / "docs" / "build", quiet=True, site=site)
    assert not (site / "docs" / "build").exists() and leftovers(site / "docs") == []
