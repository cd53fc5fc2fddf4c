"""The state-diagram DOT builder: golden DOT text, ids, labels, layout hints, escaping, view options."""

from __future__ import annotations

import dataclasses
import re

import pytest

from tcpdiagram.errors import UsageError
from tcpdiagram.model import LAYERS, Spec, Text
from tcpdiagram.render.state import make_view, parse_layers, render_state
from tcpdiagram.render.state_dot import View, build, clean, edge_label, rename, tiers, to_end
from tcpdiagram.render.style import PALETTES

NORMAL_CLOSE = {
    "A": ("ESTABLISHED-close-FIN_WAIT_1", "FIN_WAIT_1-rcv_ack_of_fin-FIN_WAIT_2", "FIN_WAIT_2-rcv_fin-TIME_WAIT",
          "TIME_WAIT-timeout_2msl-CLOSED"),
    "B": ("ESTABLISHED-rcv_fin-CLOSE_WAIT", "CLOSE_WAIT-close-LAST_ACK", "LAST_ACK-rcv_ack_of_fin-CLOSED"),
}


def dot(spec: Spec, view: str = "full", **kw: object) -> str:
    return build(spec, make_view(spec, view, **kw)).source  # type: ignore[arg-type]


def attrs_of(source: str, svg_id: str) -> str:
    m = re.search(rf'\[id="{re.escape(svg_id)}", ([^\n]*)\];', source)
    assert m, f"{svg_id} not in the DOT"
    return m.group(1)


# ---- golden DOT ----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_full_view_golden(spec: Spec, golden, lang: str) -> None:  # type: ignore[no-untyped-def]
    golden.check(f"state/full-{lang}.dot", dot(spec, lang=lang))


def test_scenario_view_golden_with_a_given_path(spec: Spec, golden) -> None:  # type: ignore[no-untyped-def]
    golden.check("state/scenario-normal_close-en.dot",
                 dot(spec, "scenario:normal_close", lang="en", highlight=NORMAL_CLOSE))


def test_state_view_golden(spec: Spec, golden) -> None:  # type: ignore[no-untyped-def]
    golden.check("state/state-ESTABLISHED-zh.dot", dot(spec, "state:ESTABLISHED", lang="zh"))


def test_scenario_path_comes_from_the_simulator(spec: Spec) -> None:
    assert make_view(spec, "scenario:normal_close").paths == NORMAL_CLOSE


# ---- ids and content -----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_state_and_transition_of_the_layers_has_its_id(spec: Spec, lang: str) -> None:
    source = dot(spec, lang=lang)
    for s in spec.states:
        assert f'id="state-{s.id}"' in source
    for t in spec.transitions:
        present = f'id="tr-{t.id}"' in source
        assert present == (t.layer in ("figure", "note")), t.id
    assert 'id="state-CLOSED-end"' in source
    assert not re.search(r"\b(node|edge)\d+\b", source)


def test_dot_ids_are_generated_and_user_text_is_only_in_labels(spec: Spec) -> None:
    source = dot(spec)
    for line in source.splitlines():
        m = re.match(r"\s*(\S+) -> (\S+) \[", line) or re.match(r"\s*(\S+) \[id=", line)
        if m:
            assert all(re.fullmatch(r"s\d+|legend|graph", g) for g in m.groups()), line


def test_closed_is_drawn_twice_and_synchronized_states_end_at_the_bottom(spec: Spec) -> None:
    source = dot(spec, lang="en")
    top, end = "s0", f"s{len(spec.states)}"
    assert re.search(rf'{end} \[id="state-CLOSED-end", label="CLOSED\\nClosed"', source)
    assert re.search(rf'{end}\b.*\n.*', source)
    edges = dict(re.findall(r'(\S+ -> \S+) \[id="tr-([^"]+)"', source))
    by_id = {v: k for k, v in edges.items()}
    assert by_id["TIME_WAIT-timeout_2msl-CLOSED"].endswith(f"-> {end}")
    assert by_id["LAST_ACK-rcv_ack_of_fin-CLOSED"].endswith(f"-> {end}")
    assert by_id["LISTEN-close-CLOSED"].endswith(f"-> {top}")  # a short edge back up, as in Stevens
    assert by_id["SYN_SENT-close-CLOSED"].endswith(f"-> {top}")


