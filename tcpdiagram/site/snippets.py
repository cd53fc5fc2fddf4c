"""Copy-paste snippets for embedding a diagram: HTML (with the dark variant), Markdown and LaTeX."""

from __future__ import annotations

import html
import re

from ..model import Lang
from .catalog import Diagram
from .mdtext import alt

_SPACE = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
TAB_TITLES = {"zh": ("HTML", "Markdown", "LaTeX"), "en": ("HTML", "Markdown", "LaTeX")}


def _one_line(text: str) -> str:
    return _SPACE.sub(" ", _CONTROL.sub(" ", text)).strip()


def html_snippet(d: Diagram, lang: Lang) -> str:
    alt = html.escape(_one_line(d.title.get(lang)), quote=True)
    return (
        "<picture>\n"
        f'  <source srcset="{d.file("dark", "svg")}" media="(prefers-color-scheme: dark)">\n'
        f'  <img src="{d.file("light", "svg")}" alt="{alt}">\n'
        "</picture>"
    )


def markdown_snippet(d: Diagram, lang: Lang) -> str:
    """`![alt](file.svg)`, the alt text escaped for Markdown (mdtext.alt: the snippet is copied as is)."""
    return f"![{alt(d.title.get(lang))}]({d.file('light', 'svg')})"


def latex_snippet(d: Diagram) -> str:
    return (
        "% \\usepackage{graphicx}\n"
        "\\begin{figure}[htbp]\n"
        "  \\centering\n"
        f"  \\includegraphics[width=\\linewidth]{{{d.file('light', 'pdf')}}}\n"
        "\\end{figure}"
    )


def _fenced(code: str, language: str) -> str:
    """A fenced block indented for a content tab; the fence outgrows any backtick run in the code."""
    longest = max((len(m) for m in re.findall(r"`+", code)), default=0)
    fence = "`" * max(3, longest + 1)
    body = "\n".join("    " + line for line in code.splitlines())
    return f"    {fence}{language}\n{body}\n    {fence}"


def snippets(d: Diagram, lang: Lang) -> str:
    """Three content tabs (pymdownx.tabbed) holding the snippets; every line starts with fixed text.

    The block is kept out of the search index: 26 near-identical snippets would bury the real pages.
    """
    h, m, latex = TAB_TITLES[lang]
    tabs = "\n\n".join(
        [
            f'=== "{h}"\n\n' + _fenced(html_snippet(d, lang), "html"),
            f'=== "{m}"\n\n' + _fenced(markdown_snippet(d, lang), "markdown"),
            f'=== "{latex}"\n\n' + _fenced(latex_snippet(d), "latex"),
        ]
    )
    return f'<div class="tcp-snippets" markdown data-search-exclude="true">\n\n{tabs}\n\n</div>'



def folded(d: Diagram, lang: Lang) -> str:
    """One folded block per format (pymdownx.details), each holding its snippet as a fenced code block."""
    h, m, latex = TAB_TITLES[lang]
    blocks = ((h, html_snippet(d, lang), "html"), (m, markdown_snippet(d, lang), "markdown"),
              (latex, latex_snippet(d), "latex"))
    return "\n\n".join(f'??? "{title}"\n\n' + _fenced(code, language) for title, code, language in blocks)
