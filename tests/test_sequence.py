"""Sequence charts: layout geometry, SVG structure and embedding rules, golden SVGs, PNG/PDF export."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from itertools import combinations

import pytest

from tcpdiagram.errors import UsageError
from tcpdiagram.model import Spec
from tcpdiagram.render.scenario import render_scenario, scenario_svg
from tcpdiagram.render.sequence import Box, text_width, wrap
from tcpdiagram.render.sequence_place import layout
from tcpdiagram.render.sequence_svg import number
from tcpdiagram.render.style import FONT_FAMILY, PALETTES
from tcpdiagram.simulate import simulate

SVG = "{http://www.w3.org/2000/svg}"
ALLOWED = {"svg", "g", "line", "path", "polygon", "rect", "text", "title", "desc"}
SCENARIOS = ["handshake", "simultaneous_open", "connection_refused", "lost_syn", "connect_timeout", "lost_last_ack",
             "normal_close", "simultaneous_close", "lost_fin", "half_close_data", "server_closes_first", "close_unread_data",
             "fin_ack_close", "abort"]
CASES = [(sid, lang) for sid in SCENARIOS for lang in ("zh", "en")]
needs_rsvg = pytest.mark.skipif(shutil.which("rsvg-convert") is None, reason="rsvg-convert is not installed")


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def tag(el: ET.Element) -> str:
    return el.tag.removeprefix(SVG)


def by_id(root: ET.Element) -> dict[str, ET.Element]:
    return {el.get("id"): el for el in root.iter() if el.get("id")}  # type: ignore[misc]


def line_of(group: ET.Element) -> tuple[float, float, float, float]:
    el = group.find(f"{SVG}line")
    assert el is not None
    return tuple(float(el.get(k, "nan")) for k in ("x1", "y1", "x2", "y2"))  # type: ignore[return-value]


def cross(p: tuple[float, float, float, float], q: tuple[float, float, float, float]) -> bool:
    """Do two line segments properly intersect?"""
    def side(ax: float, ay: float, bx: float, by: float, cx: float, cy: float) -> float:
        return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)
    d1, d2 = side(*q[:2], *q[2:], *p[:2]), side(*q[:2], *q[2:], *p[2:])
    d3, d4 = side(*p[:2], *p[2:], *q[:2]), side(*p[:2], *p[2:], *q[2:])
    return d1 * d2 < 0 and d3 * d4 < 0


# ---- text measuring ---------------------------------------------------------------------------

def test_cjk_is_twice_as_wide_as_latin() -> None:
    assert text_width("关", 12) == 2 * text_width("a", 12)
    assert text_width("应用调用 close()", 10) == (8 + 8) * text_width("x", 10)
    assert text_width("", 12) == 0


def test_wrap_keeps_lines_inside_and_punctuation_attached() -> None:
    zh = "B 推迟确认并很快关闭，ACK 搭载在 FIN 上；A 从 FIN_WAIT_1 直接进入 TIME_WAIT，只有三个报文。"
    for text in (zh, "Both sides close at nearly the same time; the FINs cross in flight and both pass through CLOSING."):
        lines = wrap(text, 12, 200)
        assert len(lines) > 1 and all(text_width(line, 12) <= 200 for line in lines)
        assert not any(line[0] in "，。；" for line in lines)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_number_format() -> None:
    assert [number(v) for v in (1.0, 2.25, -0.01, 3.14159, 100)] == ["1", "2.2", "0", "3.1", "100"]


# ---- layout geometry --------------------------------------------------------------------------

@pytest.mark.parametrize("sid,lang", CASES)
def test_labels_never_collide(spec: Spec, sid: str, lang: str) -> None:
    lay = layout(spec, simulate(spec, sid), lang)  # type: ignore[arg-type]
    plates = [a.plate for a in lay.arrows]
    for p, q in combinations(plates, 2):
        assert not p.overlaps(q), (p, q)
    others = [m.box for m in (*lay.states, *lay.calls, *(b.label for b in lay.breaks))] + [b.box for b in lay.brackets]
    for a in lay.arrows:
        assert not any(a.plate.overlaps(o) for o in others), a.label.text
        assert not any(a.plate.clip(*b.line) for b in lay.arrows if b is not a), a.label.text
        assert lay.lifelines[0].x < a.plate.x and a.plate.x2 < lay.lifelines[1].x
        assert text_width(a.label.text, a.label.size) < a.plate.w
    for m in (*lay.states, *lay.calls):
        assert 0 <= m.box.x and m.box.x2 <= lay.width and m.box.y2 <= lay.height, m.id
    for pid in "AB":
        boxes = [m.box for m in lay.states if m.peer == pid]
        assert all(not p.overlaps(q) for p, q in combinations(boxes, 2))


def test_box_clip() -> None:
    box = Box(0, 0, 10, 10)
    assert box.clip(-5, 5, 15, 5) == (0.25, 0.75)
    assert box.clip(-5, 20, 15, 20) is None


def test_idle_gaps_are_broken(spec: Spec) -> None:
    lay = layout(spec, simulate(spec, "normal_close"), "en")
    assert [b.label.text.text for b in lay.breaks] == ["200 ms later", "≈ 240 s later"]
    assert lay.height < 1000  # 240 s of TIME_WAIT does not make the chart tall
    [bracket] = lay.brackets
    assert bracket.label.text == "2MSL = 240 s" and bracket.y1 < lay.breaks[1].y1 < lay.breaks[1].y2 <= bracket.y2
    zh = layout(spec, simulate(spec, "normal_close"), "zh")
    assert [b.label.text.text for b in zh.breaks] == ["200 毫秒后", "≈ 240 秒后"]


def test_states_sit_where_they_are_entered(spec: Spec) -> None:
    lay = layout(spec, simulate(spec, "fin_ack_close"), "en")
    b = [m for m in lay.states if m.peer == "B"]
    assert [m.text.text for m in b] == ["ESTABLISHED", "CLOSE_WAIT", "LAST_ACK", "CLOSED"]
    fin = lay.arrows[0]
    box = b[1].box  # A's FIN ends on the edge of B's CLOSE_WAIT box
    assert box.x - 0.5 <= fin.line[2] <= box.x2 + 0.5 and box.y - 0.5 <= fin.line[3] <= box.y2 + 0.5
    assert [m.text.text for m in lay.calls] == ["close()", "close()"]


# ---- SVG structure ----------------------------------------------------------------------------

@pytest.mark.parametrize("sid,lang", CASES)
def test_svg_structure(spec: Spec, sid: str, lang: str) -> None:
    svg = scenario_svg(spec, sid, lang)  # type: ignore[arg-type]
    assert "<script" not in svg and "foreignObject" not in svg and "style" not in svg and "class=" not in svg
    root = parse(svg)
    prefix = f"seq-{sid}-"
    assert {tag(el) for el in root.iter()} <= ALLOWED
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids)) and all(i.startswith(prefix) for i in ids)  # type: ignore[union-attr]
    assert root.get("role") == "img" and root.get("font-family") == FONT_FAMILY and root.get("fill") is None
    title_id, desc_id = root.get("aria-labelledby", "").split()
    ids_map = by_id(root)
    sc = spec.scenario(sid)
    assert tag(ids_map[title_id]) == "title" and ids_map[title_id].text == sc.title.get(lang)  # type: ignore[arg-type]
    assert tag(ids_map[desc_id]) == "desc" and sc.caption.get(lang) in (ids_map[desc_id].text or "")  # type: ignore[arg-type]
    trace = simulate(spec, sid)
    for s in trace.segments:
        group = ids_map[f"{prefix}seg-{s.index}"]
        lines = group.findall(f"{SVG}line")
        if s.lost:  # an arrow that stops part-way, with a ✕ (two lines) and "lost", and no arrowhead
            assert len(lines) == 3 and group.find(f"{SVG}polygon") is None
            assert [t.text for t in group.iter(f"{SVG}text")] == [{"zh": "丢失", "en": "lost"}[lang], s.marked(lang)]
        else:
            assert len(lines) == 1 and group.find(f"{SVG}polygon") is not None
            assert [t.text for t in group.iter(f"{SVG}text")] == [s.marked(lang)]  # type: ignore[arg-type]
    for p in trace.peers:
        for k, state in enumerate(p.states):
            assert f"{prefix}state-{p.id}-{k}-{state}" in ids_map
    texts = [t.text for t in root.iter(f"{SVG}text")]
    heads = {"zh": {"client": "客户端 A", "server": "服务器 B", "peer": "A"}, "en": {"client": "Client A", "server": "Server B", "peer": "A"}}
    assert heads[lang][sc.peers[0].role] in texts


def test_crossing_fins_intersect(spec: Spec) -> None:
    ids = by_id(parse(scenario_svg(spec, "simultaneous_close", "en")))
    seg = [line_of(ids[f"seq-simultaneous_close-seg-{n}"]) for n in range(4)]
    assert cross(seg[0], seg[1])  # the FINs cross in flight
    assert cross(seg[2], seg[3])  # and so do the ACKs
    assert not cross(seg[0], seg[2]) and not cross(seg[1], seg[3])
    normal = by_id(parse(scenario_svg(spec, "normal_close", "en")))
    lines = [line_of(normal[f"seq-normal_close-seg-{n}"]) for n in range(4)]
    assert not any(cross(p, q) for p, q in combinations(lines, 2))


def test_two_charts_share_a_page(spec: Spec) -> None:
    a = {el.get("id") for el in parse(scenario_svg(spec, "normal_close")).iter()} - {None}
    b = {el.get("id") for el in parse(scenario_svg(spec, "simultaneous_close")).iter()} - {None}
    assert a and b and not a & b


def test_themes_use_their_palette(spec: Spec) -> None:
    light, dark = (scenario_svg(spec, "simultaneous_close", "en", theme) for theme in ("light", "dark"))
    assert PALETTES["light"].peer_a in light and PALETTES["light"].peer_a not in dark
    assert PALETTES["dark"].peer_b in dark and PALETTES["dark"].ink in dark


def test_deterministic(spec: Spec) -> None:
    assert scenario_svg(spec, "fin_ack_close", "zh") == scenario_svg(spec, "fin_ack_close", "zh")


@pytest.mark.parametrize("sid,lang", CASES)
def test_golden_svg(spec: Spec, golden, sid: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    golden.check(f"sequence/{sid}.{lang}.svg", scenario_svg(spec, sid, lang))  # type: ignore[arg-type]


def test_golden_svg_dark(spec: Spec, golden) -> None:  # type: ignore[no-untyped-def]
    golden.check("sequence/simultaneous_close.en.dark.svg", scenario_svg(spec, "simultaneous_close", "en", "dark"))


# ---- render_scenario --------------------------------------------------------------------------

def test_render_scenario_errors(spec: Spec) -> None:
    with pytest.raises(UsageError, match="did you mean 'abort'"):
        render_scenario(spec, "abrt")
    with pytest.raises(UsageError, match="unknown format 'gif'"):
        render_scenario(spec, "abort", fmt="gif")
    assert render_scenario(spec, "abort", "en").startswith(b"<svg ")


@needs_rsvg
def test_render_scenario_png_and_pdf(spec: Spec) -> None:
    png = render_scenario(spec, "simultaneous_close", "zh", fmt="png")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width = int.from_bytes(png[16:20], "big")
    assert width == 2 * layout(spec, simulate(spec, "simultaneous_close"), "zh").width
    pdf = render_scenario(spec, "fin_ack_close", "zh", fmt="pdf")
    assert pdf.startswith(b"%PDF")


def test_lost_arrow_stops_half_way_and_retransmission_is_labelled(spec: Spec) -> None:
    ids = by_id(parse(scenario_svg(spec, "lost_last_ack", "en")))
    lost = line_of(ids["seq-lost_last_ack-seg-3"])
    a_x, b_x = (line_of(ids[f"seq-lost_last_ack-lifeline-{p}"])[0] for p in "AB")
    assert abs(lost[2] - (a_x + b_x) / 2) < 8  # the lost ACK stops half-way between the lifelines
    texts = [t.text for t in ids["seq-lost_last_ack-seg-4"].iter(f"{SVG}text")]
    assert texts == ["FIN,ACK (retransmitted) seq=N ack=M+1"]
    zh = by_id(parse(scenario_svg(spec, "lost_last_ack", "zh")))
    assert [t.text for t in zh["seq-lost_last_ack-seg-4"].iter(f"{SVG}text")] == ["FIN,ACK（重传）seq=N ack=M+1"]
    brackets = sorted(i for i in ids if "-timer-" in i)
    labels = {i: next(ids[i].iter(f"{SVG}text")).text for i in brackets}
    assert sorted(labels.values()) == ["2MSL (interrupted)", "2MSL = 240 s (restarted)", "RTO = 1 s"]
    data = by_id(parse(scenario_svg(spec, "half_close_data", "en")))
    assert [t.text for t in data["seq-half_close_data-seg-2"].iter(f"{SVG}text")] == ["PSH,ACK seq=N len=100 ack=M+1"]