def test_rows_follow_the_textbook_figure(spec: Spec) -> None:
    tier = tiers(spec, [t for t in spec.transitions if t.layer in ("figure", "note")])
    assert tier["CLOSED"] == 0 and tier["LISTEN"] == 1
    assert tier["SYN_RCVD"] == tier["SYN_SENT"] == 2
    assert tier["ESTABLISHED"] == 3
    assert tier["FIN_WAIT_1"] == tier["CLOSE_WAIT"] == 4
    assert tier["FIN_WAIT_2"] == tier["CLOSING"] == tier["LAST_ACK"] == 5
    assert tier["TIME_WAIT"] == 6


def test_flat_edges_keep_the_textbook_sides(spec: Spec) -> None:
    # SYN_RCVD on the left, SYN_SENT on the right: the simultaneous-open edge is written reversed.
    source = dot(spec)
    assert re.search(r's3 -> s2 \[id="tr-SYN_SENT-rcv_syn-SYN_RCVD".*dir=back', source)


def test_usual_paths_styles_and_legend(spec: Spec) -> None:
    source = dot(spec, lang="en")
    assert 'style="solid", penwidth=2.4' in attrs_of(source, "tr-CLOSED-active_open-SYN_SENT")
    assert 'style="dashed", penwidth=2.4' in attrs_of(source, "tr-CLOSED-passive_open-LISTEN")
    assert 'style="solid", penwidth=1.0' in attrs_of(source, "tr-LISTEN-send-SYN_SENT")
    for text in ("Legend", "usual client path", "usual server path", "other transition",
                 "[1]", "SYN_RCVD was entered from a passive OPEN"):
        assert text in source
    zh = dot(spec, lang="zh")
    for text in ("图例", "客户端的通常路径", "服务器的通常路径", "主动关闭", "被动关闭"):
        assert text in zh


def test_edge_labels(spec: Spec) -> None:
    def label(tid: str, lang: str = "en", naming: str = "stevens") -> str:
        t = next(t for t in spec.transitions if t.id == tid)
        return edge_label(spec, t, lang, naming)  # type: ignore[arg-type]

    assert label("CLOSED-active_open-SYN_SENT") == "active OPEN / create TCB, snd SYN"
    assert label("CLOSED-active_open-SYN_SENT", "zh") == "主动打开 / 创建 TCB、发送 SYN"
    assert label("SYN_RCVD-rcv_ack_of_syn-ESTABLISHED") == "rcv ACK of SYN"  # no action: no "/ x"
    assert label("FIN_WAIT_2-fin_wait_2_timeout-CLOSED", naming="rfc") == "FIN-WAIT-2 timeout / delete TCB"
    assert label("FIN_WAIT_2-fin_wait_2_timeout-CLOSED", naming="linux") == "TCP_FIN_WAIT2 timeout / delete TCB"


@pytest.mark.parametrize(("naming", "name"), [("rfc", "SYN-RECEIVED"), ("stevens", "SYN_RCVD"),
                                              ("linux", "TCP_SYN_RECV"), ("ss", "SYN-RECV")])
def test_node_text_is_the_profile_name_and_the_label(spec: Spec, naming: str, name: str) -> None:
    assert f'label="{name}\\n已收到 SYN"' in dot(spec, naming=naming, lang="zh")
    assert f'label="{name}\\nSYN received"' in dot(spec, naming=naming, lang="en")


