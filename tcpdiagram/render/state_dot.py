"""Spec + view options → Graphviz DOT text of the state diagram (pure: no I/O, no subprocess)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Literal, Mapping

from ..model import DEFAULT_LAYERS, Lang, Layer, NamingProfile, PeerId, Spec, State, Theme, Transition
from .. import words
from .style import FONT_FAMILY, PALETTES, Palette

ViewKind = Literal["full", "scenario", "state"]
END = "end"  # suffix of the second CLOSED node, drawn at the bottom as Stevens does
_CTRL = re.compile("[\x00-\x08\x0b-\x1f\x7f\ufffe\uffff]")
LOOP = "↻"  # marks a self-loop listed beside its state
LOOPS_IN_BOX = 1  # from this many self-loops on, a state lists them beside its box instead of labelling them


def word(key: str, lang: Lang) -> str:
    """A diagram word from the catalogue: `diagram.<key>`, or a whole key with a dot (`group.active_close`)."""
    return words.t(lang, key if "." in key else "diagram." + key)


@dataclass(frozen=True)
class View:
    """What to draw: the kind of view and every option that changes the picture."""

    kind: ViewKind = "full"
    lang: Lang = "zh"
    naming: NamingProfile = "stevens"
    layers: tuple[Layer, ...] = DEFAULT_LAYERS
    theme: Theme = "light"
    scenario: str | None = None  # scenario views: the scenario id (titles, peer roles)
    highlight: tuple[tuple[PeerId, tuple[str, ...]], ...] = ()  # (peer, transition ids in order) pairs
    focus: str | None = None  # state views: the state id

    @property
    def paths(self) -> dict[PeerId, tuple[str, ...]]:
        return dict(self.highlight)


@dataclass(frozen=True)
class Diagram:
    """DOT source plus the texts the SVG post-processing puts back (root title/desc, element titles)."""

    name: str
    source: str
    title: str
    desc: str
    titles: dict[str, str]  # SVG element id → its <title> (tooltip) text


def clean(text: str) -> str:
    """User text made safe for a DOT quoted string: no control characters, literal backslashes/quotes."""
    text = _CTRL.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " "))
    return text.replace("&", "&amp;").replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def q(text: str) -> str:
    """A quoted DOT string whose text prints literally (escString specials and entities disabled)."""
    return f'"{clean(text)}"'


def state_name(spec: Spec, sid: str, naming: NamingProfile) -> str:
    return next((s.names.get(naming) for s in spec.states if s.id == sid), sid)


def rename(spec: Spec, text: str, naming: NamingProfile) -> str:
    """Write the state ids that appear in a text (FIN_WAIT_2 timeout) in the chosen naming profile."""
    if naming == "stevens" or not spec.states:
        return text
    names = {s.id: s.names.get(naming) for s in spec.states}
    ids = "|".join(re.escape(i) for i in sorted(names, key=len, reverse=True))
    return re.sub(rf"(?<![A-Za-z0-9_])(?:{ids})(?![A-Za-z0-9_])", lambda m: names[m.group(0)], text)


def edge_label(spec: Spec, t: Transition, lang: Lang, naming: NamingProfile) -> str:
    """`event / action, action` in the language (just `event` when there is no action)."""
    event = spec.event(t.event).label.get(lang)
    actions = word("action_sep", lang).join(spec.action(a).label.get(lang) for a in t.actions)
    return rename(spec, f"{event} / {actions}" if actions else event, naming)


def node_label(state: State, lang: Lang, naming: NamingProfile) -> str:
    return f"{state.names.get(naming)}\n{state.label.get(lang)}"


def closed_id(spec: Spec) -> str | None:
    return next((s.id for s in spec.states if s.group == "closed"), None)


def to_end(spec: Spec, t: Transition) -> bool:
    """Edges into CLOSED from a synchronized state go to the bottom CLOSED, not back up the page."""
    cid = closed_id(spec)
    src = next((s for s in spec.states if s.id == t.source), None)
    return t.target == cid and t.source != cid and src is not None and src.group not in ("closed", "opening")


def head_key(spec: Spec, t: Transition) -> str:
    """The SVG id of the node a transition's arrow ends at (`state-CLOSED-end` for the bottom CLOSED)."""
    return f"state-{t.target}-{END}" if to_end(spec, t) else f"state-{t.target}"


