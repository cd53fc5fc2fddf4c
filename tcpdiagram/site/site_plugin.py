"""The build's own MkDocs plugin: inline clickable diagrams, relative language links, one search index per
language, a sitemap only with a site URL, and a bilingual 404 page that works under any path."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .inline import PAIR, dark_css, figure, inline_svg, key_of
from .search_terms import KEYWORDS
from .mdtext import anchor
from .strings import SITE_UI

if TYPE_CHECKING:
    from .memo import PageMemo

DARK_CSS = "assets/tcpdiagram-dark.css"
_ALTERNATE = re.compile(r'<link rel="alternate" href="[^"]*" hreflang="[^"]*">')
_SWITCH = re.compile(r'(<a href=")([^"]*)(" hreflang="[^"]+" class="md-select__link")')
_SWITCH_LANG = re.compile(r'(<a href=")[^"]*(" hreflang="([^"]+)" class="md-select__link")')
_CONFIG = re.compile(r'(<script id="__config" type="application/json">)(.*?)(</script>)', re.S)
_ROOT_URL = re.compile(r'((?:href|src)=")/(?!/)')
_NOT_FOUND = re.compile(r"<h1>404 - Not found</h1>")


def _relative(target: str, here: str) -> str:
    """The link from page URL `here` (site-relative, `en/states/x/`) to `target` (site-relative)."""
    base = PurePosixPath("/" + here).parent if not here.endswith("/") else PurePosixPath("/" + here)
    up = len(base.parts) - 1
    return "../" * up + target if (target or up) else "./"


def plugin(memo: PageMemo | None = None) -> Any:
    """The plugin; `memo` (serve's) keeps each inline diagram's figure from one rebuild to the next."""
    from mkdocs.plugins import BasePlugin, event_priority

    class SitePlugin(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
        """See the module docstring; added by mkdocs_run.build_site to every build."""

        def _i18n(self, config: Any) -> Any:
            return config.plugins.get("i18n")

        def _langs(self, config: Any) -> tuple[str, list[str]]:
            """(default language, every built language) from the i18n plugin's settings."""
            i18n = self._i18n(config)
            if i18n is None:
                lang = str(config.theme.get("language", "en"))
                return lang, [lang]
            langs = [str(x.locale) for x in i18n.config.languages if x.build]
            default = next((str(x.locale) for x in i18n.config.languages if x.default), langs[0])
            return default, langs

        def _current(self, config: Any) -> str:
            i18n = self._i18n(config)
            return str(i18n.current_language) if i18n is not None else self._langs(config)[0]

        def on_config(self, config: Any) -> Any:
            if DARK_CSS not in config.extra_css:
                config.extra_css.append(DARK_CSS)
            return config

        def on_page_markdown(self, markdown: str, *, page: Any, config: Any, files: Any) -> str:
            """Search keywords the page carries in a comment (search_terms.keywords) become its `tags`."""
            found = KEYWORDS.search(markdown)
            if found is None:
                return markdown
            page.meta["tags"] = json.loads(found.group(1))
            return markdown[: found.start()] + markdown[found.end():]

        @event_priority(100)  # before any plugin that looks at <img> (the search plugin reads the result)
        def on_page_content(self, html_text: str, *, page: Any, config: Any, files: Any) -> str:
            src_uri = str(page.file.src_uri)
            lang = src_uri.split("/", 1)[0]
            ui = SITE_UI.get(lang, SITE_UI["en"])  # type: ignore[call-overload]

            def link(kind: str, ident: str) -> str | None:
                path = f"{lang}/states/{ident.lower()}.md" if kind == "state" else f"{lang}/transitions.md"
                target = files.get_file_from_path(path)
                if target is None:
                    return None
                url = target.url_relative_to(page.file)
                return url if kind == "state" else f"{url}#{anchor('tr-' + ident)}"

            def replace(m: re.Match[str]) -> str:
                key = key_of(m.group("src"))
                found = files.get_file_from_path(f"{lang}/diagrams/{key}.svg")
                if found is None or not found.abs_src_path:
                    return m.group(0)
                text = Path(found.abs_src_path).read_text(encoding="utf-8")
                kind = "state" if key.startswith(("state-", "path-")) else "chart"
                alt = html.unescape(m.group("alt"))
                labels = {k: ui[k] for k in ("zoom_in", "zoom_out", "zoom_reset", "zoom_full", "zoom_close",
                                             "zoom_hint")}

                def make() -> str:
                    return figure(inline_svg(text, key, link if kind == "state" else None), key, alt, kind, labels)

                if memo is None:
                    return make()
                return memo.figure((text, key, kind, lang, src_uri, memo.files_key(files), alt, labels), make)

            return PAIR.sub(replace, html_text)

        def on_post_page(self, output: str, *, page: Any, config: Any) -> str:
            here = str(page.url)
            default, langs = self._langs(config)
            site_path = urlsplit(config.site_url or "/").path or "/"
            output = _drop_alternates(output)  # Material fetches <alternate>/sitemap.xml for each one: 404s

            def switch(m: re.Match[str]) -> str:
                href = m.group(2)
                if href.startswith(site_path):
                    href = _relative(href[len(site_path):], here)
                return m.group(1) + href + m.group(3)

            output = _SWITCH.sub(switch, output)
            lang = self._current(config)
            if lang != default:
                output = _CONFIG.sub(lambda m: m.group(1) + _with_base(m.group(2), lang) + m.group(3), output, 1)
            return output

        @event_priority(-200)  # after the i18n plugin has built every language and written the one index
        def on_post_build(self, *, config: Any) -> None:
            i18n = self._i18n(config)
            if i18n is not None and getattr(i18n, "building", False):
                return  # a language build inside the i18n plugin's loop; the outer build finishes
            site = Path(config.site_dir)
            default, langs = self._langs(config)
            split_search(site, [x for x in langs if x != default])
            (site / DARK_CSS).parent.mkdir(parents=True, exist_ok=True)
            (site / DARK_CSS).write_text(dark_css(), encoding="utf-8")
            if not config.site_url:
                for name in ("sitemap.xml", "sitemap.xml.gz"):
                    (site / name).unlink(missing_ok=True)
            page = site / "404.html"
            if page.is_file():
                root = urlsplit(config.site_url).path or "/" if config.site_url else None
                page.write_text(not_found(page.read_text(encoding="utf-8"), root, langs, default, _tops(site)),
                                encoding="utf-8")

    return SitePlugin()


def _drop_alternates(text: str) -> str:
    """Every `<link rel="alternate" …>` with the white space before it (what `\\s*<link…>` removes, without a
    regex that tries a match at every white space character of a page of inline SVG)."""
    out, pos = [], 0
    for m in _ALTERNATE.finditer(text):
        start = m.start()
        while start > pos and text[start - 1].isspace():
            start -= 1
        out.append(text[pos:start])
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)


