"""What the spec says, checked against RFC 9293 and Linux: the corrections of the RFC 9293 review, read through
`tcpdiagram export --format json` (the spec as a user gets it) and through the built site's pages."""

from __future__ import annotations

import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from tcpdiagram.cli import main

Json = dict[str, Any]
SYNCHRONIZED_WITH_RST = {"SYN_RCVD", "ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT"}  # RFC 9293 §3.10.5


@pytest.fixture(scope="module")
def export() -> Json:
    """The spec exactly as `tcpdiagram export --format json` prints it."""
    mp = pytest.MonkeyPatch()
    from io import StringIO

    buf = StringIO()
    mp.setattr(sys, "argv", ["tcpdiagram", "export", "--format", "json"])
    mp.setattr(sys, "stdout", buf)
    try:
        main()
    except SystemExit as e:
        assert e.code in (0, None)
    finally:
        mp.undo()
    data: Json = json.loads(buf.getvalue())
    return data


def state(export: Json, sid: str) -> Json:
    return next(s for s in export["states"] if s["id"] == sid)


def event(export: Json, eid: str) -> Json:
    return next(e for e in export["events"] if e["id"] == eid)


def transitions(export: Json, **match: str) -> list[Json]:
    return [t for t in export["transitions"] if all(t[k] == v for k, v in match.items())]


# ---- 1. closing with unread data is RFC 9293 §3.6.1 SHLD-3, and Linux agrees ------------------------


def test_unread_data_rst_is_the_rfc_layer_citing_shld3_and_linux(export: Json) -> None:
    rst = [t for t in transitions(export, event="close") if t["when"] == "unread_data"]
    assert {t["from"] for t in rst} == {"ESTABLISHED", "CLOSE_WAIT"}
    for t in rst:
        assert t["layer"] == "event_processing" and t["to"] == "CLOSED" and "snd_rst" in t["actions"]
        assert {"rfc9293:s3.6.1", "rfc9293:SHLD-3", "rfc2525:s2.17", "linux:net/ipv4/tcp.c"} <= set(t["cite"])
        assert "__tcp_close" in t["note"]["en"] and "__tcp_close" in t["note"]["zh"]
    assert not [t for t in transitions(export, layer="linux") if t["event"] == "close"]
    assert "rfc2525" in {r["id"] for r in export["meta"]["references"]}


# ---- 4. ABORT sends a RST in five states only; SO_LINGER {1, 0} -----------------------------------------


def test_abort_sends_rst_exactly_where_section_3_10_5_says(export: Json) -> None:
    aborts = transitions(export, event="abort")
    assert {t["from"] for t in aborts if "snd_rst" in t["actions"]} == SYNCHRONIZED_WITH_RST
    assert {t["from"] for t in aborts if "snd_rst" not in t["actions"]} == {"LISTEN", "SYN_SENT", "CLOSING",
                                                                            "LAST_ACK", "TIME_WAIT"}
    desc = event(export, "abort")["description"]
    for lang in ("zh", "en"):
        assert "l_onoff=1" in desc[lang] and "l_linger=0" in desc[lang] and "tcp_need_reset()" in desc[lang]
        assert all(s in desc[lang] for s in ("CLOSING", "LAST_ACK", "TIME_WAIT"))
    assert "synchronized state, sends a RST" not in desc["en"]


# ---- 6, 7. TIME_WAIT: no retransmission timer; 2MSL cites §3.6.1 MUST-13 and §3.10.8 ---------------------


def test_time_wait_answers_a_retransmitted_fin_and_never_retransmits(export: Json) -> None:
    tw = state(export, "TIME_WAIT")["description"]
    assert "resend the last ACK" not in tw["en"] and "重发它" not in tw["zh"]
    assert "never retransmits" in tw["en"] and "restarts the 2MSL timer" in tw["en"]
    assert "从不按计时器重传" in tw["zh"] and "重新开始 2MSL 计时" in tw["zh"]


def test_the_2msl_timeout_cites_must13_and_section_3_10_8(export: Json) -> None:
    (t,) = transitions(export, event="timeout_2msl")
    assert {"rfc9293:fig5", "rfc9293:s3.6.1", "rfc9293:MUST-13", "rfc9293:s3.10.8"} <= set(t["cite"])
    assert "rfc9293:s3.4.2" not in t["cite"]


# ---- 8. the user timeout runs while something (data, SYN, FIN) is unacknowledged ---------------------------


def test_user_timeout_only_where_something_can_be_unacknowledged(export: Json) -> None:
    sources = {t["from"] for t in transitions(export, event="user_timeout")}
    assert sources == {"SYN_SENT", "SYN_RCVD", "ESTABLISHED", "CLOSE_WAIT", "FIN_WAIT_1", "CLOSING", "LAST_ACK"}
    desc = event(export, "user_timeout")["description"]
    for lang in ("zh", "en"):
        assert "SYN" in desc[lang] and "FIN" in desc[lang] and "3.9.1.1" in desc[lang]
        assert all(s in desc[lang] for s in ("LISTEN", "FIN_WAIT_2", "TIME_WAIT"))


