"""serve's rebuilds take from OUT what the last build that reached it made from the same inputs: a diagram
file with the same bytes (FileReuse), and a whole non-default language whose every input is unchanged
(LanguageReuse: its pages, search entries, and the root files its build writes), hard-linked, not made again.

The i18n plugin builds the default language as MkDocs' own build, then each other language inside that
build's `on_post_build`, one after the other, all into one site folder. A language's build reads only the
config, the theme, the docs folder (its own pages, the shared files, and the default language's pages where
it has none of its own) and SOURCE_DATE_EPOCH; it writes its folder (`en/…`), the search entries the i18n
plugin merges, and a few root files (`404.html`, `sitemap.xml`) that the last language's build leaves. All
of that is kept, keyed on a digest of those inputs, and used only while OUT still holds that very build.
"""

from __future__ import annotations

import copy
import hashlib
import logging
import os
import shutil
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

ROOT_FILES = ("404.html", "sitemap.xml", "sitemap.xml.gz")


@dataclass(frozen=True)
class Run:
    """One language's build: its input digest, its search entries, the root files it left, what it logged."""

    key: str
    entries: list[dict[str, Any]]
    roots: dict[str, bytes]
    records: list[logging.LogRecord]


class Records(logging.Handler):
    """Every record a language's build logs (re-logged when it is reused, so its warnings are never lost)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    @contextmanager
    def catching(self) -> Iterator[None]:
        loggers = [logging.getLogger(), logging.getLogger("mkdocs")]  # MkDocs' logger does not propagate here
        for logger in loggers:
            logger.addHandler(self)
        try:
            yield
        finally:
            for logger in loggers:
                logger.removeHandler(self)


def put_roots(site: Path, roots: dict[str, bytes]) -> None:
    """The root files a language's build left (ROOT_FILES), as new files: the names may be links to OUT's."""
    for name, data in roots.items():
        (site / name).unlink(missing_ok=True)
        (site / name).write_bytes(data)


def file_digests(root: Path) -> list[tuple[str, str]]:
    """(relative path, sha256) of every file under root, sorted."""
    out = []
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = Path(folder, name)
            out.append((path.relative_to(root).as_posix(), hashlib.sha256(path.read_bytes()).hexdigest()))
    return sorted(out)


class LanguageReuse:
    """The runs of the last build that reached OUT, and those of the build in progress (see the docstring)."""

    def __init__(self) -> None:
        self.final: Path | None = None  # OUT/site, where the committed runs' output lives
        self.committed: dict[str, Run] = {}
        self.committed_site: tuple[int, int] | None = None  # (device, inode) of OUT/site when committed
        self.pending: dict[str, Run] = {}
        self.reused = 0  # languages linked instead of built, over this process's builds

    def key(self, context: str, lang: str, langs: list[str], config: Any) -> str:
        """Digest of every input of `lang`'s build (see the module docstring)."""
        docs = Path(config.docs_dir)
        h = hashlib.sha256()
        h.update(repr((context, lang, langs, os.environ.get("SOURCE_DATE_EPOCH"))).encode("utf-8"))
        every = file_digests(docs)
        mine = {rel.partition("/")[2] for rel, _ in every if rel.startswith(f"{lang}/")}
        for rel, digest in every:
            head, _, rest = rel.partition("/")
            if head in langs and head != lang:  # another language's page: its name (alternates) and, where
                h.update(f"{rel}\0{digest if rest not in mine else ''}\n".encode())  # this one has none, its text
            else:
                h.update(f"{rel}\0{digest}\n".encode())
        custom = config.theme.custom_dir
        for rel, digest in file_digests(Path(custom)) if custom else []:
            h.update(f"theme/{rel}\0{digest}\n".encode())
        return h.hexdigest()

    def _site_id(self) -> tuple[int, int] | None:
        return _identity(self.final) if self.final is not None else None

    def build(self, plain: Callable[..., None], config: Any, context: str, dirty: bool) -> None:
        """Build the i18n plugin's current language, or link it from OUT when nothing it reads changed."""
        i18n = config.plugins["i18n"]
        lang = str(i18n.current_language)
        langs = [str(x.locale) for x in i18n.config.languages]
        site = Path(config.site_dir)
        key = self.key(context, lang, langs, config)
        last = self.committed.get(lang)
        if last is not None and last.key == key and self._site_id() == self.committed_site and self._link(lang, site):
            i18n.search_entries.extend(copy.deepcopy(last.entries))
            put_roots(site, last.roots)
            for record in last.records:
                logging.getLogger(record.name).handle(record)
            self.pending[lang] = last
            self.reused += 1
            return
        before = len(i18n.search_entries)
        catch = Records()
        with catch.catching():
            plain(config, dirty=dirty)
        roots = {name: (site / name).read_bytes() for name in ROOT_FILES if (site / name).is_file()}
        self.pending[lang] = Run(key, copy.deepcopy(i18n.search_entries[before:]), roots, catch.records)

    def _link(self, lang: str, site: Path) -> bool:
        """Hard-link OUT/site/<lang> into the new site folder (False, nothing linked, when it is not there)."""
        assert self.final is not None
        source = self.final / lang
        target = site / lang
        if not source.is_dir() or target.exists():
            return False
        try:
            for folder, _dirs, names in os.walk(source):
                rel = Path(folder).relative_to(source)
                (target / rel).mkdir(parents=True, exist_ok=True)
                for name in names:
                    os.link(Path(folder, name), target / rel / name)
        except OSError:  # no hard links here, or OUT changed under us: build the language instead
            shutil.rmtree(target, ignore_errors=True)
            return False
        return True

    def commit(self) -> None:
        """The build reached OUT: its runs are the ones to reuse next."""
        self.committed, self.pending = self.pending, {}
        self.committed_site = self._site_id()

    def abandon(self) -> None:
        """The build did not reach OUT: forget its runs (OUT still holds the previous build, and its runs)."""
        self.pending = {}


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


class FileReuse:
    """The files under one folder of OUT (diagrams/, site/) the last build that reached OUT wrote, by digest: the
    next build links a file it would write with the same bytes instead of writing it (some 25 MB of PNG/PDF
    per build; a new file costs here about twenty times a link)."""

    def __init__(self) -> None:
        self.final: Path | None = None  # OUT/diagrams
        self.committed: dict[str, str] = {}
        self.committed_dir: tuple[int, int] | None = None
        self.pending: dict[str, str] = {}
        self.linked = 0

    def place(self, rel: str, data: bytes, target: Path) -> bool:
        """Link OUT/…/<rel> to `target` when it holds these very bytes (False: write them yourself)."""
        return self.place_key(rel, hashlib.sha256(data).hexdigest(), len(data), target)

    def place_key(self, rel: str, key: str, size: int, target: Path) -> bool:
        """Link OUT/…/<rel> to `target` when the last build wrote it from the same `key` (a digest of its bytes,
        or of the file it copied: path, mtime, size)."""
        self.pending[rel] = key
        if self.final is None or self.committed.get(rel) != key or _identity(self.final) != self.committed_dir:
            return False
        source = self.final / rel
        try:
            if source.stat().st_size != size:
                return False
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(source, target)
        except OSError:
            return False
        self.linked += 1
        return True

    def commit(self) -> None:
        self.committed, self.pending = self.pending, {}
        self.committed_dir = _identity(self.final) if self.final is not None else None

    def written(self, rel: str, data: bytes) -> None:
        """A file the build in OUT wrote after its swap (site/late.py: a PNG/PDF that was still converting)."""
        self.committed[rel] = hashlib.sha256(data).hexdigest()

    def abandon(self) -> None:
        self.pending = {}