def _with_base(config_json: str, lang: str) -> str:
    """Material's page config with `base` at the language's folder, so its search reads that language's index."""
    data = json.loads(config_json)
    data["base"] = f"{data['base'].rstrip('/')}/{lang}/" if data["base"] not in ("", ".") else f"{lang}/"
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


def split_search(site: Path, others: list[str]) -> None:
    """One index per language: the default language's pages at the root, each other language's in <lang>/search."""
    path = site / "search" / "search_index.json"
    if not path.is_file() or not others:
        return
    index = json.loads(path.read_text(encoding="utf-8"))
    docs = index.get("docs", [])
    prefixes = tuple(f"{lang}/" for lang in others)
    mine = [d for d in docs if not str(d.get("location", "")).startswith(prefixes)]
    path.write_text(json.dumps({**index, "docs": mine}, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    for lang in others:
        theirs = [{**d, "location": d["location"][len(lang) + 1:]} for d in docs
                  if str(d.get("location", "")).startswith(f"{lang}/")]
        out = site / lang / "search" / "search_index.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.unlink(missing_ok=True)  # a new file: this one may be a link to the served build's (site/reuse.py)
        out.write_text(json.dumps({**index, "docs": theirs}, ensure_ascii=False, separators=(",", ":")),
                       encoding="utf-8")


_LINK_TAG = re.compile(r'<link rel="(stylesheet|icon)" href="([^"]+)">')
_SCRIPT_TAG = re.compile(r'<script src="([^"]+)"></script>')


def _written(start: str, url: str, end: str) -> str:
    """A tag document.write()s with the found root before its (relative, trusted) URL."""
    parts = [json.dumps(x).replace("</", "<\\/") for x in (start, url, end)]
    return f"<script>document.write({parts[0]}+window.__tcpRoot+{parts[1]}+{parts[2]});</script>"


def _tops(site: Path) -> list[str]:
    """The site's top-level names (`en`, `states`, `assets`…): the 404 script finds the site root by them."""
    return sorted(p.name for p in site.iterdir() if p.name not in ("404.html",))


def not_found(page: str, root: str | None, langs: list[str], default: str, tops: list[str]) -> str:
    """The 404 page in every language. `root` is the site URL's path: MkDocs made every link absolute from it.
    Without one the links become relative to a root found in the browser (the first path segment that is one
    of the site's top-level names, else the folder of the URL)."""
    parts = []
    for lang in langs:
        ui = SITE_UI.get(lang, SITE_UI["en"])  # type: ignore[call-overload]
        home = "" if lang == default else f"{lang}/"
        parts.append(
            f'<section lang="{html.escape(lang)}" class="tcp-404"><h1>404 · {html.escape(ui["not_found_title"])}</h1>'
            f'<p>{html.escape(ui["not_found_text"])}</p>'
            f'<p><a href="{html.escape(root or "/")}{home}">{html.escape(ui["not_found_home"])}</a></p></section>'
        )
    page = _NOT_FOUND.sub(lambda m: "\n".join(parts), page, 1)
    page = _drop_alternates(page)

    def switch(m: re.Match[str]) -> str:  # each language's home (the template may carry some page's links)
        lang = html.unescape(m.group(3))
        home = "" if lang == default else f"{lang}/"
        return f"{m.group(1)}{html.escape(root or '')}{html.escape(home)}{m.group(2)}"

    page = _SWITCH_LANG.sub(switch, page)
    if root is not None:
        return page
    page = _ROOT_URL.sub(r"\1", page)
    script = (
        "<script>(function(){var tops=" + json.dumps(tops) + ",seg=location.pathname.split('/');"
        "var i=seg.findIndex(function(s,k){return k>0&&tops.indexOf(s)>=0;});"
        "if(i<0){i=seg.length-1;if(seg[i]===''&&i>1){i-=1;}}"
        "var root=seg.slice(0,Math.max(i,1)).join('/')+'/';window.__tcpRoot=root;"
        "document.write('<base href=\"'+root.replace(/\"/g,'%22')+'\">');})();</script>"
    )
    page = page.replace("<head>", "<head>" + script, 1)
    # The browser's preload scanner fetches <link>/<script> URLs before the <base> above exists: write them
    # from a script too, so every asset is asked for under the root.
    page = _LINK_TAG.sub(lambda m: _written(f'<link rel="{m.group(1)}" href="', m.group(2), '">'), page)
    page = _SCRIPT_TAG.sub(lambda m: _written('<script src="', m.group(1), '"></script>'), page)

    def config(m: re.Match[str]) -> str:
        data = json.loads(m.group(2))
        data["base"] = ""
        data["search"] = str(data.get("search", "")).lstrip("/")
        body = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
        return (
            "<script>(function(){var c=" + body + ";c.base=window.__tcpRoot;c.search=window.__tcpRoot+c.search;"
            "document.write('<script id=\"__config\" type=\"application/json\">'+JSON.stringify(c).replace(/</g,"
            "'\\\\u003c')+'<\\/script>');})();</script>"
        )

    return _CONFIG.sub(config, page, 1)
