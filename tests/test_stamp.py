"""The no-change key (stdlib only, every input counted), the marker check, and the user cache's store."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tcpdiagram import stamp
from tcpdiagram.cache import fingerprint
from tcpdiagram.cache import store as cachedir
from tcpdiagram.stamp import MARKER, current_key, is_up_to_date, read_marker, write_marker

ROOT = Path(__file__).resolve().parent.parent
LANGS = ("zh", "en")
HEAVY = ("yaml", "jinja2", "mkdocs", "material", "graphviz", "typer", "click", "rich", "pydantic", "markdown", "jieba",
         "pymdownx")

_PROBE = """
import json, sys
from pathlib import Path
from tcpdiagram.stamp import current_key, is_up_to_date
is_up_to_date(Path(sys.argv[1]), current_key(None, ("zh", "en"), False))
names = sorted(sys.modules)
print(json.dumps({
    "ours": [m for m in names if m.split(".")[0] == "tcpdiagram"],
    "foreign": [m for m in names if m.split(".")[0] not in sys.stdlib_module_names | {"tcpdiagram", "__main__"}],
}))
"""


def _probe(tmp_path: Path, *flags: str) -> dict[str, list[str]]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, *flags, "-c", _PROBE, str(tmp_path)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60, check=True)
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_stamp_imports_only_the_standard_library(tmp_path: Path) -> None:
    """With site disabled nothing but the stdlib and three of our modules can load; with it, nothing heavy does."""
    bare = _probe(tmp_path, "-S")
    assert bare["foreign"] == []
    assert set(bare["ours"]) <= {"tcpdiagram", "tcpdiagram.stamp", "tcpdiagram.specfile", "tcpdiagram.cache",
                                 "tcpdiagram.cache.fingerprint"}
    full = _probe(tmp_path)
    assert [m for m in full["foreign"] if m.split(".")[0] in HEAVY] == []


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder (spec/tcp.yaml, site/) as the working directory."""
    (tmp_path / "spec").mkdir()
    shutil.copy(ROOT / "spec" / "tcp.yaml", tmp_path / "spec" / "tcp.yaml")
    shutil.copytree(ROOT / "site", tmp_path / "site")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    return tmp_path


def _edit(path: Path, text: str = "\n# edited\n") -> None:
    with open(path, "a", encoding="utf-8") as f:
        f.write(text)


def test_key_is_content_not_path(project: Path) -> None:
    key = current_key(None, LANGS, False)
    assert key == current_key(None, LANGS, False)
    moved = project / "elsewhere.yaml"
    shutil.copy(project / "spec" / "tcp.yaml", moved)
    assert current_key(moved, LANGS, False) == key
    assert current_key(None, LANGS, False, site=Path("site")) == key


