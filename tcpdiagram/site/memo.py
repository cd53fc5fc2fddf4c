"""In-process memos of MkDocs' per-page work (Markdown → HTML, search entries) for `serve`'s rebuilds.

A rebuild under `serve` runs the whole MkDocs build as a plain build does (every page, every plugin event, the
nav and the links checked again), but a page whose inputs are the same as in an earlier build of the same
process reuses what that build computed, instead of converting its Markdown and parsing its HTML for the
search index again:

- `Page.render` (Markdown → HTML, table of contents, anchors, the link warnings it logs) is keyed on the
  page's Markdown, its file's names and URL, every file's names and URL (links resolve against them), the
  site config and the language being built;
- the search plugin's entries for a page are keyed on the page's final HTML, table of contents, title, URL
  and metadata, and the search plugin's settings;
- a whole non-default language whose inputs are unchanged is linked from OUT (site/reuse.py).

Both are pure functions of those inputs, so a memo hit gives the bytes a miss would; tests/test_serve_memo.py
compares a memoized rebuild with a fresh build, file for file. A plain `build` passes no memo: nothing changes.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
from collections import OrderedDict
from contextlib import contextmanager
from typing import Any, Iterator

from pathlib import Path

from .reuse import LanguageReuse, Records, file_digests

LIMIT = 2048  # entries per memo: about two builds' pages in every language, many times over


def _digest(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, default=repr).encode("utf-8")).hexdigest()


def _toc(items: Any) -> list[Any]:
    """A table of contents as plain data (its objects are rebuilt per build)."""
    return [[i.title, i.id, i.url, i.level, _toc(i.children)] for i in items]


class PageMemo:
    """What earlier builds of this process computed per page; see the module docstring."""

    def __init__(self, context: str = "") -> None:
        self.context = context  # what else the pages depend on: the site config file, languages, site URL
        self.render: OrderedDict[str, tuple[Any, ...]] = OrderedDict()
        self.search: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
        self.pages: OrderedDict[str, str] = OrderedDict()  # page template context digest → HTML
        self.figures: OrderedDict[str, str] = OrderedDict()  # an inline diagram's inputs → its HTML
        self.hits = 0
        self.misses = 0
        self._files: dict[int, tuple[Any, str]] = {}
        self.languages = LanguageReuse()

    def _files_key(self, files: Any) -> str:
        """Every file's names, URL and inclusion (computed once per Files object of a build)."""
        found = self._files.get(id(files))
        if found is not None and found[0] is files:
            return found[1]
        key = _digest(sorted((f.src_uri, f.dest_uri, f.url, str(f.inclusion)) for f in files))
        self._files = {id(files): (files, key)}
        return key

    @staticmethod
    def _keep(table: OrderedDict[str, Any], key: str, value: Any) -> None:
        table[key] = value
        while len(table) > LIMIT:
            table.popitem(last=False)

    @contextmanager
    def active(self) -> Iterator[None]:
        """Memoize Page.render and the search plugin's per-page entries for the builds run inside."""
        import jinja2
        import mkdocs_static_i18n.plugin as i18n_plugin
        from material.plugins.search.plugin import SearchIndex
        from mkdocs.structure.pages import Page

        from .memo_keys import context_key

        memo = self
        plain_render = Page.render
        plain_entry = SearchIndex.add_entry_from_context
        plain_build = i18n_plugin.build
        plain_template = jinja2.Template.render
        themes: dict[str, str] = {}

        def theme_key(config: Any) -> str:
            """The custom theme folder's files (templates, partials), read once per build."""
            custom = str(config.theme.custom_dir or "")
            if custom not in themes:
                themes[custom] = _digest(file_digests(Path(custom))) if custom else ""
            return themes[custom]

        def template(tpl: Any, *args: Any, **kwargs: Any) -> str:
            context = args[0] if len(args) == 1 and not kwargs else None
            page = context.get("page") if isinstance(context, dict) else None
            config = context.get("config") if isinstance(context, dict) else None
            if page is None or config is None:
                return str(plain_template(tpl, *args, **kwargs))
            i18n = config.plugins.get("i18n")
            prefix = repr((memo.context, str(getattr(i18n, "current_language", "")), theme_key(config)))
            key = context_key(prefix, str(tpl.name), context)
            found = memo.pages.get(key) if key is not None else None
            if found is not None:
                memo.hits += 1
                return found
            html = str(plain_template(tpl, *args, **kwargs))
            if key is not None:
                memo.misses += 1
                memo._keep(memo.pages, key, html)
            return html

        def render(page: Any, config: Any, files: Any) -> None:
            i18n = config.plugins.get("i18n")
            key = _digest(
                memo.context, page.markdown, page.file.src_uri, page.file.dest_uri, page.file.url,
                memo._files_key(files), str(getattr(i18n, "current_language", "")),
                str(config.theme.get("language", "")), bool(config.use_directory_urls),
                logging.getLogger("mkdocs").getEffectiveLevel(),
            )
            found = memo.render.get(key)
            if found is None:
                memo.misses += 1
                catch = Records()
                with catch.catching():
                    plain_render(page, config, files)
                links = None if page.links_to_anchors is None else {
                    f.src_uri: dict(v) for f, v in page.links_to_anchors.items()
                }
                memo._keep(memo.render, key, (page.content, copy.deepcopy(page.toc), page._title_from_render,
                                              set(page.present_anchor_ids or ()), links,
                                              [(r.name, r) for r in catch.records]))
                return
            memo.hits += 1
            content, toc, title, anchors, links, records = found
            page.content = content
            page.toc = copy.deepcopy(toc)
            page._title_from_render = title
            page.present_anchor_ids = set(anchors)
            if links is not None:
                page.links_to_anchors = {files.get_file_from_path(uri): dict(v) for uri, v in links.items()}
            for name, record in records:
                logging.getLogger(name).handle(record)

        def entry(index: Any, page: Any) -> None:
            key = _digest(
                sorted((k, v) for k, v in index.config.items() if isinstance(v, (str, int, float, bool, list))),
                page.url, page.title, page.content, _toc(page.toc), json.dumps(page.meta, sort_keys=True, default=str),
            )
            found = memo.search.get(key)
            if found is None:
                before = len(index.entries)
                plain_entry(index, page)
                memo._keep(memo.search, key, copy.deepcopy(index.entries[before:]))
                return
            index.entries.extend(copy.deepcopy(found))

        def language_build(config: Any, dirty: bool = False) -> None:
            memo.languages.build(plain_build, config, memo.context, dirty)

        setattr(Page, "render", render)  # noqa: B010 - a patch for the builds inside, undone below
        setattr(SearchIndex, "add_entry_from_context", entry)  # noqa: B010
        setattr(i18n_plugin, "build", language_build)  # noqa: B010 - the i18n plugin's loop over the languages
        setattr(jinja2.Template, "render", template)  # noqa: B010 - MkDocs renders each page's template with it
        try:
            yield
        finally:
            setattr(Page, "render", plain_render)  # noqa: B010
            setattr(SearchIndex, "add_entry_from_context", plain_entry)  # noqa: B010
            setattr(i18n_plugin, "build", plain_build)  # noqa: B010
            setattr(jinja2.Template, "render", plain_template)  # noqa: B010
            self._files = {}
