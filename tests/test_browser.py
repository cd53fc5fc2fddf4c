"""The built site in a real browser (Debian chromium through Playwright): every page at 1280 and 390 px in both
languages, search per language, a copy published under a sub-path, clickable diagrams, the scenario player,
zoom, dark mode; screenshots of the pages readers use most under build/screenshots."""

from __future__ import annotations

import shutil
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

import pytest

from tcpdiagram.pipeline import MARKER, MARKER_TEXT
from tcpdiagram.simulate import simulate
from tcpdiagram.specfile import load_checked
from test_pipeline import ROOT, SPEC

pytestmark = [pytest.mark.browser, pytest.mark.dot]
playwright_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium")
if CHROMIUM is None:
    pytest.skip("Debian chromium is not installed (make test installs it)", allow_module_level=True)
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
SHOTS = ROOT / "build" / "screenshots"
DESKTOP, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}
SUB = "/sub/path/"


class _Site(SimpleHTTPRequestHandler):
    """A static host as GitHub Pages is one: a missing path answers 404 with the site's 404.html."""

    not_found: Path

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        if code != 404 or not self.not_found.is_file():
            super().send_error(code, message, explain)
            return
        body = self.not_found.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def _serve(folder: Path, not_found: Path) -> tuple[ThreadingHTTPServer, str]:
    handler = type("Handler", (_Site,), {"not_found": not_found})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(folder)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


