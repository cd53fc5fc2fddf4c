"""The Sphinx extension: `.. tcpdiagram::` (and MyST's ```{tcpdiagram}```) with the MkDocs fence's options.

In conf.py: `extensions = ["tcpdiagram.embed.sphinx"]` (install `tcpdiagram[sphinx]`). HTML builders get the
inline SVG; a bad option is an error at the directive's line (`sphinx-build -W` fails on it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective

from .. import __version__
from .block import KEYS, STYLE, BlockError, Renderer, parse_body


class TcpDiagramDirective(SphinxDirective):
    """A state diagram (`:view:`) or a scenario's sequence chart (`:scenario:`), rendered at build time."""

    has_content = True
    option_spec = {key: directives.unchanged_required for key in KEYS}

    def run(self) -> list[nodes.Node]:
        try:
            options: dict[str, tuple[str, int | None]] = {k: (str(v).strip(), None) for k, v in self.options.items()}
            for k, (v, _) in parse_body("\n".join(self.content)).items():  # `key: value` lines, as in a fence
                if k in options:
                    raise BlockError(f"key {k!r} given twice (as an option and in the content)")
                options[k] = (v, None)
            lang = str(self.config.language or "en").replace("-", "_").split("_")[0].lower()
            ident = f"tcpdiagram-{self.env.new_serialno('tcpdiagram')}"
            html = _renderer(self.env).html(options, lang if lang in ("zh", "en") else "en", ident)
        except BlockError as e:
            raise self.error(f"tcpdiagram: {e}") from None
        styled = self.env.temp_data.get("tcpdiagram_styled", False)
        self.env.temp_data["tcpdiagram_styled"] = True
        return [nodes.raw("", html if styled else STYLE + html, format="html")]


def _renderer(env: Any) -> Renderer:
    """One Renderer per build (it keeps the specs it loaded); relative `spec:` paths start at conf.py's folder."""
    r = getattr(env, "_tcpdiagram_renderer", None)
    if r is None:
        r = Renderer(Path(env.app.confdir))
        env._tcpdiagram_renderer = r
    return r


def setup(app: Any) -> dict[str, Any]:
    app.add_directive("tcpdiagram", TcpDiagramDirective)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
