"""Post-process dot's SVG: root title/desc and ARIA, our own element titles, basic elements only, no comments."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Mapping

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)

_S = f"{{{SVG_NS}}}"
# Basic SVG only, so rsvg, CairoSVG, Inkscape, Office and browsers draw the same thing.
ALLOWED = {
    "svg", "g", "title", "desc", "path", "polygon", "polyline", "ellipse", "circle", "rect", "line", "text",
    "tspan", "a", "defs", "linearGradient", "radialGradient", "stop",
}
_LINK_ATTRS = (f"{{{XLINK_NS}}}href", "href", f"{{{XLINK_NS}}}title")


def postprocess(svg: str, title: str, desc: str, titles: Mapping[str, str] | None = None) -> str:
    """Return a clean, deterministic SVG document for dot's output of one diagram.

    - root <title>/<desc> (in the diagram's language) with role="img" and aria-labelledby;
    - every element <title> that dot filled with DOT ids (s0, s3->s4) replaced from `titles`
      (keyed by the element id) or dropped;
    - comments, DOCTYPE, scripts, foreignObject, event handlers and links removed;
    - "transparent" paint written as "none" (SVG 1.1 renderers reject the CSS keyword);
    - sibling clusters in id order, so the bytes do not depend on dot's memory layout.
    """
    root = ET.fromstring(svg.encode("utf-8"))  # noqa: S314 - dot's output; the default parser drops comments, DOCTYPE
    if root.tag != _S + "svg":
        raise ValueError(f"not an SVG document: root element {root.tag!r}")
    _sanitize(root)
    titles = titles or {}
    for g in root.iter(_S + "g"):
        for t in g.findall(_S + "title"):
            g.remove(t)
        gid = g.get("id", "")
        if gid in titles and g.get("class") != "graph":
            el = ET.Element(_S + "title")
            el.text = titles[gid]
            el.tail = "\n"
            g.insert(0, el)
    graph = root.find(_S + "g")
    if graph is not None:
        _sort_clusters(graph)
    base = graph.get("id", "diagram") if graph is not None else "diagram"
    t_el = ET.Element(_S + "title", {"id": f"{base}-title"})
    t_el.text = title
    d_el = ET.Element(_S + "desc", {"id": f"{base}-desc"})
    d_el.text = desc
    t_el.tail = d_el.tail = "\n"
    for old in root.findall(_S + "title") + root.findall(_S + "desc"):
        root.remove(old)
    root.insert(0, d_el)
    root.insert(0, t_el)
    root.set("role", "img")
    root.set("aria-labelledby", f"{base}-title {base}-desc")
    _strip_whitespace(root)
    body = ET.tostring(root, encoding="unicode", short_empty_elements=True)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def _sanitize(root: ET.Element) -> None:
    for parent in list(root.iter()):
        for child in list(parent):
            if not isinstance(child.tag, str) or child.tag.removeprefix(_S) not in ALLOWED:
                parent.remove(child)
    for el in root.iter():
        for key in list(el.attrib):
            local = key.rsplit("}", 1)[-1]
            if local.lower().startswith("on") or key in _LINK_ATTRS:
                del el.attrib[key]
        for key in ("fill", "stroke"):
            if el.get(key) == "transparent":
                el.set(key, "none")
        if el.tag == _S + "a":  # links dot would add for URL/href/tooltip: keep the drawing, drop the link
            el.tag = _S + "g"


def _sort_clusters(graph: ET.Element) -> None:
    """Clusters in id order: dot 2.43 emits them in memory order when it lays out several graphs."""
    kids = list(graph)
    slots = [i for i, el in enumerate(kids) if el.get("class") == "cluster"]
    ordered = sorted((kids[i] for i in slots), key=lambda el: el.get("id", ""))
    for i, el in zip(slots, ordered):
        graph[i] = el


def _strip_whitespace(root: ET.Element) -> None:
    """One element per line, no indentation noise; the text of <text>, <title> and <desc> untouched."""
    for el in root.iter():
        if len(el) and el.text is not None and not el.text.strip():
            el.text = "\n"
        if el.tail is not None and not el.tail.strip():
            el.tail = "\n"
