"""Citations as readers see them: rfc9293:s3.10.7.4 → "RFC 9293 §3.10.7.4" linking to that section."""

from __future__ import annotations

import re
from dataclasses import dataclass
from posixpath import normpath

from .. import words
from ..model import Cite, Lang, Spec

_RFC = re.compile(r"rfc(\d+)", re.ASCII)
_SECTION = re.compile(r"s(\d+(?:\.\d+)*)", re.ASCII)
_FIGURE = re.compile(r"fig(\d+)", re.ASCII)
_NOTE = re.compile(r"note(\d+)", re.ASCII)
# Where RFC 9293 prints the notes under Figure 5 (the state diagram).
NOTE_SECTION = {"rfc9293": "3.3.2"}
NOTE_FIGURE = {"rfc9293": "5"}


@dataclass(frozen=True)
class CiteLink:
    """What a citation shows and where it points ('' when it has no safe target)."""

    text: str
    url: str


def resolve(spec: Spec, cite: Cite, lang: Lang) -> CiteLink:
    """Turn a spec citation into link text and URL, per the conventions of its source."""
    try:
        ref = spec.reference(cite.source)
    except KeyError:
        return CiteLink(str(cite), "")
    rfc = _RFC.fullmatch(cite.source)
    if rfc:
        return _rfc(f"RFC {rfc.group(1)}", ref.url, cite, lang)
    if cite.source == "linux":
        return CiteLink(f"Linux {cite.locator}", join_path(ref.url, cite.locator))
    return CiteLink(f"{ref.title.get(lang)} {cite.locator}".strip(), ref.url)


def _rfc(name: str, url: str, cite: Cite, lang: Lang) -> CiteLink:
    loc = cite.locator
    if m := _SECTION.fullmatch(loc):
        return CiteLink(f"{name} §{m.group(1)}", f"{url}#section-{m.group(1)}")
    if m := _FIGURE.fullmatch(loc):
        figure = words.t(lang, "cite.figure").format(n=m.group(1))
        return CiteLink(f"{name} {figure}", f"{url}#figure-{m.group(1)}")
    if (m := _NOTE.fullmatch(loc)) and cite.source in NOTE_SECTION:
        fig = NOTE_FIGURE[cite.source]
        text = f"{name} " + words.t(lang, "cite.note").format(fig=fig, n=m.group(1))
        return CiteLink(text, f"{url}#section-{NOTE_SECTION[cite.source]}")
    return CiteLink(f"{name} {loc}", url)


def join_path(base: str, path: str) -> str:
    """Append a source path to a reference URL, dropping folders the URL already ends with.

    `https://…/tree/master/net/ipv4` + `net/ipv4/tcp.c` → `https://…/tree/master/net/ipv4/tcp.c`.
    """
    path = normpath(path.lstrip("/"))
    if path.startswith("..") or path == ".":
        return base
    head = base.rstrip("/")
    parts = path.split("/")
    for n in range(len(parts) - 1, 0, -1):
        if head.endswith("/" + "/".join(parts[:n])):
            return head + "/" + "/".join(parts[n:])
    return head + "/" + path
