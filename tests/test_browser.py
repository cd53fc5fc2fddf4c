"""The built site in a real browser (Debian chromium through Playwright): diagrams, languages, search, dark mode."""

from __future__ import annotations

import shutil
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

import pytest

from tcpdiagram.pipeline import MARKER, MARKER_TEXT
from test_pipeline import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.dot]
playwright_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium")
if CHROMIUM is None:
    pytest.skip("Debian chromium is not installed (make test installs it)", allow_module_level=True)
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
SHOTS = ROOT / "build" / "screenshots"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def base_url(built: Path) -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(built / "site")))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    yield pg
    context.close()


def shot(pg: Any, name: str, full: bool = False) -> None:
    if not SHOTS.parent.exists():  # a fresh build/: mark it as build output so `tcpdiagram build` may replace it
        SHOTS.parent.mkdir()
        (SHOTS.parent / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
    SHOTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full)


def diagrams(pg: Any) -> list[dict[str, Any]]:
    """Every diagram <img> with its natural width and whether it is displayed."""
    return pg.eval_on_selector_all(
        "img[src*='diagrams/']",
        "els => els.map(e => ({src: e.getAttribute('src'), width: e.naturalWidth, complete: e.complete,"
        " shown: e.offsetWidth > 0 && getComputedStyle(e).display !== 'none'}))",
    )


def loaded(pg: Any) -> None:
    pg.wait_for_load_state("networkidle")
    pg.wait_for_function("Array.from(document.images).every(i => i.complete)")


@pytest.mark.parametrize(("path", "lang", "words"), [("/", "zh", "从哪里开始"), ("/en/", "en", "Where to start")])
def test_home_pages_render_with_their_diagrams(page: Any, base_url: str, path: str, lang: str, words: str) -> None:
    page.goto(base_url + path)
    loaded(page)
    assert page.get_attribute("html", "lang") == lang
    assert words in page.inner_text("article")
    imgs = diagrams(page)
    assert imgs and all(i["width"] > 0 for i in imgs), imgs
    shown = [i["src"] for i in imgs if i["shown"]]
    assert shown == ["diagrams/state-full.svg#only-light"], shown
    shot(page, f"home-{lang}", full=True)


@pytest.mark.parametrize("path", ["/states/time_wait/", "/en/scenarios/simultaneous_close/", "/en/overview/"])
def test_generated_pages_load_every_diagram(page: Any, base_url: str, path: str) -> None:
    page.goto(base_url + path)
    loaded(page)
    imgs = diagrams(page)
    assert len(imgs) >= 2 and all(i["width"] > 0 for i in imgs), imgs
    assert [i for i in imgs if i["shown"]] and all("#only-light" in i["src"] for i in imgs if i["shown"])
    shot(page, path.strip("/").replace("/", "-"), full=True)


@pytest.mark.parametrize(("path", "heading"), [("/scenarios/normal_close/", "在 Linux 上重现"),
                                              ("/en/scenarios/normal_close/", "Reproduced on Linux")])
def test_scenario_page_shows_the_run_observed_on_linux(page: Any, base_url: str, path: str, heading: str) -> None:
    page.goto(base_url + path)
    loaded(page)
    observed = [i for i in diagrams(page) if "observed-normal_close" in i["src"]]
    assert [i["src"] for i in observed] == ["../../diagrams/observed-normal_close.svg#only-light",
                                            "../../diagrams/observed-normal_close-dark.svg#only-dark"], observed
    assert all(i["complete"] and i["width"] > 300 for i in observed), observed
    assert observed[0]["shown"] and not observed[1]["shown"]
    assert heading in page.inner_text("#linux-run")
    section = page.evaluate("""() => { let out = '', el = document.getElementById('linux-run').nextElementSibling;
        while (el && el.tagName !== 'H2') { out += el.innerText + '\\n'; el = el.nextElementSibling; } return out; }""")
    assert "6.18.44" in section and "40–44" in section, section
    page.click("article a[href='#linux-run']")
    page.wait_for_url("**#linux-run")
    shot(page, "linux-run-" + ("en" if path.startswith("/en/") else "zh"))


def test_downloads_link_to_real_files(page: Any, base_url: str) -> None:
    page.goto(base_url + "/en/downloads/")
    loaded(page)
    links = page.eval_on_selector_all("article a[href*='diagrams/']", "els => els.map(e => e.href)")
    assert len(links) >= 26 * 4
    for href in links[:: max(1, len(links) // 12)]:
        response = page.request.get(href)
        assert response.status == 200 and len(response.body()) > 100, href
    assert page.locator(".tabbed-set").count() >= 26
    shot(page, "en-downloads")
    page.goto(base_url + "/sources/")
    loaded(page)
    assert "RFC 793" in page.inner_text("h2 >> nth=1") and page.locator("table").count() >= 2
    shot(page, "sources", full=True)


def test_language_switch_keeps_the_page(page: Any, base_url: str) -> None:
    page.goto(base_url + "/states/time_wait/")
    page.hover(".md-header__option .md-select")
    page.click("a.md-select__link[hreflang='en']")
    page.wait_for_url("**/en/states/time_wait/")
    assert page.get_attribute("html", "lang") == "en"
    assert "Time wait" in page.inner_text("h1")
    page.hover(".md-header__option .md-select")
    page.click("a.md-select__link[hreflang='zh']")
    page.wait_for_url(base_url + "/states/time_wait/")
    assert "时间等待" in page.inner_text("h1")


def search(pg: Any, base_url: str, query: str, name: str) -> list[str]:
    pg.goto(base_url + "/")
    loaded(pg)
    pg.click("input.md-search__input")
    pg.fill("input.md-search__input", query)
    pg.dispatch_event("input.md-search__input", "keyup")
    pg.wait_for_timeout(1500)
    pg.wait_for_selector(".md-search-result__item", timeout=10000)
    shot(pg, f"search-{name}")
    return pg.eval_on_selector_all(".md-search-result__item > a", "els => els.map(e => e.getAttribute('href'))")


def test_search_finds_chinese_words(page: Any, base_url: str) -> None:
    hits = search(page, base_url, "握手", "handshake-zh")
    assert any("scenarios/handshake/" in h and "/en/" not in h for h in hits), hits


def test_search_finds_time_wait(page: Any, base_url: str) -> None:
    hits = search(page, base_url, "TIME-WAIT", "time-wait")
    assert any(h.rstrip("/").endswith("states/time_wait") or "states/time_wait/" in h for h in hits[:5]), hits


def test_dark_mode_shows_the_dark_diagrams(browser: Any, base_url: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="dark")
    pg = context.new_page()
    try:
        for path in ("/states/fin_wait_1/", "/en/scenarios/normal_close/"):
            pg.goto(base_url + path)
            loaded(pg)
            assert pg.get_attribute("body", "data-md-color-scheme") == "slate"
            imgs = diagrams(pg)
            shown = [i["src"] for i in imgs if i["shown"]]
            assert shown and all(s.endswith("-dark.svg#only-dark") for s in shown), shown
            assert all(i["width"] > 0 for i in imgs)
            shot(pg, "dark-" + path.strip("/").replace("/", "-"), full=True)
    finally:
        context.close()
