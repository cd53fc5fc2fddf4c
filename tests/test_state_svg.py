"""State diagrams through real dot: no label overlaps (dot -Tjson geometry), SVG structure, batching, failures."""

from __future__ import annotations

import json
import os
import re
import subprocess
import xml.etree.ElementTree as ET
from typing import Any, Iterator, Sequence

import pytest

from tcpdiagram.errors import ToolFailed, ToolMissing
from tcpdiagram.model import Spec
from tcpdiagram.render.dot_run import dot_exe, run_dot, split_svg
from tcpdiagram.render.state import finish, make_view, render_state
from tcpdiagram.render.state_dot import View, build, edge_label
from tcpdiagram.render.style import FONT_FAMILY
from tcpdiagram.render.svg_post import postprocess

from test_state_dot import hostile_spec

S = "{http://www.w3.org/2000/svg}"
Box = tuple[float, float, float, float, str]  # x0, y0, x1, y1, owner

pytestmark = pytest.mark.dot


def run_dot_json(sources: Sequence[str]) -> list[dict[str, Any]]:
    """dot -Tjson on many graphs in one process: the geometry the overlap checks read, one object per graph."""
    done = subprocess.run([dot_exe(), "-Tjson"], input="\n".join(sources).encode("utf-8"), capture_output=True,
                          env=dict(os.environ, LC_ALL="C.UTF-8"), timeout=120, check=True)
    out, decoder, parts, i = done.stdout.decode("utf-8"), json.JSONDecoder(), [], 0
    while i < len(out):
        if out[i].isspace():
            i += 1
            continue
        obj, i = decoder.raw_decode(out, i)
        parts.append(obj)
    assert len(parts) == len(sources)
    return parts


def svgs(spec: Spec, views: Sequence[View]) -> list[str]:
    """Finished SVGs for many views through one dot process, as the site build batches them."""
    return finish([build(spec, v) for v in views])


# ---- geometry from dot -Tjson ---------------------------------------------------------------------


def boxes(layout: dict[str, Any]) -> tuple[list[Box], list[Box]]:
    """Node boxes and text boxes (edge labels, cluster labels), in points, from a -Tjson layout."""
    nodes: list[Box] = []
    labels: list[Box] = []

    def text(obj: dict[str, Any], owner: str) -> None:
        ops = obj.get("_ldraw_", [])
        size = max((op["size"] for op in ops if op["op"] == "F"), default=14.0)
        for op in (op for op in ops if op["op"] == "T"):
            (x, y), w = op["pt"], op["width"]
            x0 = {"c": x - w / 2, "l": x, "r": x - w}[op["align"]]
            labels.append((x0, y - 0.25 * size, x0 + w, y + 0.9 * size, owner))  # descent below the baseline

    for o in layout.get("objects", []):
        if o["name"].startswith("cluster"):
            text(o, o.get("id", o["name"]))
        elif "pos" in o:
            x, y = map(float, o["pos"].split(","))
            w, h = float(o["width"]) * 72, float(o["height"]) * 72
            nodes.append((x - w / 2, y - h / 2, x + w / 2, y + h / 2, o.get("id", o["name"])))
    for e in layout.get("edges", []):
        text(e, e.get("id", "?"))
    return nodes, labels


def overlaps(layout: dict[str, Any], pad: float = 0.5) -> list[tuple[str, str]]:
    """Every pair (label, label), (label, node) or (node, node) whose boxes intersect."""
    nodes, labels = boxes(layout)

    def hit(a: Box, b: Box) -> bool:
        return a[0] < b[2] - pad and b[0] < a[2] - pad and a[1] < b[3] - pad and b[1] < a[3] - pad

    out = [(a[4], b[4]) for i, a in enumerate(labels) for b in labels[i + 1:] if a[4] != b[4] and hit(a, b)]
    out += [(a[4], n[4]) for a in labels for n in nodes if hit(a, n)]
    out += [(a[4], b[4]) for i, a in enumerate(nodes) for b in nodes[i + 1:] if hit(a, b)]
    return out