def select(spec: Spec, view: View) -> tuple[list[State], list[Transition]]:
    """The states and transitions a view shows, in spec order."""
    hl = {tid for _, ids in view.highlight for tid in ids}
    trs = [t for t in spec.transitions if t.layer in view.layers or t.id in hl]
    if view.kind == "state":
        trs = [t for t in trs if view.focus in (t.source, t.target)]
        keep = {view.focus} | {t.source for t in trs} | {t.target for t in trs if not to_end(spec, t)}
        return [s for s in spec.states if s.id in keep], trs
    return list(spec.states), trs


def tiers(spec: Spec, trs: list[Transition]) -> dict[str, int]:
    """Rows as in Stevens Fig 18.12 / RFC 9293 Fig 5, computed from the usual client and server paths.

    Longest path from CLOSED along path edges (synchronized states as early as possible), then the
    opening states pulled down next to the state they lead to; states off the paths go one row
    below their lowest predecessor.
    """
    cid = closed_id(spec)
    tier: dict[str, int] = {cid: 0} if cid else {}
    down = [t for t in trs if t.path and t.target != cid]
    for _ in range(len(spec.states)):
        for t in down:
            if t.source in tier and tier.get(t.target, -1) < tier[t.source] + 1:
                tier[t.target] = tier[t.source] + 1
    opening = {s.id for s in spec.states if s.group == "opening"}
    for _ in range(len(spec.states)):
        for t in down:
            if t.source in opening and t.target in tier and tier.get(t.source, 0) < tier[t.target] - 1:
                tier[t.source] = tier[t.target] - 1
    for _ in range(len(spec.states)):
        for t in trs:
            if t.target not in tier and t.source in tier and t.target != cid:
                tier[t.target] = tier[t.source] + 1
    return tier