# ---- 10. naming profiles: Stevens/BSD netstat and Linux net-tools netstat ----------------------------------


NET_TOOLS = {"CLOSED": "CLOSE", "LISTEN": "LISTEN", "SYN_SENT": "SYN_SENT", "SYN_RCVD": "SYN_RECV",
             "ESTABLISHED": "ESTABLISHED", "FIN_WAIT_1": "FIN_WAIT1", "FIN_WAIT_2": "FIN_WAIT2",
             "CLOSE_WAIT": "CLOSE_WAIT", "CLOSING": "CLOSING", "LAST_ACK": "LAST_ACK", "TIME_WAIT": "TIME_WAIT"}


def test_linux_netstat_names_are_what_net_tools_prints(export: Json) -> None:
    assert {s["id"]: s["names"]["netstat"] for s in export["states"]} == NET_TOOLS
    assert state(export, "SYN_RCVD")["names"]["stevens"] == "SYN_RCVD"


@pytest.mark.dot
def test_a_diagram_in_linux_netstat_names(spec: Any) -> None:
    from tcpdiagram.render.state import render_state

    svg = render_state(spec, view="full", lang="en", naming="netstat", fmt="svg").decode("utf-8")
    assert ">SYN_RECV<" in svg and ">FIN_WAIT1<" in svg and ">CLOSE<" in svg and ">SYN_RCVD<" not in svg


@pytest.mark.dot
@pytest.mark.parametrize("naming,names", [("netstat", ("SYN_RECV", "FIN_WAIT1", "CLOSE")), ("ss", ("SYN-RECV", "ESTAB"))])
def test_the_cli_draws_in_linux_netstat_and_ss_names(cli: Any, naming: str, names: tuple[str, ...]) -> None:
    code, out, err = cli(["render", "state", "--lang", "en", "--naming", naming, "-f", "dot"])
    assert code == 0, err
    assert all(f'label="{n}\\n' in out for n in names) and 'label="SYN_RCVD\\n' not in out


# ---- 11, 12, 13, 14: texts -------------------------------------------------------------------------------


def test_syn_rcvd_on_linux_is_qualified(export: Json) -> None:
    linux = state(export, "SYN_RCVD")["linux"]
    assert "SYN_RCVD is only a lightweight request socket" not in linux["en"]
    for lang in ("zh", "en"):
        assert "TCP_NEW_SYN_RECV" in linux[lang] and "TCP_SYN_RECV" in linux[lang] and "Fast Open" in linux[lang]


def test_close_is_close_or_shutdown_but_only_close_sends_the_unread_data_rst(export: Json) -> None:
    desc = event(export, "close")["description"]
    assert "listening socket" in desc["en"] and "only close()" in desc["en"]
    assert "监听套接字" in desc["zh"] and "只有 close() 会" in desc["zh"]
    (listen_close,) = transitions(export, **{"from": "LISTEN", "event": "close"})
    assert "shutdown(SHUT_WR)" in listen_close["note"]["en"] and "shutdown(SHUT_WR)" in listen_close["note"]["zh"]


def test_closed_lists_every_way_in_and_linux_tcp_close(export: Json) -> None:
    closed = state(export, "CLOSED")
    assert "in the RFC's terms" in closed["summary"]["en"] and "按 RFC 的说法" in closed["summary"]["zh"]
    into = {t["from"] for t in export["transitions"] if t["to"] == "CLOSED"}
    named = closed["description"]["en"]
    assert all(s in named for s in ("LAST_ACK", "TIME_WAIT", "LISTEN", "SYN_SENT", "FIN_WAIT_2"))
    assert "timeout" in named and "RST" in named and "aborts" in named and "unread data" in named
    assert into >= {"LAST_ACK", "TIME_WAIT", "LISTEN", "SYN_SENT", "FIN_WAIT_2"}
    assert "超时" in closed["description"]["zh"] and "未读数据" in closed["description"]["zh"]
    assert "TCP_CLOSE" in closed["linux"]["en"] and "UNCONN" in closed["linux"]["en"]


def test_closing_is_about_crossing_fins_not_simultaneity(export: Json) -> None:
    closing = state(export, "CLOSING")
    assert "nearly the same time" not in closing["summary"]["en"] and "几乎同时" not in closing["summary"]["zh"]
    assert "before the other's arrived" in closing["summary"]["en"]
    assert "之前发出了自己的 FIN" in closing["summary"]["zh"]


# ---- 16. Chinese state names ------------------------------------------------------------------------------


