"""What a forked build (site/parallel.py) adds to serve's PageMemo, handed back to the process that forked it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .memo import PageMemo

Tables = dict[str, dict[str, Any]]


@dataclass(frozen=True)
class Mark:
    """PageMemo.fork_point(): the keys of every table, the keys used, the pending reuse, the counts."""

    keys: dict[str, set[str]]
    used: set[str]
    site_pages: dict[str, str]
    languages: set[str]
    counts: tuple[int, ...]


@dataclass(frozen=True)
class Delta:
    """PageMemo.since(): what a forked build added, pickled back to the process that forked it."""

    tables: dict[str, dict[str, Any]]
    used: set[str]
    site_pages: dict[str, str]
    languages: dict[str, Any]
    counts: tuple[int, ...]


def _counts(memo: PageMemo) -> tuple[int, ...]:
    return memo.hits, memo.misses, memo.languages.reused, memo.site_pages.linked


def fork_point(memo: PageMemo, tables: Tables, used: set[str]) -> Mark:
    """The keys of every table, the keys used, the pending reuse and the counts, at the fork."""
    return Mark({name: set(t) for name, t in tables.items()}, set(used), dict(memo.site_pages.pending),
                set(memo.languages.pending), _counts(memo))


def since(memo: PageMemo, tables: Tables, used: set[str], mark: Mark) -> Delta:
    """What this process added after `mark`: new entries, keys used, pending reuse, counts."""
    new = {name: {k: v for k, v in t.items() if k not in mark.keys[name]} for name, t in tables.items()}
    pages = {k: v for k, v in memo.site_pages.pending.items() if mark.site_pages.get(k) != v}
    runs = {k: v for k, v in memo.languages.pending.items() if k not in mark.languages}
    return Delta(new, used - mark.used, pages, runs, tuple(b - a for a, b in zip(mark.counts, _counts(memo))))


def merge(memo: PageMemo, tables: Tables, delta: Delta) -> set[str]:
    """Put what a forked build added into `memo` (the other process's); returns the keys it used."""
    for name, table in tables.items():
        table.update(delta.tables.get(name, {}))
    memo.site_pages.pending.update(delta.site_pages)
    memo.languages.pending.update(delta.languages)
    hits, misses, reused, linked = delta.counts
    memo.hits += hits
    memo.misses += misses
    memo.languages.reused += reused
    memo.site_pages.linked += linked
    return delta.used
