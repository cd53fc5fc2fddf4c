"""What a Material page template reads, as plain data: the keys of site/memo.py's page-template memo.

A page's HTML is a function of its template's context: the page (its content, table of contents, title, URL,
metadata, neighbours), the navigation (every item's title, URL, metadata and active state), the config of the
language being built and the few plain values MkDocs adds. `context_key` turns all of it into one digest, or
None when the context holds something it does not know how to describe (then the page is rendered, not
looked up: an unknown input can never give a stale page)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

NAV_META = ("icon", "subtitle", "status")  # the page metadata material/templates/partials/nav-item.html reads


def _meta(meta: Any) -> str:
    return json.dumps(meta, sort_keys=True, ensure_ascii=False, default=str)


def toc_key(items: Any) -> list[Any]:
    """A table of contents as plain data (its objects are rebuilt per build)."""
    return [[i.title, i.id, i.level, bool(getattr(i, "active", False)), toc_key(i.children)] for i in items]


def _near(page: Any) -> list[Any] | None:
    return None if page is None else [page.title, page.url, page.file.src_uri]


def page_key(page: Any) -> list[Any]:
    parents = []
    parent = page.parent
    while parent is not None:
        parents.append([parent.title, bool(parent.active)])
        parent = parent.parent
    return [
        page.url, page.canonical_url, page.abs_url, page.edit_url, page.title, page.content, toc_key(page.toc),
        _meta(page.meta), page.is_homepage, page.is_index, page.file.src_uri, page.file.dest_uri,
        str(page.update_date), bool(page.active), _near(page.previous_page), _near(page.next_page), parents,
    ]


def _item(item: Any) -> list[Any]:
    kind = type(item).__name__
    children = [_item(c) for c in (item.children or [])] if getattr(item, "children", None) else []
    url = getattr(item, "url", None)
    meta = getattr(item, "meta", None) if kind == "Page" else None
    if meta is not None:  # what Material's nav partials read of a page's metadata (its search tags are not shown)
        meta = [bool(meta), *(_meta(meta.get(k)) for k in NAV_META)]
    return [kind, item.title, url, bool(getattr(item, "active", False)), getattr(item, "is_index", None), meta,
            children]


def nav_key(nav: Any) -> list[Any]:
    home = nav.homepage
    return [[_item(i) for i in nav.items], None if home is None else home.url]


def config_key(config: Any) -> str:
    """The parts of a language's config a template shows (the rest comes from mkdocs.yml, in the memo's context)."""
    parts = {k: config.get(k) for k in ("site_name", "site_url", "site_description", "site_author", "copyright",
                                         "repo_url", "repo_name", "edit_uri", "extra", "extra_css",
                                         "extra_javascript", "use_directory_urls")}
    parts["theme"] = {k: v for k, v in config.theme.items()}
    parts["theme_dirs"] = list(config.theme.dirs)
    return json.dumps(parts, sort_keys=True, ensure_ascii=False, default=_strict)


def _strict(value: Any) -> Any:
    import datetime
    from collections.abc import Mapping

    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, Mapping):
        return dict(value)
    if type(value).__name__ == "Locale" and type(value).__module__ in ("babel.core", "mkdocs.utils.babel_stub"):
        return str(value)  # the theme's language (Babel's Locale, or MkDocs' stand-in without Babel)
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)  # unknown: no key (the page is rendered)


def context_key(prefix: str, template: str, context: Any) -> str | None:
    """Digest of a page template's whole context, or None (see the module docstring)."""
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.nav import Navigation
    from mkdocs.structure.pages import Page

    parts: list[Any] = [prefix, template]
    try:
        for name in sorted(context):
            value = context[name]
            if isinstance(value, Page):
                described: Any = page_key(value)
            elif isinstance(value, Navigation):
                described = nav_key(value)
            elif isinstance(value, MkDocsConfig):
                described = config_key(value)
            elif name == "pages":
                described = [[f.src_uri, f.url, None if f.page is None else f.page.title] for f in value]
            elif name == "i18n_config":  # the i18n plugin's own settings: from mkdocs.yml (in the prefix)
                described = None
            else:  # plain values; anything else raises TypeError in _strict: no key
                described = json.dumps(value, sort_keys=True, ensure_ascii=False, default=_strict)
            parts.append([name, described])
        text = json.dumps(parts, ensure_ascii=False, default=_strict)
    except (TypeError, ValueError):
        return None
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def spec_in(spec: Any, lang: str) -> str:
    """Digest of the spec as one language sees it: every field, each text in `lang` only, source positions left
    out (no diagram shows them). A diagram in `lang` is a function of it (and its own view and theme): an edit
    of the other language's texts leaves it as it was."""
    import dataclasses

    from ..model import Pos, Text

    def walk(obj: Any) -> Any:
        if isinstance(obj, Text):
            return obj.get(lang)  # type: ignore[arg-type]
        if isinstance(obj, Pos):
            return None
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            return (type(obj).__name__, tuple(walk(getattr(obj, f.name)) for f in dataclasses.fields(obj)))
        if isinstance(obj, (tuple, list)):
            return tuple(walk(x) for x in obj)
        if isinstance(obj, dict):
            return tuple(sorted((repr(walk(k)), walk(v)) for k, v in obj.items()))
        if isinstance(obj, (str, int, float, bool, type(None))):
            return obj
        raise TypeError(f"spec_in: a {type(obj).__name__} in the spec")  # a new kind of field: teach walk() it

    return hashlib.sha256(repr(walk(spec)).encode("utf-8")).hexdigest()
