"""Diagrams inlined into the site's pages: one copy per diagram, ids prefixed, states and transitions as links."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from dataclasses import asdict
from typing import Callable

from ..render.style import PALETTES
from ..render.svg_post import SVG_NS

_S = f"{{{SVG_NS}}}"
ET.register_namespace("", SVG_NS)
# The Markdown of a figure (pages.Helpers.figure) after Python-Markdown: the light image, then the dark one.
PAIR = re.compile(
    r'<p>\s*<img alt="(?P<alt>[^"]*)" class="tcp-diagram" src="(?P<src>[^"#]+?)\.svg#only-light"\s*/?>\s*'
    r'<img [^>]*src="(?P=src)-dark\.svg#only-dark"\s*/?>\s*</p>'
)
_STATE = re.compile(r"^state-([A-Za-z][A-Za-z0-9_]*?)(-end)?$")
_EDGE = re.compile(r"^(?:tr|label)-(.+?)(?:-from)?$")  # a focus view draws an edge through its label node

# Links for a state diagram: (state id) → href, (transition id) → href; None when a diagram has no links.
Linker = Callable[[str, str], str | None]


def key_of(src: str) -> str:
    """`../../diagrams/path-normal_close` → `path-normal_close`: the figure's key and id prefix."""
    return src.rsplit("/", 1)[-1]


def inline_svg(svg: str, key: str, link: Linker | None) -> str:
    """The SVG as an element for an HTML page: no XML declaration, every id prefixed with `key--` (a page holds
    several diagrams), state nodes and transition edges wrapped in links when `link` gives one."""
    root = ET.fromstring(svg.encode("utf-8"))  # noqa: S314 - our own finished SVG (svg_post or sequence_svg)
    prefix = f"{key}--"
    for el in root.iter():
        raw = el.get("id")
        if raw is None:
            continue
        if link is not None and el.tag == _S + "g" and el.get("class") in ("node", "edge"):
            _wrap(el, raw, link)
        el.set("id", prefix + raw)
        el.set("data-id", raw)
    labelled = root.get("aria-labelledby")
    if labelled:
        root.set("aria-labelledby", " ".join(prefix + part for part in labelled.split()))
    root.set("focusable", "false")
    return ET.tostring(root, encoding="unicode", short_empty_elements=True)


def _wrap(g: ET.Element, raw: str, link: Linker) -> None:
    """Move a node's or an edge's drawing into an <a> (its <title> stays first: the tooltip)."""
    state, edge = _STATE.match(raw), _EDGE.match(raw)
    href = link("state", state.group(1)) if state else link("transition", edge.group(1)) if edge else None
    if href is None:
        return
    kids = [k for k in g if k.tag != _S + "title"]
    title = next((k.text or "" for k in g if k.tag == _S + "title"), "")
    a = ET.Element(_S + "a", {"href": href, "class": "tcp-link"})
    if title:
        a.set("aria-label", title)
    for k in kids:
        g.remove(k)
        a.append(k)
    a.text, a.tail = "\n", "\n"
    g.append(a)


def figure(svg_html: str, key: str, alt: str, kind: str, labels: dict[str, str]) -> str:
    """The figure around an inline diagram; `labels` are the UI words the zoom script shows (data attributes)."""
    data = data_labels(labels)
    return (
        f'<figure class="tcp-figure" data-diagram="{html.escape(key, quote=True)}" data-kind="{html.escape(kind)}"'
        f"{data} data-search-exclude>\n"
        f'<div class="tcp-view">{svg_html}</div>\n'
        f"<figcaption>{html.escape(alt)}</figcaption>\n"
        "</figure>"
    )


def data_labels(labels: dict[str, str]) -> str:
    """` data-label-zoom-in="…"`…: words for the browser script (dataset.labelZoomIn), escaped for attributes."""
    return "".join(f' data-label-{html.escape(k.replace("_", "-"))}="{html.escape(v, quote=True)}"'
                   for k, v in sorted(labels.items()))


def dark_css() -> str:
    """Material's slate scheme recolours the one inline copy: each light palette colour to its dark twin.

    The dark SVG files are exactly the light ones with these colours swapped (a test checks it), so the page
    shows the same picture as the dark file without carrying a second copy.
    """
    light, dark = asdict(PALETTES["light"]), asdict(PALETTES["dark"])
    rules = []
    for name in light:
        src, dst = light[name].lower(), dark[name].lower()
        for attr in ("fill", "stroke"):
            rules.append(
                f'[data-md-color-scheme="slate"] .tcp-figure svg [{attr}="{src}" i] {{ {attr}: {dst}; }}'
            )
    return "/* generated from tcpdiagram.render.style.PALETTES */\n" + "\n".join(rules) + "\n"