def test_chinese_state_names(export: Json) -> None:
    labels = {s["id"]: s["label"]["zh"] for s in export["states"]}
    assert labels["CLOSE_WAIT"] == "关闭等待"
    assert labels["CLOSING"] != "同时关闭" and labels["CLOSED"] != event(export, "close")["label"]["zh"]
    assert "读到 EOF" in state(export, "CLOSE_WAIT")["description"]["zh"]


# ---- the built site: pages as readers see them ------------------------------------------------------------


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def page_text(site: Path, path: str) -> str:
    parser = _Text()
    parser.feed((site / path / "index.html").read_text(encoding="utf-8"))
    return re.sub(r"\s+", " ", "".join(parser.parts))


def article(site: Path, path: str) -> str:
    """The page's main content only (no nav, no search index): what the page itself says."""
    html = (site / path / "index.html").read_text(encoding="utf-8")
    body = html[html.index('<article'):html.index("</article>")]
    parser = _Text()
    parser.feed(body)
    return re.sub(r"\s+", " ", "".join(parser.parts))


@pytest.fixture(scope="module")
def site(built: Path) -> Path:
    return built / "site"


@pytest.mark.dot
@pytest.mark.parametrize("prefix", ["", "en/"])
def test_sources_page_corrections(site: Path, prefix: str) -> None:
    text = article(site, prefix + "sources")
    # 1: no "RFC 9293: send a FIN" for unread data; SHLD-3 and Linux agree
    assert "SHLD-3" in text and "__tcp_close()" in text
    assert "Closing with unread received data send a FIN" not in text
    assert "关闭时接收缓冲区里还有未读数据 发送 FIN" not in text
    # 2: the FIN's ACK may be delayed under the RFC too
    assert "SHLD-18" in text and "MUST-40" in text and "TCP_DELACK_MIN" in text
    assert "The ACK of a received FIN sent at once" not in text and "收到 FIN 后的 ACK 立即确认" not in text
    # 3: Note 3 stated, and ABORT's CLOSED against it
    assert ("Note 3 and ABORT" in text) if prefix else ("注 3 与 ABORT" in text)
    # 9: RFC 5961 challenge ACKs are optional
    assert "MAY-12" in text
    # 10: the names: Stevens / BSD netstat and Linux netstat
    assert "FIN_WAIT1" in text and "SYN_RECV" in text and "BSD" in text
    # 15: textbooks reprint RFC 793 Figure 6, on this page and in the transitions table
    assert "RFC 793" in text and ("Figure 6" in text or "图 6" in text)


@pytest.mark.dot
@pytest.mark.parametrize("prefix", ["", "en/"])
def test_transitions_page_says_which_figure_textbooks_reprint(site: Path, prefix: str) -> None:
    text = article(site, prefix + "transitions")
    assert "the diagram textbooks reprint." not in text and "也就是教材里常见的那张图" not in text
    assert ("Figure 6 of RFC 793" in text) if prefix else ("RFC 793 图 6" in text)
    assert ("section 3.6.1" in text) if prefix else ("第 3.6.1 节" in text)


@pytest.mark.dot
@pytest.mark.parametrize("prefix", ["", "en/"])
def test_note3_on_the_abort_and_time_wait_pages(site: Path, prefix: str) -> None:
    for path in ("scenarios/abort", "states/time_wait"):
        text = article(site, prefix + path)
        assert ("Note 3" in text and "3.10.5" in text) if prefix else ("注 3" in text and "3.10.5" in text), path


@pytest.mark.dot
@pytest.mark.parametrize("prefix", ["", "en/"])
def test_connection_refused_gives_both_reset_forms(site: Path, prefix: str) -> None:
    text = article(site, prefix + "scenarios/connection_refused")
    assert "<SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>" in text and "<SEQ=SEG.ACK><CTL=RST>" in text
    assert "any segment that is not a RST with RST,ACK" not in text


@pytest.mark.dot
@pytest.mark.parametrize("prefix", ["", "en/"])
def test_state_page_names_table_has_both_netstats(site: Path, prefix: str) -> None:
    text = article(site, prefix + "states/syn_rcvd")
    assert "Stevens / BSD netstat" in text and "SYN_RECV" in text and "SYN_RCVD" in text
    assert "Linux netstat (net-tools)" in text


@pytest.mark.dot
def test_legend_and_tables_use_one_term_and_the_zh_footer_is_chinese(site: Path) -> None:
    overview = page_text(site, "overview")
    assert "常规路径" not in overview and "通常路径" in overview
    assert "常规路径" not in page_text(site, "transitions")
    for path in ("", "overview", "states/closing", "practice/time-wait"):
        html = (site / path / "index.html").read_text(encoding="utf-8")
        footer = html[html.index('class="md-copyright"'):]
        assert "Made with" not in footer and "由 tcpdiagram 从一份规格生成" in footer, path
    en = (site / "en" / "overview" / "index.html").read_text(encoding="utf-8")
    assert "Generated by tcpdiagram from one spec" in en[en.index('class="md-copyright"'):]
