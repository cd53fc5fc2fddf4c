"""The practical pages (ss, CLOSE_WAIT, TIME_WAIT) in the built site: both languages, in the nav, cited, and
found by the searches readers type (挥手, CLOSE_WAIT, tcp_tw_reuse)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.dot
PAGES = ("practice/ss", "practice/close-wait", "practice/time-wait")
LANGS = ("", "en/")  # zh at /, en at /en/


@pytest.fixture(scope="module")
def site(built: Path) -> Path:
    return built / "site"


def article(site: Path, path: str) -> str:
    html = (site / path / "index.html").read_text(encoding="utf-8")
    body = html[html.index("<article"):html.index("</article>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def nav_links(site: Path, prefix: str) -> set[str]:
    html = (site / prefix / "index.html").read_text(encoding="utf-8")
    start = html.index('<nav class="md-nav md-nav--primary')
    nav = html[start:html.index('<div class="md-content"', start)]  # the primary nav (with its nested navs)
    return set(re.findall(r'href="([^"#]+)"', nav))


@pytest.mark.parametrize("prefix", LANGS)
def test_practice_pages_exist_are_in_the_nav_and_cite_their_sources(site: Path, prefix: str) -> None:
    links = nav_links(site, prefix)
    for page in PAGES:
        assert any(link.rstrip("/").endswith(page) for link in links), f"{prefix}{page} is not in the nav"
        html = (site / prefix / page / "index.html").read_text(encoding="utf-8")
        assert 'id="sources"' in html
        for url in ("https://docs.kernel.org/networking/ip-sysctl.html", "https://www.rfc-editor.org/rfc/rfc9293"):
            assert url in html, f"{prefix}{page} does not cite {url}"


@pytest.mark.parametrize("prefix", LANGS)
def test_the_pages_say_what_the_issue_asks(site: Path, prefix: str) -> None:
    ss = article(site, prefix + "practice/ss")
    for needle in ("ss -tan state time-wait", "ss -tanpo", "timer:(timewait,59sec,0)", "netstat -tan", "FIN_WAIT1",
                   "SYN_RECV", "/proc/net/tcp", "0A", "TCP_NEW_SYN_RECV", "netstat -n | awk", "ss -Htan"):
        assert needle in ss, needle
    cw = article(site, prefix + "practice/close-wait")
    for needle in ("ss -tanp state close-wait", "lsof -nP -iTCP -sTCP:CLOSE_WAIT", "EMFILE", "tcp_fin_timeout",
                   "tcp_tw_reuse", "close()"):
        assert needle in cw, needle
    tw = article(site, prefix + "practice/time-wait")
    for needle in ("SO_REUSEADDR", "tcp_tw_reuse", "tcp_tw_recycle", "4.12", "tcp_fin_timeout", "FIN_WAIT_2",
                   "RFC 1337", "tcp_rfc1337", "EADDRNOTAVAIL", "MUST-13", "TCP_TIMEWAIT_LEN", "tcp_max_tw_buckets"):
        assert needle in tw, needle


def test_both_chinese_names_of_the_handshake_and_the_close(site: Path) -> None:
    assert "三次握手" in article(site, "practice/ss") and "三报文握手" in article(site, "practice/ss")
    for page in ("practice/time-wait", "practice/close-wait", "scenarios/normal_close"):
        text = article(site, page)
        assert "四次挥手" in text and "四报文挥手" in text, page
    handshake = article(site, "scenarios/handshake")
    assert "三次握手" in handshake and "三报文握手" in handshake


def _titles(site: Path, lang: str) -> list[tuple[str, str]]:
    """(location, title) of every search entry of one language, locations relative to that language's root.

    One index for both languages (locations under en/ for English) or one per language (en/search/...)."""
    own = site / "en" / "search" / "search_index.json"
    path = own if lang == "en" and own.exists() else site / "search" / "search_index.json"
    docs: list[dict[str, str]] = json.loads(path.read_text(encoding="utf-8"))["docs"]
    out = []
    for d in docs:
        loc = d["location"]
        if path != own and loc.startswith("en/") != (lang == "en"):
            continue
        out.append((loc.removeprefix("en/") if lang == "en" else loc, d["title"]))
    return out


@pytest.mark.parametrize("query,lang,where", [
    ("挥手", "zh", "scenarios/normal_close/"),
    ("CLOSE_WAIT", "zh", "practice/close-wait/"),
    ("CLOSE_WAIT", "en", "practice/close-wait/"),
    ("tcp_tw_reuse", "zh", "practice/time-wait/#tcp-tw-reuse"),
    ("tcp_tw_reuse", "en", "practice/time-wait/#tcp-tw-reuse"),
])
def test_a_search_term_lands_on_the_right_section(site: Path, query: str, lang: str, where: str) -> None:
    """The section readers want carries the term in its title (search ranks titles 1000x above text)."""
    titled = [loc for loc, title in _titles(site, lang) if query.lower() in title.lower()]
    assert any(loc.startswith(where) for loc in titled), (query, titled)
