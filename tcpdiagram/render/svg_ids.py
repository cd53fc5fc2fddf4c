"""Make an SVG safe to inline beside others: prefix every id and every reference to one, drop the XML prolog."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from .svg_post import SVG_NS, XLINK_NS

_REF_LISTS = ("aria-labelledby", "aria-describedby", "aria-controls", "aria-owns", "aria-flowto")
_HREFS = ("href", f"{{{XLINK_NS}}}href")
_URL = re.compile(r"url\(\s*(['\"]?)#([^)'\"\s]+)\1\s*\)")
_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9_-]*-")


def prefix_ids(svg: str, prefix: str) -> str:
    """The SVG with `prefix` before every id and every internal reference (aria lists, href="#…", url(#…)).

    References to ids the document does not define are left alone (they point outside it). The result has no
    XML declaration, so it can sit inside an HTML page; text and attribute values stay escaped by the serializer.
    """
    if not _PREFIX.fullmatch(prefix):
        raise ValueError(f"an id prefix must look like 'name-', not {prefix!r}")
    root = ET.fromstring(svg.encode("utf-8"))  # noqa: S314 - our own renderers' SVG, not outside input
    ids = {el.get("id", "") for el in root.iter()} - {""}

    def ref(name: str) -> str:
        return prefix + name if name in ids else name

    def urls(value: str) -> str:
        return _URL.sub(lambda m: f"url(#{ref(m.group(2))})", value)

    for el in root.iter():
        for key, value in list(el.attrib.items()):
            if key == "id":
                el.set(key, prefix + value)
            elif key in _REF_LISTS:
                el.set(key, " ".join(ref(x) for x in value.split()))
            elif key in _HREFS and value.startswith("#"):
                el.set(key, "#" + ref(value[1:]))
            elif "url(" in value:
                el.set(key, urls(value))
        if el.tag == f"{{{SVG_NS}}}style" and el.text:
            el.text = re.sub(r"#([A-Za-z][\w-]*)", lambda m: "#" + ref(m.group(1)), urls(el.text))
    return ET.tostring(root, encoding="unicode", short_empty_elements=True)