def build(spec: Spec, view: View) -> Diagram:
    """The whole DOT text of one view."""
    pal = PALETTES[view.theme]
    states, trs = select(spec, view)
    dot_id = {s.id: f"s{i}" for i, s in enumerate(spec.states)}
    end_id = f"s{len(spec.states)}"
    cid = closed_id(spec)
    has_end = any(to_end(spec, t) for t in trs)
    tier = tiers(spec, [t for t in spec.transitions if t.layer in DEFAULT_LAYERS]) if view.kind != "state" else {}
    hl = {p: set(ids) for p, ids in view.highlight}
    visited: dict[str, set[str]] = {}  # SVG node id → peers that pass through it
    for p, t in ((p, t) for p, ids in hl.items() for t in trs if t.id in ids):
        for key in ("state-" + t.source, head_key(spec, t)):
            visited.setdefault(key, set()).add(p)
    lines = _header(view, pal)
    titles: dict[str, str] = {}
    conds: list[str] = [t.when for t in trs if t.when]
    marks = {c: f"[{i + 1}]" for i, c in enumerate(dict.fromkeys(conds))}
    texts = {t.id: edge_label(spec, t, view.lang, view.naming) + (" " + marks[t.when] if t.when else "") for t in trs}
    # A state with several self-loops draws one unlabelled loop and lists them in its box, a line each ("↻ …"):
    # Graphviz would nest the loops and run them through each other's labels. The other loops stay in the SVG,
    # with their ids and titles, but transparent.
    loops: dict[str, list[str]] = {}
    lit = {i for ids in hl.values() for i in ids}
    for t in trs:
        if t.source == t.target and not to_end(spec, t):
            loops.setdefault(t.source, []).append(t.id)
    loops = {sid: ids for sid, ids in loops.items() if len(ids) >= LOOPS_IN_BOX}
    drawn_loop = {sid: next((i for i in ids if i in lit), ids[0]) for sid, ids in loops.items()}

    def node(s: State, did: str, svg_id: str) -> str:
        attrs = [f"id={q(svg_id)}", f"label={q(node_label(s, view.lang, view.naming))}"]
        if s.id in loops and svg_id == "state-" + s.id and view.kind != "state":
            attrs.append(f"xlabel={q(chr(10).join(f'{LOOP} {texts[i]}' for i in loops[s.id]))}")
        if view.kind == "scenario":
            peers = sorted(visited.get(svg_id, ()))
            colour = {"A": pal.peer_a, "B": pal.peer_b}[peers[0]] if len(peers) == 1 else pal.ink
            attrs += [f'color="{colour}"', "penwidth=2.4"] if peers else _faded(pal)
        if view.kind == "state" and s.id == view.focus:
            attrs += ["penwidth=2.8", f'color="{pal.accent}"']
        titles[svg_id] = f"{s.names.get(view.naming)} — {s.label.get(view.lang)}"
        return f"  {did} [{', '.join(attrs)}];"

    groups: dict[str, list[State]] = {}
    for s in states:
        groups.setdefault(s.group if s.group in ("active_close", "passive_close") else "", []).append(s)
    for key in ("", "active_close", "passive_close"):
        members = groups.get(key, [])
        if not members:
            continue
        if key:
            lines.append(f"  subgraph cluster_{key} {{")
            just = "r" if key == "passive_close" else "l"  # keep the label clear of the edge coming in
            lines.append(
                f'    graph [id={q("group-" + key)}, label={q(word("group." + key, view.lang))}, style="dashed,rounded", '
                f'color="{pal.cluster}", fontcolor="{pal.muted}", labeljust={just}, margin=16];'
            )
            titles["group-" + key] = word("group." + key, view.lang)
        for s in members:
            lines.append(("  " if key else "") + node(s, dot_id[s.id], "state-" + s.id))
        if key:
            lines.append("  }")
    for sid in (x for x in loops if view.kind == "state"):
        # A focus view lists the loops in a node of their own beside the state (same column): an xlabel is
        # placed after the layout, so edges and the group frame ran through it.
        lid = f"loops_{dot_id[sid]}"
        listing = "".join(f"{LOOP} {clean(texts[i])}\\l" for i in loops[sid])
        node_line = (f'{lid} [id={q("loops-" + sid)}, label="{listing}", shape=plaintext, style="", fontsize=11, '
                     'margin="0.04,0.02", width=0, height=0];')
        group = spec.state(sid).group
        lines.append(f"  subgraph cluster_{group} {{ {node_line} }}" if group in ("active_close", "passive_close")
                     else f"  {node_line}")
        lines.append(f"  {{ rank=same; {dot_id[sid]}; {lid}; }}")
        lines.append(f"  {dot_id[sid]} -> {lid} [style=invis];")
        titles["loops-" + sid] = "\n".join(texts[i] for i in loops[sid])
    if has_end and cid:
        lines.append(node(spec.state(cid), end_id, f"state-{cid}-{END}"))

    for t in trs:
        head = end_id if to_end(spec, t) else dot_id[t.target]
        text = texts[t.id]
        shown = text
        hidden = False
        if t.id in loops.get(t.source, ()):
            hidden, shown = drawn_loop[t.source] != t.id, ""
        attrs = [f"id={q('tr-' + t.id)}", f"label={q(shown)}"] + _edge_style(t, view, pal, hl)
        if t.source == t.target and view.kind == "state":  # below the box: above it, loops push labels into clusters
            attrs += ["tailport=s", "headport=s"]
        if hidden:  # drawn under the visible loop: in the SVG with its id and title, but not seen
            attrs = [a for a in attrs if not a.startswith(("color=", "fontcolor="))]
            attrs += ['color="transparent"', "arrowhead=none"]
        if tier:
            st, tt = tier.get(t.source), (max(tier.values()) + 1 if head == end_id else tier.get(t.target))
            if st is not None and tt is not None and t.source != t.target:
                attrs.append(f"minlen={abs(tt - st)}")
                attrs.append("weight=4" if t.path else "weight=1")
        names = (state_name(spec, t.source, view.naming), state_name(spec, t.target, view.naming))
        titles["tr-" + t.id] = f"{names[0]} → {names[1]}: {text}"
        tail = dot_id[t.source]
        if tier and tier.get(t.source) == tier.get(t.target) and _side(spec, t.source) > _side(spec, t.target):
            tail, head = head, tail  # a flat edge orders its tail left of its head: keep the textbook sides
            attrs.append("dir=back")
        if view.kind == "state" and t.source != t.target:
            same = {spec.state(t.source).group, spec.state(t.target).group}
            inside = next(iter(same)) if len(same) == 1 and same <= {"active_close", "passive_close"} else ""
            lines += _label_node(t, text, attrs, tail, head, titles, inside)
            continue
        lines.append(f"  {tail} -> {head} [{', '.join(attrs)}];")
    lines += _legend(spec, view, pal, trs, marks)
    lines.append("}")
    title, desc = _title_desc(spec, view, len(states), len(trs))
    return Diagram(_graph_id(view), "\n".join(lines) + "\n", title, desc, titles)


