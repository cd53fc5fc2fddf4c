"""Site pages: Markdown escaping, citation links, generated pages and nav, and a hostile spec built for real."""

from __future__ import annotations

import dataclasses
import html
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest

from tcpdiagram.model import Cite, Pos, Spec, Text
from tcpdiagram.pipeline import build_spec
from tcpdiagram.simulate import simulate
from tcpdiagram.site.catalog import catalog
from tcpdiagram.site.cite import join_path, resolve
from tcpdiagram.site.mdtext import code, link, md
from tcpdiagram.site.mkdocs_run import expand_nav
from tcpdiagram.site.pages import site_pages
from tcpdiagram.site.snippets import snippets
from test_pipeline import SITE, built, session_build  # noqa: F401 - the session build fixture

HOSTILE = "A|B 'q' \"dq\" &amp; *bold* <script>alert(1)</script> [x](javascript:alert(1)) `tick` {: onclick=x} _u_ #h \\ ![i](x.png)"
EXTENSIONS = ["tables", "attr_list", "md_in_html", "admonition", "toc"]
P = Pos("test", 0, 0)


def render(text: str) -> str:
    return markdown.markdown(text, extensions=EXTENSIONS)


# ---- escaping ---------------------------------------------------------------------------------


def test_md_renders_literally_inline_and_in_a_table_cell() -> None:
    out = render(md(HOSTILE))
    assert "<script" not in out and "<a " not in out and "<img" not in out and "<em>" not in out
    assert html.unescape(re.sub(r"</?p>", "", out)) == HOSTILE
    table = render(f"| a | b |\n|---|---|\n| {md(HOSTILE)} | two |\n")
    cells = re.findall(r"<td>(.*?)</td>", table, re.S)
    assert len(cells) == 2 and html.unescape(cells[0]) == HOSTILE and cells[1] == "two"


def test_md_folds_newlines_and_drops_control_characters() -> None:
    assert md("one\ntwo\r\n\tthree\x00\x07") == "one two three"
    assert md("调用了 close()，\n于是 ACK 与\nFIN 合并。\n然后") == "调用了 close\\(\\)，于是 ACK 与 FIN 合并。然后"
    assert render(md("# not a heading\n=====")).startswith("<p>")


def test_code_and_links() -> None:
    out = render(code("a|b `c` <d> *e* [f](g) \\"))
    assert out.startswith("<p><code>") and out.count("<code>") == 1 and "<em>" not in out and "<a" not in out
    assert html.unescape(out) == "<p><code>a|b `c` <d> *e* [f](g) \\</code></p>"
    assert link("RFC", "https://www.rfc-editor.org/rfc/rfc9293#section-3.3.2") == (
        "[RFC](https://www.rfc-editor.org/rfc/rfc9293#section-3.3.2)")
    for bad in ("javascript:alert(1)", "data:text/html,x", "https://x.org/a b", "https://x.org/(x)", "/local"):
        assert link("t", bad) == "t"


# ---- citations --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cite", "lang", "text", "url"),
    [
        ("rfc9293:s3.10.7.4", "en", "RFC 9293 §3.10.7.4", "https://www.rfc-editor.org/rfc/rfc9293#section-3.10.7.4"),
        ("rfc9293:fig5", "en", "RFC 9293 Figure 5", "https://www.rfc-editor.org/rfc/rfc9293#figure-5"),
        ("rfc9293:fig5", "zh", "RFC 9293 图 5", "https://www.rfc-editor.org/rfc/rfc9293#figure-5"),
        ("rfc9293:note2", "en", "RFC 9293 Figure 5, Note 2", "https://www.rfc-editor.org/rfc/rfc9293#section-3.3.2"),
        ("rfc9293:note1", "zh", "RFC 9293 图 5 注 1", "https://www.rfc-editor.org/rfc/rfc9293#section-3.3.2"),
        ("rfc793:s3.9", "en", "RFC 793 §3.9", "https://www.rfc-editor.org/rfc/rfc793#section-3.9"),
        ("linux:net/ipv4/tcp_minisocks.c", "en", "Linux net/ipv4/tcp_minisocks.c",
         "https://github.com/torvalds/linux/tree/master/net/ipv4/tcp_minisocks.c"),
        ("nowhere:x", "en", "nowhere:x", ""),
    ],
)
def test_citation_links(spec: Spec, cite: str, lang: str, text: str, url: str) -> None:
    source, _, locator = cite.partition(":")
    got = resolve(spec, Cite(source, locator, P), lang)  # type: ignore[arg-type]
    assert (got.text, got.url) == (text, url)