def border_crossings(layout: dict[str, Any], pad: float = 1.0) -> list[tuple[str, str]]:
    """(cluster, label) for every label neither inside nor outside a group outline (it sits on the line)."""
    _, labels = boxes(layout)
    out = []
    for o in layout.get("objects", []):
        if o["name"].startswith("cluster"):
            x0, y0, x1, y1 = map(float, o["bb"].split(","))
            for b in labels:
                inside = b[0] >= x0 - pad and b[2] <= x1 + pad and b[1] >= y0 - pad and b[3] <= y1 + pad
                outside = b[2] <= x0 + pad or b[0] >= x1 - pad or b[3] <= y0 + pad or b[1] >= y1 - pad
                if not (inside or outside):
                    out.append((o.get("id", o["name"]), b[4]))
    return out


def test_the_overlap_check_finds_overlaps() -> None:
    layout = {
        "objects": [{"name": "a", "id": "A", "pos": "50,50", "width": "1", "height": "0.5"},
                    {"name": "b", "id": "B", "pos": "200,50", "width": "1", "height": "0.5"}],
        "edges": [{"id": "e1", "_ldraw_": [{"op": "F", "size": 11.0},
                                          {"op": "T", "pt": [60, 45], "align": "c", "width": 40}]},
                  {"id": "e2", "_ldraw_": [{"op": "F", "size": 11.0},
                                          {"op": "T", "pt": [120, 140], "align": "l", "width": 40}]},
                  {"id": "e3", "_ldraw_": [{"op": "F", "size": 11.0},
                                          {"op": "T", "pt": [150, 142], "align": "c", "width": 20}]}],
    }
    assert sorted(overlaps(layout)) == [("e1", "A"), ("e2", "e3")]
    layout["objects"].append({"name": "cluster_x", "id": "X", "bb": "0,0,130,160"})
    assert border_crossings(layout) == [("X", "e2")]  # e1 inside, e3 outside, e2 on the right border


def all_views(spec: Spec) -> Iterator[tuple[str, View]]:
    for lang in ("zh", "en"):
        for naming in ("rfc", "stevens", "linux", "ss"):
            yield f"full/{lang}/{naming}", make_view(spec, "full", lang, naming)
        for sc in spec.scenarios:
            yield f"scenario:{sc.id}/{lang}", make_view(spec, f"scenario:{sc.id}", lang)
        for st in spec.states:
            yield f"state:{st.id}/{lang}", make_view(spec, f"state:{st.id}", lang)


def test_no_label_overlaps_another_label_or_a_node(spec: Spec) -> None:
    """Full view in both languages and every naming profile, every scenario view, every state view."""
    named = list(all_views(spec))
    layouts = run_dot_json([build(spec, v).source for _, v in named])
    problems = {name: bad for (name, _), lay in zip(named, layouts) if (bad := overlaps(lay) + border_crossings(lay))}
    assert problems == {}


def test_full_view_keeps_the_textbook_arrangement(spec: Spec) -> None:
    layout = run_dot_json([build(spec, make_view(spec, lang="en")).source])[0]
    nodes, _ = boxes(layout)
    c = {n[4]: ((n[0] + n[2]) / 2, (n[1] + n[3]) / 2) for n in nodes}  # dot's y grows upwards
    assert c["state-CLOSED"][1] > c["state-LISTEN"][1] > c["state-ESTABLISHED"][1] > c["state-TIME_WAIT"][1]
    assert c["state-TIME_WAIT"][1] > c["state-CLOSED-end"][1]
    assert c["state-SYN_RCVD"][0] < c["state-SYN_SENT"][0]
    assert c["state-FIN_WAIT_1"][0] < c["state-ESTABLISHED"][0] < c["state-CLOSE_WAIT"][0]
    assert c["state-FIN_WAIT_2"][0] < c["state-LAST_ACK"][0] and c["state-CLOSING"][0] < c["state-LAST_ACK"][0]