def test_options_change_the_key(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = current_key(None, LANGS, False)
    others = [current_key(None, ("en",), False), current_key(None, ("en", "zh"), False),
              current_key(None, LANGS, True)]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    others.append(current_key(None, LANGS, False))
    assert len({key, *others}) == 5


def test_inputs_change_the_key(project: Path) -> None:
    key = current_key(None, LANGS, False)
    spec = project / "spec" / "tcp.yaml"
    original = spec.read_bytes()
    _edit(spec)
    assert current_key(None, LANGS, False) != key
    spec.write_bytes(original)
    assert current_key(None, LANGS, False) == key, "the key is a function of the content"
    _edit(project / "site" / "docs" / "en" / "index.md")
    edited = current_key(None, LANGS, False)
    assert edited != key
    (project / "site" / "overrides" / "extra.html").write_text("x")
    added = current_key(None, LANGS, False)
    assert added != edited
    (project / "spec" / "linux-record.json").write_text("{}")
    assert current_key(None, LANGS, False) != added


def test_linked_site_folders_are_followed(project: Path, tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "note.md").write_text("a")
    (project / "site" / "docs" / "en" / "shared").symlink_to(shared, target_is_directory=True)
    key = current_key(None, LANGS, False)
    (shared / "note.md").write_text("b")
    assert current_key(None, LANGS, False) != key, "MkDocs follows the link, so the key does"


def test_the_record_is_found_beside_the_spec_as_verify_finds_it(project: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The key hashes linux-record.json beside the spec build() uses, which is the file the pipeline reads."""
    from tcpdiagram.specfile import bundled
    from tcpdiagram.verify.record import RECORD_NAME, default_path

    RECORD_PATH = f"spec/{RECORD_NAME}"  # noqa: N806 - beside ./spec/tcp.yaml
    assert stamp.RECORD_NAME == RECORD_NAME
    assert stamp.linux_record() == Path(RECORD_PATH) and default_path() is None, "no record: none, not the bundled one"
    (project / "spec" / "linux-record.json").write_text("{}")
    assert stamp.linux_record() == default_path() == Path(RECORD_PATH)
    other = project / "mine" / "tcp.yaml"
    other.parent.mkdir()
    shutil.copy(project / "spec" / "tcp.yaml", other)
    assert stamp.linux_record(other) == other.parent / RECORD_NAME and default_path(other) is None
    (other.parent / RECORD_NAME).write_text("{}")
    assert stamp.linux_record(other) == default_path(other)
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.chdir(empty)  # no ./spec/tcp.yaml: the bundled spec, with the bundled record beside it
    assert stamp.linux_record() == default_path() == bundled(RECORD_PATH)


def test_the_record_beside_the_spec_changes_the_key(project: Path) -> None:
    other = project / "mine" / "tcp.yaml"
    other.parent.mkdir()
    shutil.copy(project / "spec" / "tcp.yaml", other)
    key = current_key(other, LANGS, False)
    (project / "spec" / "linux-record.json").write_text("{}")
    assert current_key(other, LANGS, False) == key, "another folder's record is not this spec's"
    (other.parent / "linux-record.json").write_text("{}")
    assert current_key(other, LANGS, False) != key


def test_package_files_change_the_key(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "pkg"
    shutil.copytree(fingerprint.PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(fingerprint, "PACKAGE", package)
    key = current_key(None, LANGS, False)
    (package / "site" / "__pycache__").mkdir(exist_ok=True)
    (package / "site" / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"compiled")
    assert current_key(None, LANGS, False) == key, "bytecode is not an input"
    _edit(package / "site" / "templates" / "state.md.j2", "{# edited #}\n")
    assert current_key(None, LANGS, False) != key


def test_tools_fonts_and_packages_change_the_key(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "dot"
    fake.write_text("#!/bin/sh\necho 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    key = current_key(None, LANGS, False)
    fake.write_text("#!/bin/sh\necho 2 # a different dot\n")
    keys = [key, current_key(None, LANGS, False)]
    monkeypatch.setenv("FONTCONFIG_FILE", str(tmp_path / "fonts.conf"))
    keys.append(current_key(None, LANGS, False))
    config = tmp_path / "config"
    (config / "fontconfig").mkdir(parents=True)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    keys.append(current_key(None, LANGS, False))
    (config / "fontconfig" / "fonts.conf").write_text("<fontconfig/>")
    keys.append(current_key(None, LANGS, False))
    dists = tmp_path / "dists"
    (dists / "mkdocs_glightbox-9.9.dist-info").mkdir(parents=True)
    monkeypatch.syspath_prepend(str(dists))
    keys.append(current_key(None, LANGS, False))
    assert len(set(keys)) == len(keys)


# --- the marker -------------------------------------------------------------------------------------------


def _finished(out: Path, key: str = "k") -> None:
    """A small finished tree whose files predate its marker by a minute (edits then always look newer)."""
    (out / "site" / "a").mkdir(parents=True)
    (out / "site" / "a" / "index.html").write_text("<p>a</p>")
    (out / "diagrams").mkdir()
    (out / "diagrams" / "x.svg").write_text("<svg/>")
    write_marker(out, key, pages=1, diagrams=1)
    old = time.time() - 120
    for p in [*out.rglob("*"), out]:
        os.utime(p, (old, old))
    os.utime(out / MARKER, (old + 60, old + 60))


def test_marker_records_key_and_tree(tmp_path: Path) -> None:
    _finished(tmp_path)
    info = read_marker(tmp_path)
    assert info == {"key": "k", "files": "2", "bytes": str(len("<p>a</p>") + len("<svg/>")), "pages": "1",
                    "diagrams": "1"}
    assert (tmp_path / MARKER).read_text("utf-8").startswith(stamp.MARKER_TEXT)
    assert is_up_to_date(tmp_path, "k")
    assert not is_up_to_date(tmp_path, "other")
    assert not is_up_to_date(tmp_path / "missing", "k")


@pytest.mark.parametrize("change", ["edit", "same-size edit", "remove", "add", "rename", "empty folder", "marker"])
def test_any_change_to_the_tree_is_seen(tmp_path: Path, change: str) -> None:
    _finished(tmp_path)
    page = tmp_path / "site" / "a" / "index.html"
    if change == "edit":
        page.write_text("<p>changed</p>")
    elif change == "same-size edit":
        page.write_text("<p>b</p>")
    elif change == "remove":
        page.unlink()
    elif change == "add":
        (tmp_path / "site" / "new.html").write_text("")
    elif change == "rename":
        page.rename(page.with_name("other.html"))
    elif change == "empty folder":
        (tmp_path / "site" / "a" / "b").mkdir()
    else:
        (tmp_path / MARKER).write_text("garbage", "utf-8")
    assert not is_up_to_date(tmp_path, "k")


def test_a_marker_without_key_is_never_current(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    write_marker(tmp_path, None, 0, 0)
    assert read_marker(tmp_path)["key"] == "-"
    assert not is_up_to_date(tmp_path, "-" * 64)


# --- the user cache ---------------------------------------------------------------------------------------


def test_cache_root(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("TCPDIAGRAM_CACHE")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert cachedir.root() == tmp_path / "home" / ".cache" / "tcpdiagram"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    assert cachedir.root() == tmp_path / "home" / ".cache" / "tcpdiagram"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cachedir.root() == tmp_path / "xdg" / "tcpdiagram"
    monkeypatch.setenv("TCPDIAGRAM_CACHE", str(tmp_path / "own"))
    assert cachedir.root() == tmp_path / "own"
    assert cachedir.folder("layout") == tmp_path / "own" / cachedir.LAYOUT / "layout"


def test_store_round_trip_and_corrupt_entries(tmp_path: Path) -> None:
    store = cachedir.Store(tmp_path, "bin")
    key = "ab" + "0" * 62
    assert store.get(key) is None
    store.put(key, b"payload\nwith lines")
    assert store.get(key) == b"payload\nwith lines"
    entry = tmp_path / "ab" / f"{key}.bin"
    raw = entry.read_bytes()
    for bad in (raw[:-1], raw + b"x", b"", b"garbage", raw.replace(b"payload", b"paylaod")):
        entry.write_bytes(bad)
        assert store.get(key) is None, bad
    entry.unlink()
    entry.mkdir()
    assert store.get(key) is None  # unreadable: a miss, not an error


def test_store_that_cannot_be_written_is_no_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    store = cachedir.Store(tmp_path / "file", "bin")
    store.put("cd" + "0" * 62, b"x")
    assert store.get("cd" + "0" * 62) is None


def test_concurrent_writers_leave_whole_entries(tmp_path: Path) -> None:
    store = cachedir.Store(tmp_path, "bin")
    data = {f"{i:02x}" + "1" * 62: os.urandom(200_000) for i in range(8)}
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(5):
                for key, value in data.items():
                    store.put(key, value)
                    got = store.get(key)
                    assert got is None or got == value
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert all(store.get(k) == v for k, v in data.items())
    assert [p.name for p in tmp_path.rglob("*.tmp")] == []


def test_prune_removes_old_entries_once_a_day(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TCPDIAGRAM_CACHE", str(tmp_path))
    layout = cachedir.Store(cachedir.folder("layout"), "svg")
    old_key, new_key = "aa" + "0" * 62, "bb" + "0" * 62
    layout.put(old_key, b"old")
    layout.put(new_key, b"new")
    months = time.time() - 90 * 86400
    os.utime(layout.path / "aa" / f"{old_key}.svg", (months, months))
    assert cachedir.prune() == 1
    assert layout.get(old_key) is None and layout.get(new_key) == b"new"
    layout.put(old_key, b"old")
    os.utime(layout.path / "aa" / f"{old_key}.svg", (months, months))
    assert cachedir.prune() == 0, "the walk runs at most once a day"


@pytest.mark.parametrize("name", ["dot", "rsvg-convert", "python3", "no-such-tool-here"])
def test_which_agrees_with_shutil(name: str) -> None:
    assert fingerprint.which(name) == shutil.which(name)