def test_join_path() -> None:
    base = "https://github.com/torvalds/linux/tree/master/net/ipv4"
    assert join_path(base, "include/net/tcp.h") == base + "/include/net/tcp.h"
    assert join_path(base + "/", "net/ipv4/tcp.c") == base + "/tcp.c"
    assert join_path(base, "../../etc/passwd") == base


# ---- pages and nav ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def traces(spec: Spec) -> dict[str, object]:
    return {sc.id: simulate(spec, sc.id) for sc in spec.scenarios}


def test_every_state_and_scenario_has_a_page_in_both_languages(spec: Spec, traces: dict[str, object]) -> None:
    for lang in ("zh", "en"):
        pages = site_pages(spec, lang, traces)  # type: ignore[arg-type]
        for s in spec.states:
            text = pages[f"states/{s.id.lower()}.md"]
            assert text.startswith(f"# {md(s.id)} · {md(s.label.get(lang))}\n")  # type: ignore[arg-type]
            assert f"state-{s.id.lower()}-dark.svg#only-dark" in text
        for sc in spec.scenarios:
            text = pages[f"scenarios/{sc.id}.md"]
            assert f"scenario-{sc.id}.svg#only-light" in text and f"path-{sc.id}-dark.svg#only-dark" in text
        for name in ("overview.md", "transitions.md", "glossary.md", "downloads.md", "sources.md",
                     "states/index.md", "scenarios/index.md"):
            assert name in pages


def test_pages_are_deterministic_and_golden(spec: Spec, traces: dict[str, object], golden: object) -> None:
    en = site_pages(spec, "en", traces)  # type: ignore[arg-type]
    zh = site_pages(spec, "zh", traces)  # type: ignore[arg-type]
    assert en == site_pages(spec, "en", traces)  # type: ignore[arg-type]
    golden.check("site/en/states/time_wait.md", en["states/time_wait.md"])  # type: ignore[attr-defined]
    golden.check("site/zh/scenarios/fin_ack_close.md", zh["scenarios/fin_ack_close.md"])  # type: ignore[attr-defined]


def test_step_table_follows_the_trace(spec: Spec, traces: dict[str, object]) -> None:
    text = site_pages(spec, "en", traces)["scenarios/fin_ack_close.md"]  # type: ignore[arg-type]
    rows = [line for line in text.splitlines() if re.match(r"^\| \d+ \|", line)]
    trace = traces["fin_ack_close"]
    assert len(rows) >= len(trace.segments)  # type: ignore[attr-defined]
    assert code("FIN,ACK seq=N ack=M+1") in text
    assert "[TIME\\_WAIT](../states/time_wait.md)" in text


def test_expand_nav_fills_generated_sections() -> None:
    nav = [{"Home": "index.md"}, {"States": ["states/index.md"]}, {"Ref": [{"Glossary": "glossary.md"}]}]
    got = expand_nav(nav, ["overview.md", "states/index.md", "states/closed.md", "states/listen.md"])
    assert got == [{"Home": "index.md"}, {"States": ["states/index.md", "states/closed.md", "states/listen.md"]},
                   {"Ref": [{"Glossary": "glossary.md"}]}]


def test_snippets_are_fenced_safely(spec: Spec) -> None:
    d = dataclasses.replace(catalog(spec)[0], title=Text(zh=HOSTILE, en="```\n<b>"))
    out = render_tabbed(snippets(d, "en"))
    assert out.count("<code") == 3 and "<b>" not in out
    assert 'alt="``` &lt;b&gt;"' in html.unescape(re.sub(r"<[^>]+>", "", out))  # shown as the HTML to paste
    assert "\\includegraphics[width=\\linewidth]{state-full.pdf}" in snippets(d, "zh")
    assert f'alt="{html.escape(HOSTILE)}"' in snippets(d, "zh")