# ---- SVG structure --------------------------------------------------------------------------------


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg.encode("utf-8"))


def ids(root: ET.Element) -> set[str]:
    return {el.get("id", "") for el in root.iter() if el.get("id")}


def texts(root: ET.Element) -> str:
    return "\n".join("".join(t.itertext()) for t in root.iter(S + "text"))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_full_svg_structure(spec: Spec, lang: str) -> None:
    svg = render_state(spec, lang=lang).decode("utf-8")
    root = parse(svg)
    assert root.get("role") == "img" and root.get("aria-labelledby") == "tcp-full-title tcp-full-desc"
    assert root[0].tag == S + "title" and root[0].get("id") == "tcp-full-title"
    assert root[1].tag == S + "desc" and root[1].text and "11" in root[1].text
    assert root[0].text == spec.meta.title.get(lang)  # type: ignore[arg-type]
    found, shown = ids(root), texts(root)
    trs = [t for t in spec.transitions if t.layer in ("figure", "note")]
    for s in spec.states:
        assert f"state-{s.id}" in found
        assert s.names.stevens in shown and s.label.get(lang) in shown  # type: ignore[arg-type]
    for t in trs:
        assert f"tr-{t.id}" in found
        assert edge_label(spec, t, lang, "stevens") in shown  # type: ignore[arg-type]
    assert not any(re.fullmatch(r"(node|edge|graph)\d+|.*_edge\d+", i) for i in found)
    assert {"state-CLOSED-end", "legend", "group-active_close", "group-passive_close"} <= found
    assert ("主动关闭" if lang == "zh" else "active close") in shown


def test_svg_is_clean_basic_and_has_no_dot_ids(spec: Spec) -> None:
    svg = render_state(spec, view="scenario:simultaneous_close", lang="zh").decode("utf-8")
    root = parse(svg)
    assert "<!--" not in svg and "<!DOCTYPE" not in svg and "graphviz version" not in svg
    assert "<script" not in svg and "foreignObject" not in svg and "&#45;" not in svg
    tags = {el.tag.removeprefix(S) for el in root.iter()}
    assert tags <= {"svg", "g", "title", "desc", "path", "polygon", "polyline", "ellipse", "text"}
    for title in root.iter(S + "title"):
        assert title.text and not re.search(r"\bs\d+\b|->|cluster_", title.text), title.text
    titles = {g.get("id"): g.find(S + "title").text for g in root.iter(S + "g") if g.find(S + "title") is not None}
    assert titles["state-CLOSING"] == "CLOSING — 正在关闭"
    assert titles["tr-FIN_WAIT_1-rcv_fin-CLOSING"] == "FIN_WAIT_1 → CLOSING: 收到 FIN / 发送 ACK"
    families = {el.get("font-family") for el in root.iter(S + "text")}
    assert families == {FONT_FAMILY}
    assert 'fill="transparent"' not in svg and 'fill="white"' not in svg  # transparent background


def test_scenario_and_state_svgs_have_their_elements(spec: Spec) -> None:
    refused = parse(render_state(spec, view="scenario:connection_refused", lang="en").decode("utf-8"))
    assert {"tr-CLOSED-rcv_syn-CLOSED", "tr-SYN_SENT-rcv_rst-CLOSED", "tr-CLOSED-active_open-SYN_SENT"} <= ids(refused)
    assert "A: client" in texts(refused) and "B: server" in texts(refused)
    focus = parse(render_state(spec, view="state:CLOSE_WAIT", lang="en").decode("utf-8"))
    expect = {f"tr-{t.id}" for t in spec.transitions if "CLOSE_WAIT" in (t.source, t.target)}
    assert expect <= ids(focus) and {"state-CLOSE_WAIT", "state-ESTABLISHED", "state-LAST_ACK"} <= ids(focus)
    assert "RFC 9293 rules in the text" in texts(focus)  # the unread-data RST is RFC 9293 §3.6.1, not Linux only
    assert "Linux only" in texts(parse(render_state(spec, view="state:FIN_WAIT_2", lang="en").decode("utf-8")))


