"""In-process memos of MkDocs' per-page work for `serve`'s rebuilds: an edit redoes only the pages it changed.

A rebuild under `serve` runs the whole MkDocs build as a plain build does (every page, every plugin event, the
nav and the links checked again), but work whose inputs are the same as in an earlier build of the same
process is taken from that build:

- `Page.render` (Markdown → HTML, table of contents, anchors, the link warnings it logs), keyed on the page's
  Markdown, its file's names and URL, every file's names and URL (links resolve against them), the site
  config and the language being built;
- each inline diagram's figure (site_plugin), keyed on the SVG, the page, the files and the UI words;
- the search plugin's entries for a page, keyed on its HTML with the diagrams' figures left out (the search
  plugin skips them whole: they carry `data-search-exclude`), its table of contents, title, URL, metadata;
- each page template's output, keyed on the template's whole context (site/memo_keys.py);
- the theme's template list for the installed theme folders (they do not change while the process runs);
- a whole non-default language whose inputs are unchanged, and each diagram file and page with unchanged
  bytes, linked from OUT (site/reuse.py).

The second language builds in a forked child beside the first (site/parallel.py) with the memo it inherited;
it sends back what it added (`since`), which the parent `merge`s. Copies MkDocs makes of the build's own docs
files (diagrams, images) become hard links. Every memo is a pure function of its key, so a hit gives the bytes a miss would; tests/test_serve_memo.py compares memoized
rebuilds with fresh builds, file for file and warning for warning. A plain `build` passes no memo.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import os
import re
import sysconfig
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

from .memo_keys import context_key, spec_in, toc_key
from .reuse import FileReuse, LanguageReuse, Records, file_digests

if TYPE_CHECKING:
    from .memo_fork import Delta, Mark

FIGURE = re.compile(r'(<figure class="tcp-figure"[^>]*\bdata-search-exclude>).*?</figure>', re.S)
INSTALLED = tuple({os.path.realpath(sysconfig.get_path(k)) + os.sep for k in ("purelib", "platlib")})


def _digest(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, default=repr).encode("utf-8")).hexdigest()


@contextmanager
def _patched(owner: Any, name: str, replacement: Callable[..., Any]) -> Iterator[Callable[..., Any]]:
    """owner.name is `replacement` inside; the original (yielded) again after."""
    plain = getattr(owner, name)
    setattr(owner, name, replacement)
    try:
        yield plain
    finally:
        setattr(owner, name, plain)


class PageMemo:
    """What earlier builds of this process computed; see the module docstring."""

    def __init__(self) -> None:
        self.context = ""  # what every page depends on: mkdocs.yml, languages, site URL, nav (build_site sets it)
        self.docs_dir: Path | None = None  # the build's docs folder (build_site sets it)
        self.render: dict[str, tuple[Any, ...]] = {}
        self.search: dict[str, list[dict[str, Any]]] = {}
        self.pages: dict[str, str] = {}
        self.figures: dict[str, str] = {}
        self.diagrams: dict[str, str] = {}  # a diagram's inputs → its SVG (render_all.render_svgs)
        self._spec_in: dict[tuple[int, str], tuple[object, str]] = {}
        self.templates: dict[str, list[str]] = {}
        self.theme_files: dict[str, list[tuple[str, str]]] = {}
        self.hits = 0
        self.misses = 0
        self.languages = LanguageReuse()
        self.files = FileReuse()  # OUT/diagrams
        self.site_pages = FileReuse()  # OUT/site: each page's index.html, the theme's static files
        self.site_dir: Path | None = None  # the site folder MkDocs builds into (build_site sets it)
        self._files: tuple[Any, str] | None = None
        self._themes: dict[str, str] = {}
        self._used: set[str] = set()  # the keys this build looked up or made

    def start(self, out: Path) -> None:
        """A build into OUT begins: what it may take from OUT is what the last build that reached OUT left."""
        self.languages.final, self.files.final, self.site_pages.final = out / "site", out / "diagrams", out / "site"

    def commit(self) -> None:
        """The build reached OUT: keep what it used (what the next build can use), drop the rest."""
        self.languages.commit()
        self.files.commit()
        self.site_pages.commit()
        for table in (self.render, self.search, self.pages, self.figures, self.diagrams):
            for key in [k for k in table if k not in self._used]:
                del table[key]
        self._used = set()

    def abandon(self) -> None:
        """The build did not reach OUT (OUT still holds the previous one)."""
        self.languages.abandon()
        self.files.abandon()
        self.site_pages.abandon()

    def _tables(self) -> dict[str, dict[str, Any]]:
        return {"render": self.render, "search": self.search, "pages": self.pages, "figures": self.figures,
                "diagrams": self.diagrams, "templates": self.templates, "theme_files": self.theme_files}

    def fork_point(self) -> Mark:
        """What the memo holds now: a build in a forked process (site/parallel.py) hands back only what it adds."""
        from .memo_fork import fork_point

        return fork_point(self, self._tables(), self._used)

    def since(self, mark: Mark) -> Delta:
        """What this process added to the memo after `mark` (site/memo_fork.py)."""
        from .memo_fork import since

        return since(self, self._tables(), self._used, mark)

    def merge(self, delta: Delta) -> None:
        """Take in what a forked build added (since())."""
        from .memo_fork import merge

        self._used |= merge(self, self._tables(), delta)

    def files_key(self, files: Any) -> str:
        """Every file's names, URL and inclusion (computed once per Files object of a build)."""
        if self._files is not None and self._files[0] is files:
            return self._files[1]
        key = _digest(sorted((f.src_uri, f.dest_uri, f.url, str(f.inclusion)) for f in files))
        self._files = (files, key)
        return key

    def lookup(self, table: dict[str, Any], key: str | None, make: Callable[[], Any]) -> Any:
        """table[key], made and kept when missing; no key: just made. commit() keeps only what its build used,
        so the memo holds about one build's pages, figures and entries (not one per edit)."""
        if key is None:
            return make()
        self._used.add(key)
        if key in table:
            self.hits += 1
            return table[key]
        value = make()
        self.misses += 1
        table[key] = value
        return value

    def diagram_key(self, spec: object, lang: str, parts: tuple[object, ...]) -> str:
        """A diagram's key (render_all.render_svgs): the spec as `lang` sees it, and the diagram's own kind, view,
        theme and outside inputs (the Linux record of an observed chart)."""
        seen = self._spec_in.get((id(spec), lang))
        if seen is None or seen[0] is not spec:
            seen = (spec, spec_in(spec, lang))
            self._spec_in = {k: v for k, v in self._spec_in.items() if v[0] is spec}
            self._spec_in[(id(spec), lang)] = seen
        return _digest(seen[1], lang, *parts)

    def take(self, table: dict[str, Any], key: str) -> Any:
        """table[key] (this build uses it), or None."""
        self._used.add(key)
        if key in table:
            self.hits += 1
            return table[key]
        return None

    def keep(self, table: dict[str, Any], key: str, value: Any) -> None:
        self._used.add(key)
        self.misses += 1
        table[key] = value

    def figure(self, parts: tuple[object, ...], make: Callable[[], str]) -> str:
        """An inline diagram's figure (site_plugin.on_page_content)."""
        return str(self.lookup(self.figures, _digest(self.context, *parts), make))

    def _theme_key(self, config: Any) -> str:
        """The custom theme folder's files (templates, partials), read once per build."""
        custom = str(config.theme.custom_dir or "")
        if custom not in self._themes:
            self._themes[custom] = _digest(file_digests(Path(custom))) if custom else ""
        return self._themes[custom]

    @contextmanager
    def active(self) -> Iterator[None]:
        """The memos on (MkDocs, Material, Jinja2 and the i18n plugin patched) for the builds run inside."""
        import jinja2
        import mkdocs.utils
        import mkdocs_static_i18n.plugin as i18n_plugin
        from material.plugins.search.plugin import SearchIndex
        from mkdocs.structure.files import File, Files
        from mkdocs.structure.pages import Page

        self._themes = {}
        with ExitStack() as stack:
            def patch(owner: Any, name: str, replacement: Callable[..., Any]) -> Callable[..., Any]:
                return stack.enter_context(_patched(owner, name, replacement))

            plain_render = patch(Page, "render", lambda page, config, files: self._render(plain_render, page, config,
                                                                                         files))
            plain_entry = patch(SearchIndex, "add_entry_from_context",
                                lambda index, page: self._entry(plain_entry, index, page))
            plain_template = patch(jinja2.Template, "render",
                                   lambda tpl, *a, **k: self._template(plain_template, tpl, a, k))
            plain_list = patch(jinja2.FileSystemLoader, "list_templates",
                               lambda loader: self._list_templates(plain_list, loader))
            plain_copy = patch(File, "copy_file", lambda file, dirty=False: self._copy(plain_copy, file, dirty))
            plain_theme = patch(Files, "add_files_from_theme",
                                lambda files, env, config: self._theme_files(plain_theme, files, env, config))
            plain_write = patch(mkdocs.utils, "write_file", lambda data, path: self._write_page(plain_write, data, path))
            plain_build = patch(i18n_plugin, "build",
                                lambda config, dirty=False: self._language(plain_build, config, dirty))
            try:
                yield
            finally:
                self._files = None

    def _language(self, plain: Callable[..., None], config: Any, dirty: bool) -> None:
        """The i18n plugin's build of one more language, or that language linked whole from OUT; then its pages
        there are those the last build placed, and the next build may link them again."""
        reused = self.languages.reused
        self.languages.build(plain, config, self.context, dirty)
        if self.languages.reused != reused:
            folder = f"{config.plugins['i18n'].current_language}/"
            self.site_pages.pending.update({k: v for k, v in self.site_pages.committed.items() if k.startswith(folder)})

    def _render(self, plain: Callable[..., None], page: Any, config: Any, files: Any) -> None:
        i18n = config.plugins.get("i18n")
        key = _digest(
            self.context, page.markdown, page.file.src_uri, page.file.dest_uri, page.file.url,
            self.files_key(files), str(getattr(i18n, "current_language", "")),
            str(config.theme.get("language", "")), bool(config.use_directory_urls),
            logging.getLogger("mkdocs").getEffectiveLevel(),
        )

        made = []

        def make() -> tuple[Any, ...]:
            catch = Records()
            with catch.catching():
                plain(page, config, files)
            made.append(True)
            links = None if page.links_to_anchors is None else {
                f.src_uri: dict(v) for f, v in page.links_to_anchors.items()
            }
            return (page.content, copy.deepcopy(page.toc), page._title_from_render, set(page.present_anchor_ids or ()),
                    links, catch.records)

        content, toc, title, anchors, links, records = self.lookup(self.render, key, make)
        if made:  # rendered just now: the page has it all
            return
        page.content = content
        page.toc = copy.deepcopy(toc)
        page._title_from_render = title
        page.present_anchor_ids = set(anchors)
        if links is not None:
            page.links_to_anchors = {files.get_file_from_path(uri): dict(v) for uri, v in links.items()}
        for record in records:
            logging.getLogger(record.name).handle(record)

    def _entry(self, plain: Callable[..., None], index: Any, page: Any) -> None:
        key = _digest(
            sorted((k, v) for k, v in index.config.items() if isinstance(v, (str, int, float, bool, list))),
            page.url, page.title, FIGURE.sub(r"\1</figure>", page.content), toc_key(page.toc),
            json.dumps(page.meta, sort_keys=True, default=str),
        )

        made = []

        def make() -> list[dict[str, Any]]:
            made.append(True)
            before = len(index.entries)
            plain(index, page)
            return copy.deepcopy(index.entries[before:])

        entries = self.lookup(self.search, key, make)
        if not made:  # a hit: add what the miss added
            index.entries.extend(copy.deepcopy(entries))

    def _template(self, plain: Callable[..., Any], tpl: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
        context = args[0] if len(args) == 1 and not kwargs and isinstance(args[0], dict) else None
        if context is None or context.get("page") is None or context.get("config") is None:
            return str(plain(tpl, *args, **kwargs))  # not a page: 404.html, sitemap.xml, our own templates
        config = context["config"]
        i18n = config.plugins.get("i18n")
        prefix = repr((self.context, str(getattr(i18n, "current_language", "")), self._theme_key(config)))
        return str(self.lookup(self.pages, context_key(prefix, str(tpl.name), context),
                               lambda: str(plain(tpl, *args, **kwargs))))

    def _list_templates(self, plain: Callable[..., list[str]], loader: Any) -> list[str]:
        """Jinja2's list, folder by folder (its result is the sorted union), installed folders read once."""
        import jinja2

        found: set[str] = set()
        for path in loader.searchpath:
            one = jinja2.FileSystemLoader([path], encoding=loader.encoding, followlinks=loader.followlinks)
            if not os.path.realpath(path).startswith(INSTALLED):
                found.update(plain(one))
                continue
            if path not in self.templates:
                self.templates[path] = plain(one)
            found.update(self.templates[path])
        return sorted(found)

    def _theme_files(self, plain: Callable[..., None], files: Any, env: Any, config: Any) -> None:
        """The theme's static files MkDocs adds (its filter reads all ~15,000 names of the theme, icons included),
        from an earlier build when the theme folders, the static templates and the docs' own files are the same."""
        from mkdocs.structure.files import File

        dirs = [str(d) for d in config.theme.dirs]
        if not all(os.path.realpath(d).startswith(INSTALLED) or d == str(config.theme.custom_dir or "") for d in dirs):
            plain(files, env, config)
            return
        key = _digest(dirs, list(config.theme.static_templates), sorted(f.src_uri for f in files),
                      self._theme_key(config), bool(config.use_directory_urls))
        found = self.theme_files.get(key)
        if found is None:
            before = len(files)
            plain(files, env, config)
            self.theme_files[key] = [(f.src_uri, str(f.src_dir)) for f in list(files)[before:]]
            self.misses += 1
            return
        self.hits += 1
        for path, folder in found:
            files.append(File(path, folder, config.site_dir, config.use_directory_urls))

    def _write_page(self, plain: Callable[[bytes, str], None], data: bytes, path: str) -> None:
        """A page's index.html with the bytes OUT has for it is linked from OUT (nothing rewrites a page in
        place afterwards; the root files and the search index, which the site plugin rewrites, are written)."""
        site = self.site_dir
        if site is None or not path.endswith(os.sep + "index.html") or not Path(path).is_relative_to(site):
            plain(data, path)
            return
        if os.path.lexists(path):
            os.unlink(path)  # never write into a file that may be a link to the served build
        if not self.site_pages.place(Path(path).relative_to(site).as_posix(), data, Path(path)):
            plain(data, path)

    def _copy(self, plain: Callable[..., None], file: Any, dirty: bool) -> None:
        """A file of the build's own docs folder is hard-linked into the site, not copied; a theme file OUT has
        from the same source file (path, mtime, size) is linked from OUT. Never into an existing file (it may
        be a link to the served build): that name goes first."""
        src = file.abs_src_path
        docs, site = self.docs_dir, self.site_dir
        if file._content is not None or src is None or docs is None or site is None or dirty:
            plain(file, dirty)
            return
        dest = file.abs_dest_path
        try:
            if os.path.lexists(dest):
                os.unlink(dest)
            if Path(src).is_relative_to(docs):
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                os.link(src, dest)
                return
            st = os.stat(src)
            if Path(dest).is_relative_to(site) and self.site_pages.place_key(
                    Path(dest).relative_to(site).as_posix(), f"{src}\0{st.st_mtime_ns}\0{st.st_size}", st.st_size,
                    Path(dest)):
                return
        except OSError:  # a file system without hard links: copy
            pass
        plain(file, dirty)
