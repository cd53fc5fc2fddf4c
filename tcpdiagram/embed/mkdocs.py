"""The `tcpdiagram` MkDocs plugin: ```tcpdiagram fences in a user's pages become inline SVG at build time."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin

from .block import STYLE, BlockError, Renderer, error_html, parse_body

log = logging.getLogger("mkdocs.plugins.tcpdiagram")
_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`\n]*?)[ \t]*$")
_SLOT = "<!-- tcpdiagram-slot-{n} -->"
_SLOT_RE = re.compile(r"(?:<p>)?<!-- tcpdiagram-slot-(\d+) -->(?:</p>)?")
LANG_NAMES = ("zh", "en")


def page_lang(page: Any, config: Any) -> str:
    """The page's language under mkdocs-static-i18n (file.locale), else the site's (theme.language)."""
    locale = getattr(page.file, "locale", None) or config.theme.get("language") or "en"
    short = str(locale).replace("-", "_").split("_")[0].lower()
    return short if short in LANG_NAMES else "en"


class TcpDiagramPlugin(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
    """Finds ```tcpdiagram fences (outside other code blocks) and renders each with the tcpdiagram API."""

    def on_config(self, config: Any) -> Any:
        self.renderer = Renderer(Path(config.config_file_path).resolve().parent)
        self.strict = bool(config.get("strict"))
        self.slots: dict[str, list[str]] = {}
        return config

    def on_page_markdown(self, markdown: str, *, page: Any, config: Any, files: Any) -> str:
        lines = markdown.split("\n")
        out: list[str] = []
        found: list[str] = []
        i = 0
        lang = page_lang(page, config)
        offset = _front_matter_lines(page, markdown)
        while i < len(lines):
            m = _OPEN.match(lines[i])
            if not m:
                out.append(lines[i])
                i += 1
                continue
            fence, indent, info = m.group("fence"), m.group("indent"), m.group("info").strip()
            close = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
            end = next((j for j in range(i + 1, len(lines)) if close.match(lines[j])), len(lines))
            if info.split(" ")[0].lstrip(".{").rstrip("}") != "tcpdiagram":
                out.extend(lines[i:end + 1])  # someone else's code block: copied untouched, fences inside it too
                i = end + 1
                continue
            body = "\n".join(x[len(indent):] if x.startswith(indent) else x for x in lines[i + 1:end])
            found.append(self._render(body, lang, page, first_line=offset + i + 2, n=len(found)))
            out.extend(["", indent + _SLOT.format(n=len(found) - 1), ""])
            i = end + 1
        if found:
            self.slots[page.file.src_uri] = [STYLE + found[0], *found[1:]]
        return "\n".join(out)

    def _render(self, body: str, lang: str, page: Any, first_line: int, n: int) -> str:
        ident = f"tcpdiagram-{n}"
        try:
            return self.renderer.html(parse_body(body), lang, ident)
        except BlockError as e:
            line = first_line + (e.line if e.line is not None else -1)
            message = f"{page.file.src_uri}:{line}: tcpdiagram block: {e}"
            if self.strict:  # a PluginError stops the build even under -q, where MkDocs stops counting warnings
                raise PluginError(message) from None
            log.warning(message)  # a plain build goes on and shows the message in the page
            return error_html(message)

    def on_page_content(self, html: str, *, page: Any, config: Any, files: Any) -> str:
        found = self.slots.pop(page.file.src_uri, None)
        if not found:
            return html
        return _SLOT_RE.sub(lambda m: found[int(m.group(1))], html)


def _front_matter_lines(page: Any, markdown: str) -> int:
    """Lines of the page file before the Markdown MkDocs hands plugins (its YAML front matter), so block
    positions name lines of the file."""
    source = getattr(page.file, "content_string", "") or ""
    body = markdown.lstrip()
    pos = source.find(body[:500]) if body else -1
    if pos < 0:
        return 0
    return source[:pos].count("\n") - markdown[: len(markdown) - len(body)].count("\n")