def render_tabbed(text: str) -> str:
    return markdown.markdown(text, extensions=["pymdownx.superfences", "pymdownx.tabbed"])


# ---- the real site ----------------------------------------------------------------------------


def test_citations_render_as_links(built: Path) -> None:  # noqa: F811 - fixture from test_pipeline
    page = (built / "site/en/states/established/index.html").read_text("utf-8")
    assert '<a href="https://www.rfc-editor.org/rfc/rfc9293#section-3.10.7.4">RFC 9293 §3.10.7.4</a>' in page
    assert '<a href="https://www.rfc-editor.org/rfc/rfc9293#figure-5">RFC 9293 Figure 5</a>' in page
    zh = (built / "site/states/fin_wait_2/index.html").read_text("utf-8")
    assert 'href="https://github.com/torvalds/linux/tree/master/net/ipv4/tcp.c">Linux net/ipv4/tcp.c</a>' in zh


def test_cjk_heading_ids_and_light_dark_pairs(built: Path) -> None:  # noqa: F811
    page = (built / "site/states/time_wait/index.html").read_text("utf-8")
    assert 'id="这个状态表示什么"' in page
    assert 'src="../../diagrams/state-time_wait.svg#only-light"' in page
    assert 'src="../../diagrams/state-time_wait-dark.svg#only-dark"' in page


class _Attrs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [(tag, k, v) for k, v in attrs]


def attributes(text: str) -> list[tuple[str, str, str | None]]:
    """Every (tag, attribute, value) of an HTML document, as a browser's tokenizer sees them."""
    parser = _Attrs()
    parser.feed(text)
    return parser.found


def hostile_spec(spec: Spec) -> Spec:
    """Every kind of user text replaced by markup, links and table breakers."""
    t = Text(zh=HOSTILE, en=HOSTILE)
    states = tuple(dataclasses.replace(s, label=t, summary=t, description=t) for s in spec.states)
    events = tuple(dataclasses.replace(e, label=t, description=t) for e in spec.events)
    actions = tuple(dataclasses.replace(a, label=t) for a in spec.actions)
    scenarios = tuple(dataclasses.replace(s, title=t, caption=t, explanation=t, linux=t) for s in spec.scenarios)
    conditions = tuple(dataclasses.replace(c, label=t) for c in spec.conditions)
    refs = tuple(dataclasses.replace(r, title=t) for r in spec.meta.references)
    meta = dataclasses.replace(spec.meta, summary=t, references=refs)
    return dataclasses.replace(spec, meta=meta, states=states, events=events, actions=actions,
                               scenarios=scenarios, conditions=conditions)


@pytest.mark.dot
def test_hostile_labels_render_literally_everywhere(spec: Spec, tmp_path: Path) -> None:
    out = tmp_path / "build"
    build_spec(hostile_spec(spec), out=out, strict=True, quiet=True, site=SITE)
    literal = html.escape(HOSTILE, quote=False)
    pages = [p for p in (out / "site").rglob("*.html")]
    assert len(pages) > 40
    for p in pages:
        text = p.read_text("utf-8")
        assert "<script>alert" not in text, p
        bad = [(tag, k, v) for tag, k, v in attributes(text)
               if k.startswith("on") or (k in ("href", "src") and (v or "").strip().lower().startswith("javascript:"))]
        assert bad == [], p
    overview = (out / "site/en/overview/index.html").read_text("utf-8")
    assert overview.count(literal) >= len(spec.states)
    rows = re.findall(r"<tr>(.*?)</tr>", overview.split("<table>")[1].split("</table>")[0], re.S)[1:]
    assert len(rows) == len(spec.states) and all(r.count("<td") == 4 for r in rows)
    state = (out / "site/states/time_wait/index.html").read_text("utf-8")
    assert f"<h1 id=" in state and literal in state
    for svg in (out / "diagrams").rglob("*.svg"):
        root = ET.parse(svg).getroot()
        assert not any(el.tag.endswith(("script", "foreignObject")) for el in root.iter()), svg
        texts = " ".join("".join(el.itertext()) for el in root.iter() if el.tag.endswith("text"))
        assert "<script>alert(1)</script>" in texts or "<script>" in texts, svg
