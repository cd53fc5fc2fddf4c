"""Escape user text for Markdown so a label shows literally: no HTML, no links, no table breaks."""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

# Exactly Python-Markdown's escapable characters with the tables extension (`Markdown.ESCAPED_CHARS`):
# escaping any other character would leave a visible backslash. Text is one line, so no setext heading.
_SPECIAL = re.compile(r"([\\`*_{}\[\]()>#+\-.!|])")
_SPACE = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SAFE_SCHEMES = ("https", "http")


def md(text: str) -> str:
    """Inline Markdown that renders as exactly `text`: HTML escaped, Markdown syntax neutralised, one line."""
    text = _CONTROL.sub("", text)
    text = _SPACE.sub(" ", text).strip()
    text = html.escape(text, quote=True)
    return _SPECIAL.sub(r"\\\1", text)


def code(text: str) -> str:
    """Text shown as inline code; HTML-escaped <code> so no backtick count or `|` can break out."""
    text = _SPACE.sub(" ", _CONTROL.sub("", text)).strip()
    return "<code>" + html.escape(text, quote=True).replace("|", "&#124;") + "</code>"


def safe_url(url: str) -> str:
    """Return `url` for a Markdown link target if it is plain http(s) without spaces or brackets, else ''."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme not in SAFE_SCHEMES or not parts.netloc:
        return ""
    if any(c in url for c in " \t\r\n<>()[]\"'`\\|"):
        return ""
    return url


def link(text: str, url: str) -> str:
    """A link with escaped text; an unsafe target leaves the text alone, unlinked."""
    target = safe_url(url)
    return f"[{md(text)}]({target})" if target else md(text)


class Md(str):
    """Markdown we generated ourselves: templates insert it as is (everything else is escaped)."""


def anchor(ident: str) -> str:
    """An id usable in `{ #… }` and URL fragments: letters, digits, `_` and `-` only."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", ident) or "-"
