"""One diagram block (a ```tcpdiagram fence or a `.. tcpdiagram::` directive): its options checked, its HTML made."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Mapping

from ..errors import FileUnreadable, SpecError, TcpDiagramError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..model import Spec

KEYS = ("scenario", "view", "lang", "theme", "naming", "layers", "spec")
BLOCK_THEMES = ("light", "dark", "both")
# The light/dark pair follows Material's palette toggle (data-md-color-scheme on <body>), else the reader's OS.
STYLE = """<style>
.tcpdiagram{margin:1em 0}.tcpdiagram svg{max-width:100%;height:auto}
.tcpdiagram-dark{display:none}
@media (prefers-color-scheme: dark){body:not([data-md-color-scheme]) .tcpdiagram-dark{display:block}
body:not([data-md-color-scheme]) .tcpdiagram-light{display:none}}
[data-md-color-scheme="slate"] .tcpdiagram-dark{display:block}
[data-md-color-scheme="slate"] .tcpdiagram-light{display:none}
</style>"""


class BlockError(Exception):
    """A bad block: `line` is 0-based from the block's first option line (None: the block as a whole)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def parse_body(text: str) -> dict[str, tuple[str, int]]:
    """`key: value` lines (blank lines and `#` comments skipped) → {key: (value, line index)}; BlockError else."""
    from ..schema import suggest

    found: dict[str, tuple[str, int]] = {}
    for i, raw in enumerate(text.splitlines()):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, colon, value = line.partition(":")
        key = key.strip()
        if not colon:
            raise BlockError(f"expected 'key: value', got {line!r}; keys: {', '.join(KEYS)}", i)
        if key not in KEYS:
            raise BlockError(f"unknown key {key!r}{suggest(key, KEYS)}; keys: {', '.join(KEYS)}", i)
        if key in found:
            raise BlockError(f"key {key!r} given twice (lines {found[key][1] + 1} and {i + 1} of the block)", i)
        found[key] = (value.strip().strip("'\""), i)
    return found


class Renderer:
    """Turns checked options into HTML; keeps each spec it loaded for the rest of the build."""

    def __init__(self, base: Path) -> None:
        self.base = base  # relative `spec:` paths start here (the folder of mkdocs.yml or conf.py)
        self._specs: dict[Path | None, Spec] = {}

    def _spec(self, value: str | None) -> Spec:
        from ..api import load_spec

        path = None if value is None else (self.base / value).resolve()
        if path not in self._specs:
            try:
                self._specs[path] = load_spec(path)
            except FileUnreadable as e:
                raise BlockError(str(e)) from None
            except SpecError as e:
                raise BlockError(f"the spec has {len(e.issues)} problem(s):\n" + str(e)) from None
        return self._specs[path]

    def html(self, options: Mapping[str, tuple[str, int | None]], default_lang: str, ident: str) -> str:
        """The block as HTML: one inline SVG, or a light/dark pair; every id prefixed with `ident`."""
        from .. import api

        def opt(key: str, default: str | None = None) -> str | None:
            return options[key][0] if key in options else default

        def where(key: str) -> int | None:
            return options[key][1] if key in options else None

        if "scenario" in options and "view" in options:
            raise BlockError("give 'scenario' (a sequence chart) or 'view' (a state diagram), not both", where("view"))
        theme = opt("theme", "both") or "both"
        if theme not in BLOCK_THEMES:
            raise BlockError(f"unknown theme {theme!r}; use one of: {', '.join(BLOCK_THEMES)}", where("theme"))
        spec = self._spec(opt("spec"))
        lang = opt("lang", default_lang) or default_lang
        parts = []
        for th in (("light", "dark") if theme == "both" else (theme,)):
            try:
                if "scenario" in options:
                    for key in ("naming", "layers"):
                        if key in options:
                            raise BlockError(f"{key!r} is for state diagrams ('view'), not sequence charts", where(key))
                    d = api.sequence_chart(opt("scenario") or "", lang, th, spec=spec)
                else:
                    d = api.state_diagram(opt("view", "full") or "full", lang, opt("naming", "stevens") or "stevens",
                                          opt("layers"), th, spec=spec)
                svg = d.inline_svg(f"{ident}-{th}-" if theme == "both" else f"{ident}-")
            except BlockError:
                raise
            except TcpDiagramError as e:
                bad = next((k for k in ("scenario", "view", "lang", "naming", "layers") if k in options
                            and _names(options[k][0], str(e))), None)
                raise BlockError(str(e), where(bad) if bad else None) from None
            cls = f"tcpdiagram tcpdiagram-{th}" if theme == "both" else "tcpdiagram"
            parts.append(f'<div class="{cls}">{svg}</div>')
        return "".join(parts)


def _names(value: str, message: str) -> bool:
    """Whether an error message quotes this option's value or a part of it (`state:X` → 'X', `a,b` → 'b')."""
    parts = {value, value.partition(":")[2], *value.split(",")} - {""}
    return any(repr(p.strip()) in message for p in parts)


def error_html(message: str) -> str:
    return f'<pre class="tcpdiagram-error">{html.escape(message)}</pre>'