def test_hostile_labels_print_literally(spec: Spec) -> None:
    svg = render_state(hostile_spec(spec), lang="en").decode("utf-8")
    shown = texts(parse(svg))
    assert '<b>x</b> \\N "q" &lt; \\' in shown  # node label line, edge label and legend line
    assert shown.count('<b>x</b> \\N "q" &lt; \\') >= 3
    assert "<b>" not in svg and "LISTEN\n" not in shown.replace("LISTEN\n<b>", "")


def test_output_is_deterministic_and_batching_changes_nothing(spec: Spec) -> None:
    views = [make_view(spec, "full", "en"), make_view(spec, "state:LISTEN", "zh"), make_view(spec, "full", "zh")]
    batch = svgs(spec, views)
    # dot 2.43 emits clusters in memory order and renames graph ids after the first graph of a batch;
    # post-processing undoes both, so the position in a batch never changes a byte.
    assert svgs(spec, views * 4) == batch * 4
    assert [svgs(spec, [v])[0] for v in views] == batch
    assert [parse(s)[0].get("id") for s in batch] == ["tcp-full-title", "tcp-state-LISTEN-title", "tcp-full-title"]
    assert texts(parse(batch[0])) != texts(parse(batch[2]))  # en and zh really differ, in order


def test_dark_theme_svg(spec: Spec) -> None:
    svg = render_state(spec, theme="dark").decode("utf-8")
    assert 'stroke="#e6edf3"' in svg and 'fill="#e6edf3"' in svg and "#1f2328" not in svg


# ---- dot_run ------------------------------------------------------------------------------------


def test_run_dot_splits_many_graphs_in_order() -> None:
    out = run_dot([f'digraph g{i} {{ a{i} [id="n{i}"] }}' for i in range(5)])
    assert [f'id="n{i}"' in svg for i, svg in enumerate(out)] == [True] * 5
    assert all(svg.count("</svg>") == 1 for svg in out)
    assert run_dot([]) == [] and split_svg("") == []


def test_run_dot_collects_warnings_and_fails_cleanly() -> None:
    warnings: list[str] = []
    run_dot(['digraph { a [shape=nosuchshape] }'], warnings=warnings)
    assert any("nosuchshape" in w for w in warnings)
    with pytest.raises(ToolFailed, match="syntax error"):
        run_dot(["digraph { a -> }"])


def test_run_dot_times_out() -> None:
    big = "digraph { " + " ".join(f"n{i} -> n{(i * 7 + 3) % 300} [label=x{i}];" for i in range(1500)) + " }"
    with pytest.raises(ToolFailed, match="did not finish"):
        run_dot([big], timeout=0.05)


def test_missing_dot_is_tool_missing(monkeypatch: pytest.MonkeyPatch, spec: Spec) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(ToolMissing) as e:
        render_state(spec)
    assert e.value.exit_code == 3 and e.value.install == "apt-get install graphviz"
    assert render_state(spec, fmt="dot").startswith(b"digraph")  # DOT text needs no dot


def test_postprocess_drops_unsafe_content() -> None:
    raw = ('<?xml version="1.0"?><!-- c --><svg xmlns="http://www.w3.org/2000/svg" '
           'xmlns:xlink="http://www.w3.org/1999/xlink"><g id="g0" class="graph"><title>G</title>'
           '<script>alert(1)</script><foreignObject/><a xlink:href="javascript:x"><text onclick="x">t</text></a>'
           '<g id="n" class="node"><title>s0</title></g></g></svg>')
    out = postprocess(raw, "T", "D", {"n": "Node"})
    assert "script" not in out and "foreignObject" not in out and "javascript" not in out
    assert "onclick" not in out and "<!--" not in out and "s0" not in out and ">Node<" in out
    assert out.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<svg ') and 'role="img"' in out