def test_rename_is_one_pass_and_whole_word(spec: Spec) -> None:
    assert rename(spec, "CLOSED, CLOSE_WAIT and CLOSED_X", "linux") == "TCP_CLOSE, TCP_CLOSE_WAIT and CLOSED_X"


def test_dark_theme_uses_light_ink(spec: Spec) -> None:
    source = dot(spec, theme="dark")
    assert f'color="{PALETTES["dark"].ink}"' in source and PALETTES["light"].ink not in source
    assert 'bgcolor="transparent"' in source


def test_scenario_view_colours_each_peer_and_fades_the_rest(spec: Spec) -> None:
    pal = PALETTES["light"]
    source = dot(spec, "scenario:normal_close", highlight=NORMAL_CLOSE)
    assert f'color="{pal.peer_a}"' in attrs_of(source, "tr-FIN_WAIT_1-rcv_ack_of_fin-FIN_WAIT_2")
    assert f'color="{pal.peer_b}"' in attrs_of(source, "tr-CLOSE_WAIT-close-LAST_ACK")
    assert f'color="{pal.faded}"' in attrs_of(source, "tr-FIN_WAIT_1-rcv_fin-CLOSING")
    assert f'color="{pal.faded}"' in attrs_of(source, "state-LISTEN")
    assert f'color="{pal.faded}"' in attrs_of(source, "state-CLOSED")  # nobody starts or ends at the top
    assert f'color="{pal.peer_a}"' in attrs_of(source, "state-FIN_WAIT_2")
    assert f'color="{pal.ink}", penwidth=2.4' in attrs_of(source, "state-CLOSED-end")  # both end there


def test_scenario_view_both_peers_on_one_edge_and_extra_layers(spec: Spec) -> None:
    pal = PALETTES["light"]
    source = dot(spec, "scenario:simultaneous_close")
    assert f'color="{pal.peer_a}:{pal.peer_b}"' in attrs_of(source, "tr-FIN_WAIT_1-rcv_fin-CLOSING")
    refused = dot(spec, "scenario:connection_refused")
    assert 'id="tr-SYN_SENT-rcv_rst-CLOSED"' in refused  # fired, so drawn although its layer is not chosen
    assert 'id="tr-ESTABLISHED-rcv_rst-CLOSED"' not in refused


def test_state_view_shows_neighbours_and_all_layers(spec: Spec) -> None:
    source = dot(spec, "state:FIN_WAIT_2")
    for tid in ("FIN_WAIT_1-rcv_ack_of_fin-FIN_WAIT_2", "FIN_WAIT_2-rcv_fin-TIME_WAIT",
                "FIN_WAIT_2-rcv_rst-CLOSED", "FIN_WAIT_2-fin_wait_2_timeout-CLOSED"):
        assert f'id="tr-{tid}"' in source
    for sid in ("FIN_WAIT_1", "FIN_WAIT_2", "TIME_WAIT", "CLOSED-end"):
        assert f'id="state-{sid}"' in source
    assert 'id="state-LISTEN"' not in source and 'id="state-CLOSED"' not in source
    assert "rankdir=LR" in source
    only = dot(spec, "state:FIN_WAIT_2", layers="figure")
    assert "rcv_rst" not in only and "FIN_WAIT_1-rcv_ack_of_fin-FIN_WAIT_2" in only


def test_every_state_view_and_scenario_view_builds(spec: Spec) -> None:
    for s in spec.states:
        assert f'id="state-{s.id}"' in dot(spec, f"state:{s.id}")
    for sc in spec.scenarios:
        assert sum(len(ids) for ids in make_view(spec, f"scenario:{sc.id}").paths.values()) > 0