def _label_node(t: Transition, text: str, attrs: list[str], tail: str, head: str, titles: dict[str, str],
                cluster: str) -> list[str]:
    """A focus view's edge drawn through its label as a node: in a left-to-right layout the edges converging on
    the focus state otherwise run through each other's labels (dot routes edges around nodes, not labels).
    `cluster`: the group both ends sit in (the label joins it, so the edge stays inside), or ""."""
    style = [a for a in attrs if not a.startswith(("id=", "label=", "fontcolor="))]
    font = next((a for a in attrs if a.startswith("fontcolor=")), "")
    lid = f"l_{re.sub(r'[^A-Za-z0-9_]', '_', t.id)}"
    titles["label-" + t.id] = titles["tr-" + t.id]
    titles["tr-" + t.id + "-from"] = titles["tr-" + t.id]
    label = (f'{lid} [id={q("label-" + t.id)}, label={q(text)}, shape=plaintext, style="", fontsize=11, '
             f'margin="0.04,0.02", width=0, height=0{", " + font if font else ""}];')
    return [
        f"  subgraph cluster_{cluster} {{ {label} }}" if cluster else f"  {label}",
        f"  {tail} -> {lid} [id={q('tr-' + t.id + '-from')}, arrowhead=none, {', '.join(style)}];",
        f"  {lid} -> {head} [id={q('tr-' + t.id)}, {', '.join(style)}];",
    ]


def _header(view: View, pal: Palette) -> list[str]:
    font = q(FONT_FAMILY)
    gid = q(_graph_id(view))
    # State views run left to right: many parallel edges into CLOSED stack their labels vertically.
    flow = 'rankdir=LR, nodesep=0.12' if view.kind == "state" else 'rankdir=TB, nodesep=0.45'
    return [
        f"digraph {gid} {{",
        f'  graph [id={gid}, bgcolor="transparent", fontname={font}, fontsize=12, fontcolor="{pal.ink}", '
        f"{flow}, ranksep=0.5, newrank=true, splines=true, pad=0.2, outputorder=edgesfirst];",
        f'  node [fontname={font}, fontsize=13, shape=box, style="rounded,filled", margin="0.16,0.06", '
        f'color="{pal.ink}", fillcolor="{pal.fill}", fontcolor="{pal.ink}", penwidth=1.2];',
        f'  edge [fontname={font}, fontsize=11, color="{pal.ink}", fontcolor="{pal.ink}", arrowsize=0.8];',
    ]


def _side(spec: Spec, sid: str) -> int:
    """Left (-1) or right (+1) in the textbook figures: server opening and active close on the left."""
    s = next((x for x in spec.states if x.id == sid), None)
    if s is None:
        return 0
    paths = {t.path for t in spec.transitions if sid in (t.source, t.target) and t.path}
    if s.group == "active_close" or (s.group == "opening" and paths == {"server"}):
        return -1
    if s.group == "passive_close" or (s.group == "opening" and paths == {"client"}):
        return 1
    return 0


def _graph_id(view: View) -> str:
    if view.kind == "scenario":
        return f"tcp-scenario-{view.scenario}"
    if view.kind == "state":
        return f"tcp-state-{view.focus}"
    return "tcp-full"


def _faded(pal: Palette) -> list[str]:
    return [f'color="{pal.faded}"', f'fontcolor="{pal.faded}"', f'fillcolor="{pal.fill}"']


def _edge_style(t: Transition, view: View, pal: Palette, hl: Mapping[PeerId, set[str]]) -> list[str]:
    style = "dashed" if t.path == "server" else "solid"
    width = 2.4 if t.path else 1.0
    if view.kind == "scenario":
        peers = [p for p in ("A", "B") if t.id in hl.get(p, set())]
        if not peers:
            return [f'style="{style}"', f'color="{pal.faded}"', f'fontcolor="{pal.faded}"']
        colours = {"A": pal.peer_a, "B": pal.peer_b}
        colour = ":".join(colours[p] for p in peers)
        font = colours[peers[0]] if len(peers) == 1 else pal.ink
        return ['style="solid"', f'color="{colour}"', f'fontcolor="{font}"', "penwidth=2.6"]
    attrs = [f'style="{style}"', f"penwidth={width}"]
    if t.layer == "event_processing":
        attrs.append(f'color="{pal.muted}"')
    elif t.layer == "linux":
        attrs += [f'color="{pal.accent}"', f'fontcolor="{pal.accent}"']
    return attrs


