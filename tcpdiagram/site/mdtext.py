"""Escape user text for Markdown so a label shows literally: no HTML, no links, no table breaks."""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

# Exactly Python-Markdown's escapable characters with the tables extension (`Markdown.ESCAPED_CHARS`):
# escaping any other character would leave a visible backslash. Text is one line, so no setext heading.
_SPECIAL = re.compile(r"([\\`*_{}\[\]()>#+\-.!|])")
_SPACE = re.compile(r"\s+")
# YAML folds a Chinese paragraph's lines with a space; Chinese puts none after its punctuation or between Han.
_CJK_GAP = re.compile(r"(?<=[\u3000-\u303f\uff00-\uffef])\s+|(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SAFE_SCHEMES = ("https", "http")


def md(text: str) -> str:
    """Inline Markdown that renders as exactly `text`: HTML escaped, Markdown syntax neutralised, one line."""
    text = _CONTROL.sub("", text)
    text = _CJK_GAP.sub("", _SPACE.sub(" ", text)).strip()
    text = html.escape(text, quote=False)  # quotes stay: "&#x27;" would get its "#" escaped below
    return _SPECIAL.sub(r"\\\1", text)


_ALT_SPECIAL = re.compile(r"([\\`*\[\]]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")


def alt(text: str) -> str:
    """Image alt text for a Markdown snippet a reader copies into their own page (Python-Markdown or CommonMark):
    shows as exactly `text`, yet stays readable (`FIN_WAIT_1` keeps its underscores: mid-word `_` is literal)."""
    text = _SPACE.sub(" ", _CONTROL.sub("", text)).strip()
    return _ALT_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def code(text: str) -> str:
    """Text shown as inline code: a <code> element whose punctuation is all character references,
    so neither HTML nor Markdown (backticks, emphasis, `|` table cells) can act inside it."""
    text = _SPACE.sub(" ", _CONTROL.sub("", text)).strip()
    body = "".join(f"&#{ord(c)};" if c.isascii() and not c.isalnum() and c != " " else c for c in text)
    return f"<code>{body}</code>"


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
