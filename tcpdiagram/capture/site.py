"""The site's "Real captures" page: which captures it traces, where each comes from, the scenario it resembles."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..model import Lang, Spec, Text, Theme

FOLDER = Path(__file__).resolve().parent.parent / "data" / "captures"


@dataclass(frozen=True)
class SiteCapture:
    key: str  # the diagram's view and file stem: capture-<key>
    file: str
    scenario: str  # the simulated scenario it resembles
    source: Text
    url: str
    licence: str
    shows: Text


CAPTURES: tuple[SiteCapture, ...] = (
    SiteCapture(
        "dns_tcp", "dns_tcp.pcap", "normal_close",
        Text("tcpdump 的测试集", "tcpdump's test suite"),
        "https://github.com/the-tcpdump-group/tcpdump/blob/master/tests/dns_tcp.pcap", "BSD-3-Clause",
        Text("一次 TCP 上的 DNS 查询：三次握手、一问一答，客户端先关闭，四个报文完成关闭。",
             "A DNS query over TCP: handshake, one question and answer, the client closes first, a 4-segment close.")),
    SiteCapture(
        "handshake_reorder", "handshake-reorder.pcap", "fin_ack_close",
        Text("Zeek 的测试集", "Zeek's test suite"),
        "https://github.com/zeek/zeek/blob/master/testing/btest/Traces/tcp/handshake-reorder.pcap", "BSD-3-Clause",
        Text("SYN,ACK 比它回答的 SYN 先被抓到（抓包顺序不等于线路上的顺序）；服务器的 FIN 同时确认了客户端的 FIN，"
             "客户端从 FIN_WAIT_1 直接进入 TIME_WAIT（RFC 9293 图 5 注 2）。",
             "The SYN,ACK is captured before the SYN it answers (capture order is not wire order); the server's FIN "
             "also acknowledges the client's, so the client goes from FIN_WAIT_1 straight to TIME_WAIT (RFC 9293 "
             "Figure 5, Note 2).")),
    SiteCapture(
        "verify_simultaneous_close", "verify-simultaneous_close.pcap", "simultaneous_close",
        Text("本项目的 tcpdiagram verify 在 Linux 6.18 上的一次运行（A 一侧的抓包）",
             "a run of this project's tcpdiagram verify on Linux 6.18 (captured on A's side)"),
        "", "MIT",
        Text("两端同时关闭：各自的 FIN 都不确认对方的 FIN，说明它们在途中交错，两端都经过 CLOSING。",
             "Both ends close at once: neither FIN acknowledges the other, so they crossed in flight and both "
             "ends pass CLOSING.")),
)


def site_capture(key: str) -> SiteCapture:
    return next(c for c in CAPTURES if c.key == key)


def capture_chart_svg(spec: Spec, key: str, lang: Lang, theme: Theme) -> str:
    """The traced chart of one of the page's captures (its only connection)."""
    from .chart import conn_svg
    from .read import read

    sc = site_capture(key)
    cap = read(FOLDER / sc.file, spec, lambda _i, _e: True)
    return conn_svg(spec, cap.connections[0], sc.file, lang, theme)


def capture_states(spec: Spec, key: str) -> list[tuple[str, str, list[str]]]:
    """(address, role, states) of each endpoint of the capture's connection, for the page's table."""
    from .read import read

    s = read(FOLDER / site_capture(key).file, spec).connections[0].summary()
    return [(e["addr"], e["role"], e["states"]) for e in s["endpoints"]]


PAGE: dict[str, Text] = {
    "title": Text("真实抓包", "Real captures"),
    "intro": Text(
        "这里的时序图来自真实的抓包文件，不是模拟：tcpdiagram trace 读出每个报文，再只用规格中的转换推断两端的状态"
        "（发出的报文是发送方的动作，收到的报文是接收方的事件）。每张图旁边是它最像的模拟场景。箭头画在抓包时刻；"
        "抓包点只看见每个报文一次。",
        "The charts here come from real capture files, not from the simulator: tcpdiagram trace reads every "
        "segment and infers both endpoints' states with nothing but the spec's transitions (a segment sent is its "
        "sender's action, a segment received its receiver's event). Beside each is the simulated scenario it "
        "resembles. Arrows are drawn at capture time: the capture point sees each segment once."),
    "try": Text("用你自己的抓包试试：", "Try it on a capture of your own:"),
    "source": Text("来源", "Source"),
    "licence": Text("许可证", "Licence"),
    "traced": Text("抓包，经规格推断", "The capture, read through the spec"),
    "simulated": Text("最像的模拟场景", "The simulated scenario it resembles"),
    "endpoint": Text("端点", "Endpoint"),
    "role": Text("角色", "Role"),
    "states": Text("推断出的状态", "Inferred states"),
}


def page_rows(spec: Spec, lang: Lang) -> list[dict[str, object]]:
    """What the captures page shows for each capture whose scenario the spec has."""
    rows: list[dict[str, object]] = []
    for c in CAPTURES:
        if not any(x.id == c.scenario for x in spec.scenarios):
            continue
        rows.append({"capture": c, "source": c.source.get(lang), "shows": c.shows.get(lang),
                     "endpoints": capture_states(spec, c.key)})
    return rows
