"""The cache of checked specs: a hit equals a fresh load, an edit is never served stale, bad specs are never kept."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tcpdiagram.cache import spec as speccache
from tcpdiagram.errors import SpecError
from tcpdiagram.specfile import load_checked

ROOT = Path(__file__).resolve().parent.parent


def test_hit_equals_fresh_load_and_edits_are_not_stale(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TCPDIAGRAM_CACHE", str(tmp_path / "cache"))
    spec_file = tmp_path / "tcp.yaml"
    shutil.copy(ROOT / "spec" / "tcp.yaml", spec_file)
    fresh = load_checked(spec_file, use_cache=False)
    first = load_checked(spec_file)
    data = spec_file.read_bytes()
    assert speccache.get(data, str(spec_file)) == fresh  # stored after the first checked load
    assert load_checked(spec_file) == fresh == first
    spec_file.write_bytes(data.replace(b"label: {zh: \xe7\x9b\x91\xe5\x90\xac, en: Listen}",
                                       b"label: {zh: \xe7\x9b\x91\xe5\x90\xac, en: Listening}"))
    assert load_checked(spec_file).state("LISTEN").label.en == "Listening"


def test_a_bad_spec_is_reported_every_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TCPDIAGRAM_CACHE", str(tmp_path / "cache"))
    bad = ROOT / "tests" / "bad_specs" / "unknown_state.yaml"
    for _ in range(2):
        with pytest.raises(SpecError):
            load_checked(bad)
    assert speccache.get(bad.read_bytes(), str(bad)) is None


def test_a_corrupt_entry_is_a_miss(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TCPDIAGRAM_CACHE", str(tmp_path / "cache"))
    spec_file = ROOT / "spec" / "tcp.yaml"
    load_checked(spec_file)
    entries = list((tmp_path / "cache").rglob("*.pickle"))
    assert len(entries) == 1, "the checked load stored one entry"
    for entry in entries:
        entry.write_bytes(entry.read_bytes()[:-10])
    assert speccache.get(spec_file.read_bytes(), str(spec_file)) is None
    assert load_checked(spec_file).state("CLOSED").id == "CLOSED"