def test_root_title_and_description(spec: Spec) -> None:
    d = build(spec, make_view(spec, lang="zh"))
    assert d.title == "TCP 连接状态机" and "11 个状态" in d.desc
    s = build(spec, make_view(spec, "scenario:normal_close", lang="en", naming="rfc"))
    assert s.title == "Normal close (four-way handshake)"
    assert "A: ESTABLISHED → FIN-WAIT-1 → FIN-WAIT-2 → TIME-WAIT → CLOSED." in s.desc
    f = build(spec, make_view(spec, "state:TIME_WAIT", lang="en"))
    assert f.title.startswith("State TIME_WAIT") and f.titles["state-TIME_WAIT"] == "TIME_WAIT — Time wait"


# ---- escaping ------------------------------------------------------------------------------------

HOSTILE = '<b>x</b> \\N "q" &lt; \\'


def hostile_spec(spec: Spec) -> Spec:
    states = tuple(dataclasses.replace(s, label=Text(zh=HOSTILE, en=HOSTILE)) if s.id == "LISTEN" else s
                   for s in spec.states)
    events = tuple(dataclasses.replace(e, label=Text(zh=HOSTILE, en=HOSTILE)) if e.id == "passive_open" else e
                   for e in spec.events)
    conditions = tuple(dataclasses.replace(c, label=Text(zh=HOSTILE, en=HOSTILE)) for c in spec.conditions)
    return dataclasses.replace(spec, states=states, events=events, conditions=conditions)


def test_clean_escapes_for_a_quoted_dot_string() -> None:
    assert clean(HOSTILE) == '<b>x</b> \\\\N \\"q\\" &amp;lt; \\\\'
    assert clean("a\x00b\x1fc\nd") == "a b c\\nd"


def test_hostile_labels_are_escaped_in_the_dot(spec: Spec) -> None:
    source = dot(hostile_spec(spec), lang="en")
    assert 'label="LISTEN\\n<b>x</b> \\\\N \\"q\\" &amp;lt; \\\\"' in source
    assert 'label="<b>x</b> \\\\N \\"q\\" &amp;lt; \\\\ / create TCB"' in source
    # in the HTML-like legend: markup escaped, backslashes doubled (dot reads escStrings there too)
    assert "&lt;b&gt;x&lt;/b&gt; \\\\N &quot;q&quot; &amp;lt; \\\\</TD>" in source


# ---- options -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("view", "hint"), [
    ("state:ESTABLISHD", "did you mean 'ESTABLISHED'"),
    ("scenario:normal-close", "did you mean 'normal_close'"),
    ("ful", "did you mean 'full'"),
    ("state:", "use one of: full, scenario:<ID>, state:<ID>"),
])
def test_unknown_view_is_a_usage_error_with_suggestions(spec: Spec, view: str, hint: str) -> None:
    with pytest.raises(UsageError, match=re.escape(hint)):
        make_view(spec, view)


def test_bad_options_are_usage_errors(spec: Spec) -> None:
    with pytest.raises(UsageError, match="unknown layer 'figures' \\(did you mean 'figure'\\?\\)"):
        make_view(spec, layers="figures,note")
    with pytest.raises(UsageError, match="unknown language 'fr'"):
        make_view(spec, lang="fr")
    with pytest.raises(UsageError, match="unknown format 'gif'"):
        render_state(spec, fmt="gif")
    assert parse_layers("event-processing, figure") == ("figure", "event_processing")
    assert parse_layers("") is None and parse_layers(list(LAYERS)) == LAYERS


def test_view_is_hashable_and_dot_output_is_plain_text(spec: Spec) -> None:
    v = make_view(spec, "scenario:abort")
    assert hash(v) == hash(dataclasses.replace(v)) and isinstance(v, View)
    assert render_state(spec, fmt="dot").startswith(b'digraph "tcp-full" {')


def test_to_end_only_from_synchronized_states(spec: Spec) -> None:
    ends = {t.source for t in spec.transitions if to_end(spec, t)}
    assert "LISTEN" not in ends and "SYN_SENT" not in ends and "CLOSED" not in ends
    assert {"TIME_WAIT", "LAST_ACK", "ESTABLISHED"} <= ends