@pytest.fixture(scope="module")
def base_url(built: Path) -> Iterator[str]:
    httpd, url = _serve(built / "site", built / "site" / "404.html")
    yield url
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def sub_url(built: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A copy of the site published under /sub/path/ (as user.github.io/<project>/ is)."""
    host = tmp_path_factory.mktemp("host")
    shutil.copytree(built / "site", host / SUB.strip("/"))
    httpd, url = _serve(host, host / SUB.strip("/") / "404.html")
    yield url
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def desktop(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=DESKTOP)
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True, device_scale_factor=2)
    yield context.new_page()
    context.close()


def shot(pg: Any, name: str, full: bool = False) -> None:
    if not SHOTS.parent.exists():  # a fresh build/: mark it as build output so `tcpdiagram build` may replace it
        SHOTS.parent.mkdir()
        (SHOTS.parent / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
    SHOTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full)


def figures(pg: Any) -> list[dict[str, Any]]:
    """Every inline diagram of the article: its key, kind, drawn size and whether it is displayed."""
    return pg.eval_on_selector_all(
        "article .tcp-figure",
        "els => els.map(f => { const s = f.querySelector('.tcp-view > svg'); const r = s.getBoundingClientRect();"
        " return {key: f.dataset.diagram, kind: f.dataset.kind, width: r.width, height: r.height,"
        " shown: r.width > 0 && getComputedStyle(f).display !== 'none', bar: !!f.querySelector('.tcp-zoombar')}; })",
    )


def go(pg: Any, url: str) -> None:
    pg.goto(url)
    pg.wait_for_load_state("load")


def pages(site: Path) -> list[str]:
    """The URL path of every page of the built site, both languages (the 404 page apart)."""
    out = []
    for index in sorted(site.rglob("index.html")):
        rel = index.parent.relative_to(site).as_posix()
        if rel.split("/")[0] not in ("assets", "search", "diagrams"):
            out.append("/" if rel == "." else f"/{rel}/")
    return out


def test_no_page_overflows_at_either_width(desktop: Any, phone: Any, base_url: str, built: Path) -> None:
    """Every page in both languages: nothing wider than the window; console clean (no sitemap 404)."""
    paths = pages(built / "site")
    assert len(paths) >= 50 and "/en/states/time_wait/" in paths
    wide: list[str] = []
    errors: list[str] = []
    for pg in (desktop, phone):
        pg.on("console", lambda m: errors.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
        pg.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
        for path in paths:
            go(pg, base_url + path)
            width = pg.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            if width[0] > width[1]:
                wide.append(f"{path} at {pg.viewport_size['width']}: {width[0]} > {width[1]}")
    assert not wide, wide
    assert not errors, errors[:10]


def test_wide_tables_scroll_inside_with_the_first_column_kept(phone: Any, base_url: str) -> None:
    go(phone, base_url + "/en/transitions/")
    wrap = phone.eval_on_selector(
        "article .md-typeset__scrollwrap", "w => [w.scrollWidth, w.clientWidth, getComputedStyle(w).overflowX]")
    assert wrap[0] > wrap[1] and wrap[2] == "auto", wrap
    phone.eval_on_selector("article .md-typeset__scrollwrap", "w => { w.scrollLeft = 300; }")
    cell = phone.eval_on_selector("article table tbody td", "td => [getComputedStyle(td).position, td.getBoundingClientRect().left]")
    assert cell[0] == "sticky" and 0 <= cell[1] < 40, cell


QUERIES = [  # (site, query, the page that must come first)
    *[("/", q, "/states/time_wait/") for q in ("TIME-WAIT", "TIME_WAIT", "time wait", "2MSL", "TCP_TIME_WAIT", "时间等待")],
    *[("/", q, "/scenarios/handshake/") for q in ("三次握手", "三路握手", "握手")],
    *[("/", q, "/scenarios/normal_close/") for q in ("四次挥手", "四次握手")],
    ("/", "close wait", "/states/close_wait/"), ("/", "CLOSE-WAIT", "/states/close_wait/"),
    ("/", "SYN-RECV", "/states/syn_rcvd/"),
    *[("/en/", q, "/en/states/time_wait/") for q in ("TIME-WAIT", "TIME_WAIT", "time wait", "2MSL", "TCP_TIME_WAIT")],
    *[("/en/", q, "/en/scenarios/handshake/") for q in ("handshake", "three-way handshake")],
    ("/en/", "four-way handshake", "/en/scenarios/normal_close/"),
    ("/en/", "close wait", "/en/states/close_wait/"), ("/en/", "CLOSE_WAIT", "/en/states/close_wait/"),
    ("/en/", "SYN-RECEIVED", "/en/states/syn_rcvd/"), ("/en/", "TCP_SYN_RECV", "/en/states/syn_rcvd/"),
    ("/", "挥手", "/scenarios/normal_close/"),  # issue 13's three: the close, the knob, on the practical pages
    ("/", "tcp_tw_reuse", "/practice/time-wait/"), ("/en/", "tcp_tw_reuse", "/en/practice/time-wait/"),
]


def search(pg: Any, query: str) -> list[str]:
    """The result links for a query typed into Material's search box (paths only, no ?h= or #)."""
    pg.click("input.md-search__input")
    pg.fill("input.md-search__input", query)
    pg.dispatch_event("input.md-search__input", "keyup")
    pg.wait_for_selector(".md-search-result__item", timeout=10000)
    pg.wait_for_timeout(300)  # results arrive in one batch; let it settle
    return pg.eval_on_selector_all(
        ".md-search-result__item > a", "els => els.map(e => new URL(e.href).pathname)")


def test_search_gives_the_expected_first_result_per_language(desktop: Any, base_url: str) -> None:
    wrong = []
    for site in ("/", "/en/"):
        go(desktop, base_url + site)
        for where, query, first in QUERIES:
            if where != site:
                continue
            hits = search(desktop, query)
            other = [h for h in hits if h.startswith("/en/") != (site == "/en/")]
            if not hits or hits[0] != first or other:
                wrong.append((site, query, hits[:4], other[:2]))
            if any(h.endswith("/downloads/") for h in list(dict.fromkeys(hits))[:3]):
                wrong.append((site, query, "downloads ranks in the first three", hits[:4]))
        shot(desktop, f"search-{'en' if site == '/en/' else 'zh'}")
        desktop.keyboard.press("Escape")
    assert not wrong, wrong


def _links_and_assets(pg: Any, url: str) -> set[str]:
    go(pg, url)
    pg.wait_for_load_state("networkidle")
    return set(pg.eval_on_selector_all("a[href]", "els => els.map(a => new URL(a.getAttribute('href'), document.baseURI).href)"))


def test_a_copy_under_a_sub_path_has_no_broken_link_or_asset(browser: Any, sub_url: str) -> None:
    context = browser.new_context(viewport=DESKTOP)
    pg = context.new_page()
    broken: list[str] = []
    pg.on("response", lambda r: broken.append(f"{r.status} {r.url}")
          if r.status >= 400 and r.request.resource_type != "document" else None)
    pg.on("requestfailed", lambda r: broken.append(f"failed {r.url}"))
    try:
        links: set[str] = set()
        for path in ("", "en/", "states/time_wait/", "en/scenarios/simultaneous_close/", "downloads/",
                     "en/downloads/", "overview/", "en/transitions/"):
            links |= _links_and_assets(pg, sub_url + SUB + path)
        for missing in ("states/no_such_state/", "no-such-page", "en/no/such/page/"):
            links |= _links_and_assets(pg, sub_url + SUB + missing)
            assert "404" in pg.inner_text("article h1"), missing
            assert pg.eval_on_selector(".md-header", "h => getComputedStyle(h).position") in ("sticky", "fixed"), missing
            homes = pg.eval_on_selector_all("section.tcp-404 a", "els => els.map(a => new URL(a.href).pathname)")
            assert homes == [SUB, SUB + "en/"], (missing, homes)
            assert pg.locator("section.tcp-404[lang='zh']").count() == 1 == pg.locator("section.tcp-404[lang='en']").count()
        ours = sorted(h.split("#")[0] for h in links if h.startswith(sub_url))
        outside = sorted(h for h in links if h.startswith(sub_url) and not urlsplit(h).path.startswith(SUB))
        assert not outside, outside[:5]
        for href in dict.fromkeys(ours):
            status = pg.request.get(href).status
            if status != 200:
                broken.append(f"{status} link {href}")
        assert not broken, broken[:10]
        assert len(set(ours)) > 100
    finally:
        context.close()


def test_clicking_established_in_the_overview_opens_its_page(desktop: Any, base_url: str) -> None:
    for site, target in (("/", "/states/established/"), ("/en/", "/en/states/established/")):
        go(desktop, base_url + site + "overview/")
        desktop.click("[data-id='state-ESTABLISHED'] a")
        desktop.wait_for_url(base_url + target)
        assert "ESTABLISHED" in desktop.inner_text("h1")
    go(desktop, base_url + "/en/states/time_wait/")
    edge = desktop.get_attribute("[data-id='tr-TIME_WAIT-timeout_2msl-CLOSED'] a", "href")
    assert edge == "../../transitions/#tr-TIME_WAIT-timeout_2msl-CLOSED"
    desktop.click("[data-id='tr-TIME_WAIT-timeout_2msl-CLOSED'] a")
    desktop.wait_for_url("**/en/transitions/#tr-TIME_WAIT-timeout_2msl-CLOSED")
    row = desktop.eval_on_selector("#tr-TIME_WAIT-timeout_2msl-CLOSED", "s => s.closest('tr').innerText")
    assert "TIME_WAIT" in row and "CLOSED" in row, row


def _expected(scenario: str) -> dict[str, list[str]]:
    """Each peer's states in order, from the simulator itself (the page must agree with it)."""
    trace = simulate(load_checked(SPEC), scenario)
    return {p.id: list(p.states) for p in trace.peers}


@pytest.mark.parametrize("site", ["/", "/en/"])
def test_the_player_steps_through_simultaneous_close(desktop: Any, base_url: str, site: str) -> None:
    go(desktop, base_url + site + "scenarios/simultaneous_close/")
    player = desktop.locator(".tcp-player")
    assert player.is_visible()
    rows = desktop.locator(".tcp-steps tbody tr").count()
    seen: dict[str, list[str]] = {"A": [], "B": []}
    hidden_counts = []
    desktop.click(".tcp-player .tcp-reset")
    for step in range(rows + 1):
        state = desktop.evaluate("""() => { const p = document.querySelector('.tcp-figure[data-diagram^="path-"]');
            const at = c => [...p.querySelectorAll('.' + c)].map(e => e.dataset.id);
            return {a: p.dataset.nowA, b: p.dataset.nowB, atA: at('tcp-at-a'), atB: at('tcp-at-b'),
                    now: [...document.querySelectorAll('.tcp-steps tbody tr')].findIndex(r => r.classList.contains('tcp-row-now')),
                    hidden: document.querySelectorAll('.tcp-figure .tcp-hidden').length}; }""")
        for peer, key, nodes in (("A", "a", "atA"), ("B", "b", "atB")):
            assert len(state[nodes]) == 1 and state[nodes][0].startswith(f"state-{state[key]}"), state
            if not seen[peer] or seen[peer][-1] != state[key]:
                seen[peer].append(state[key])
        assert state["now"] == step - 1, state
        hidden_counts.append(state["hidden"])
        if step == 2:
            shot(desktop, f"player-{'en' if site == '/en/' else 'zh'}")
        if step < rows:
            desktop.keyboard.press("ArrowRight") if step % 2 else desktop.click(".tcp-player .tcp-next")
    assert seen == _expected("simultaneous_close"), seen
    assert hidden_counts[0] > 0 and hidden_counts[-1] == 0 and hidden_counts == sorted(hidden_counts, reverse=True)
    assert desktop.locator(".tcp-player .tcp-next").is_disabled()
    desktop.keyboard.press("ArrowLeft")
    assert desktop.evaluate("document.querySelector('.tcp-steps tr.tcp-row-now').rowIndex") == rows - 1
    desktop.click(".tcp-player .tcp-all")
    assert desktop.locator(".tcp-figure .tcp-hidden").count() == 0


def test_without_javascript_the_page_shows_everything(browser: Any, base_url: str) -> None:
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    pg = context.new_page()
    try:
        go(pg, base_url + "/scenarios/simultaneous_close/")
        assert not pg.locator(".tcp-player").is_visible()
        assert pg.locator(".tcp-figure").count() == 3 and pg.locator(".tcp-hidden").count() == 0
        assert pg.locator(".tcp-steps tbody tr").count() > 5
        article = pg.eval_on_selector("article", "a => [a.scrollWidth, a.clientWidth]")
        assert article[0] <= article[1], article  # Material's own header menus need its script; not ours
    finally:
        context.close()


def test_one_viewer_per_diagram_with_zoom_and_pan(phone: Any, base_url: str) -> None:
    go(phone, base_url + "/scenarios/normal_close/")
    figs = figures(phone)
    keys = [f["key"] for f in figs]
    assert keys == ["scenario-normal_close", "path-normal_close", "observed-normal_close"], keys
    assert all(f["shown"] and f["bar"] and 300 < f["width"] <= 390 for f in figs), figs
    assert phone.locator("article img[src*='diagrams/']").count() == 0  # no hidden dark/light copy
    fig = phone.locator(".tcp-figure[data-diagram='path-normal_close']")
    fig.locator(".tcp-fullscreen").click()
    assert phone.locator(".tcp-figure.tcp-full").count() == 1
    box = fig.locator(".tcp-view > svg").bounding_box()
    assert box["width"] > 350 and box["height"] > 600, box
    before = fig.locator(".tcp-view > svg").get_attribute("viewBox")
    fig.locator(".tcp-zoombar button >> nth=0").click()
    fig.locator(".tcp-zoombar button >> nth=0").click()
    zoomed = [float(x) for x in fig.locator(".tcp-view > svg").get_attribute("viewBox").split()]
    assert zoomed[2] < float(before.split()[2]) / 2, (before, zoomed)
    shot(phone, "phone-zoomed-path")
    phone.mouse.move(200, 400)
    phone.mouse.down()
    phone.mouse.move(120, 300, steps=5)
    phone.mouse.up()
    panned = [float(x) for x in fig.locator(".tcp-view > svg").get_attribute("viewBox").split()]
    assert panned[0] > zoomed[0] and panned[1] > zoomed[1], (zoomed, panned)
    phone.keyboard.press("Escape")
    assert phone.locator(".tcp-figure.tcp-full").count() == 0
    after = [float(x) for x in fig.locator(".tcp-view > svg").get_attribute("viewBox").split()]
    assert after == pytest.approx([float(x) for x in before.split()], abs=0.01)


def test_dark_mode_recolours_the_inline_diagrams(browser: Any, base_url: str) -> None:
    from tcpdiagram.render.style import PALETTES

    context = browser.new_context(viewport=DESKTOP, color_scheme="dark")
    pg = context.new_page()
    try:
        for path in ("/states/fin_wait_1/", "/en/scenarios/normal_close/"):
            go(pg, base_url + path)
            assert pg.get_attribute("body", "data-md-color-scheme") == "slate"
            ink = pg.eval_on_selector(f".tcp-figure [fill='{PALETTES['light'].ink}']", "e => getComputedStyle(e).fill")
            assert ink == _rgb(PALETTES["dark"].ink), (path, ink)
    finally:
        context.close()


def _rgb(hex_colour: str) -> str:
    h = hex_colour.lstrip("#")
    return f"rgb({int(h[0:2], 16)}, {int(h[2:4], 16)}, {int(h[4:6], 16)})"


def test_home_pages_and_the_language_switch(desktop: Any, base_url: str) -> None:
    for path, lang, words in (("/", "zh", "从哪里开始"), ("/en/", "en", "Where to start")):
        go(desktop, base_url + path)
        assert desktop.get_attribute("html", "lang") == lang
        assert words in desktop.inner_text("article")
        assert [f["key"] for f in figures(desktop)] == ["state-full"]
    go(desktop, base_url + "/states/time_wait/")
    desktop.hover(".md-header__option .md-select")
    desktop.click("a.md-select__link[hreflang='en']")
    desktop.wait_for_url("**/en/states/time_wait/")
    assert desktop.get_attribute("html", "lang") == "en" and "Time wait" in desktop.inner_text("h1")
    desktop.hover(".md-header__option .md-select")
    desktop.click("a.md-select__link[hreflang='zh']")
    desktop.wait_for_url(base_url + "/states/time_wait/")
    assert "时间等待" in desktop.inner_text("h1")


def test_scenario_page_shows_the_run_observed_on_linux(desktop: Any, base_url: str) -> None:
    for path, heading in (("/scenarios/normal_close/", "在 Linux 上重现"), ("/en/scenarios/normal_close/", "Reproduced on Linux")):
        go(desktop, base_url + path)
        assert heading in desktop.inner_text("#linux-run")
        section = desktop.evaluate("""() => { let out = '', el = document.getElementById('linux-run').nextElementSibling;
            while (el && el.tagName !== 'H2') { out += el.innerText + '\\n'; el = el.nextElementSibling; } return out; }""")
        assert "6.18.44" in section and "40–44" in section, section
        assert desktop.locator("#linux-run ~ .tcp-figure[data-diagram='observed-normal_close']").count() == 1


def test_downloads_grid_links_to_real_files(desktop: Any, base_url: str) -> None:
    for site in ("/", "/en/"):
        go(desktop, base_url + site + "downloads/")
        cards = desktop.locator(".tcp-card").count()
        assert cards >= 26
        assert desktop.locator(".tcp-card details").count() == 3 * cards
        assert desktop.locator(".tcp-card .tcp-thumb img").count() == 2 * cards
        desktop.locator(".tcp-card >> nth=3").scroll_into_view_if_needed()
        desktop.wait_for_function("[...document.querySelectorAll('.tcp-card img')].slice(0, 8)"
                                  ".every(i => i.complete && i.naturalWidth > 0)")
        links = desktop.eval_on_selector_all(".tcp-card a[href*='diagrams/']", "els => els.map(e => e.href)")
        assert len(links) >= cards * 6
        for href in links[:: max(1, len(links) // 16)]:
            response = desktop.request.get(href)
            assert response.status == 200 and len(response.body()) > 100, href
        tops = desktop.eval_on_selector_all(".tcp-grid >> nth=1 >> .tcp-card", "els => els.map(e => e.offsetTop)")
        assert tops.count(tops[0]) >= 3, tops  # three cards a row at 1280
        height = desktop.evaluate("document.documentElement.scrollHeight")
        assert height < 130 * cards + 3000, (height, cards)


SCREENS = ["", "states/time_wait/", "scenarios/normal_close/", "downloads/"]


def test_screenshots_of_the_pages_readers_use(browser: Any, base_url: str) -> None:
    """Phone and desktop, light and dark, both languages: for people to look at (build/screenshots)."""
    for scheme in ("light", "dark"):
        for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            context = browser.new_context(viewport=viewport, color_scheme=scheme)
            pg = context.new_page()
            try:
                for site in ("/", "/en/"):
                    for path in SCREENS:
                        go(pg, base_url + site + path)
                        name = (path.strip("/").replace("/", "-") or "home")
                        shot(pg, f"{size}-{scheme}-{'en' if site == '/en/' else 'zh'}-{name}")
            finally:
                context.close()