def _legend(spec: Spec, view: View, pal: Palette, trs: list[Transition], marks: dict[str, str]) -> list[str]:
    """One plaintext node: line samples (HTML table cell borders) and texts; user text escaped."""
    rows: list[tuple[str, str, str]] = []  # (cell style, colour, text)
    if view.kind == "scenario":
        sc = next((s for s in spec.scenarios if s.id == view.scenario), None)
        for pid, colour in (("A", pal.peer_a), ("B", pal.peer_b)):
            role = word("role." + sc.peer(pid).role, view.lang) if sc else ""  # type: ignore[arg-type]
            rows.append(("solid", colour, f"{pid}：{role}" if view.lang == "zh" else f"{pid}: {role}"))
        if len(view.highlight) == 2 and any(all(t.id in ids for _, ids in view.highlight) for t in trs):
            rows.append(("pair", pal.ink, word("both", view.lang)))
        rows.append(("solid", pal.faded, word("faded", view.lang)))
    else:
        paths = {t.path for t in trs}
        if "client" in paths:
            rows.append(("solid", pal.ink, word("client", view.lang)))
        if "server" in paths:
            rows.append(("dashed", pal.ink, word("server", view.lang)))
        if any(t.path is None and t.layer in ("figure", "note") for t in trs):
            rows.append(("thin", pal.ink, word("other", view.lang)))
        for layer, colour in (("event_processing", pal.muted), ("linux", pal.accent)):
            if any(t.layer == layer for t in trs):
                rows.append(("thin", colour, word("layer." + layer, view.lang)))
    cells = []
    for style, colour, text in rows:
        border = "1" if style == "thin" else "3"
        dash = ' STYLE="dashed"' if style == "dashed" else ""
        sample = f'<TD WIDTH="36" HEIGHT="10" BORDER="{border}" SIDES="B" COLOR="{colour}"{dash}></TD>'
        if style == "pair":  # two parallel lines, as dot draws an edge both peers take
            sample = (
                '<TD><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0">'
                f'<TR><TD WIDTH="36" HEIGHT="8" BORDER="2" SIDES="B" COLOR="{pal.peer_a}"></TD></TR>'
                f'<TR><TD WIDTH="36" HEIGHT="2" BORDER="2" SIDES="B" COLOR="{pal.peer_b}"></TD></TR></TABLE></TD>'
            )
        cells.append(f'<TR>{sample}<TD ALIGN="LEFT"><FONT COLOR="{colour}">{_h(text)}</FONT></TD></TR>')
    for cond, mark in marks.items():
        text = rename(spec, spec.condition(cond).label.get(view.lang), view.naming)
        cells.append(f'<TR><TD ALIGN="RIGHT">{_h(mark)}</TD><TD ALIGN="LEFT">{_h(text)}</TD></TR>')
    if not cells:
        return []
    cells.append('<TR><TD COLSPAN="2" HEIGHT="3"></TD></TR>')  # keeps the last line sample off the frame
    table = (
        f'<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="2" CELLPADDING="3" STYLE="rounded" COLOR="{pal.cluster}">'
        f'<TR><TD COLSPAN="2" ALIGN="LEFT"><FONT COLOR="{pal.muted}">{_h(word("legend", view.lang))}</FONT></TD></TR>'
        f'{"".join(cells)}</TABLE>'
    )
    return [f'  legend [id="legend", shape=plaintext, style="", fontsize=11, fontcolor="{pal.ink}", label=<{table}>];']


def _h(text: str) -> str:
    """Text for an HTML-like label: markup escaped, control characters dropped, backslashes doubled
    (dot applies its escString rules, `\\N` = node name, after decoding an HTML label)."""
    return html.escape(_CTRL.sub(" ", text), quote=True).replace("\\", "\\\\").replace("\n", "<BR/>")


def _title_desc(spec: Spec, view: View, n: int, m: int) -> tuple[str, str]:
    lang = view.lang
    if view.kind == "scenario":
        sc = next((s for s in spec.scenarios if s.id == view.scenario), None)
        if sc is not None:
            walks = [f"{pid}: {_walk(spec, ids, view.naming)}" for pid, ids in view.highlight if ids]
            return sc.title.get(lang), rename(spec, " ".join([sc.caption.get(lang), *walks]), view.naming)
    if view.kind == "state" and view.focus:
        s = spec.state(view.focus)
        name = s.names.get(view.naming)
        name = f"{name}（{s.label.get(lang)}）" if lang == "zh" else name
        return word("focus", lang).format(name=name), rename(spec, s.summary.get(lang), view.naming)
    return spec.meta.title.get(lang), word("full_desc", lang).format(n=n, m=m)


def _walk(spec: Spec, ids: tuple[str, ...], naming: NamingProfile) -> str:
    """`ESTABLISHED → FIN_WAIT_1 → …` for the transitions a peer fired (self-loops add nothing)."""
    by_id = {t.id: t for t in spec.transitions}
    fired = [by_id[i] for i in ids if i in by_id]
    names = [state_name(spec, fired[0].source, naming)] if fired else []
    names += [state_name(spec, t.target, naming) for t in fired if t.target != t.source]
    return " → ".join(names) + "."
