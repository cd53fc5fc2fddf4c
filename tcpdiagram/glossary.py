"""The glossary: each networking term chosen once in Chinese and English, with the variants we do not write."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from .model import Text


@dataclass(frozen=True)
class Term:
    """One term: the words we write, the other names readers search for, and the variants we never write."""

    zh: str
    en: str
    also: tuple[str, ...] = ()  # other names in use that a page may mention so a search finds it
    avoid: tuple[str, ...] = ()  # rejected variants (calques, ambiguous or non-standard words)
    note: Text | None = None


# State names live in the spec (states[].label), one per state; tests check that none is a scenario's title.
TERMS: Mapping[str, Term] = {
    "handshake": Term("三次握手", "three-way handshake", also=("三报文握手",), note=Text(
        "《计算机网络》等教材也称“三报文握手”：建立连接交换三个报文。",
        "Some Chinese textbooks say 三报文握手 (\"three-segment handshake\"): three segments set the connection up.")),
    "four_way_close": Term("四次挥手", "four-way close", also=("四报文挥手", "four-way handshake"), note=Text(
        "也称“四报文挥手”：正常关闭时双方各发一个 FIN、各回一个 ACK；FIN 与 ACK 合并时只有三个报文。",
        "Also 四报文挥手 in Chinese: in a normal close each side sends a FIN and acknowledges the other's; "
        "when an ACK rides on a FIN there are only three segments.")),
    "usual_path": Term("通常路径", "usual path", avoid=("常规路径",), note=Text(
        "Stevens 图中粗线画出的客户端与服务器的典型走法。",
        "The typical way through the diagram of a client and of a server, drawn bold as Stevens does.")),
    "active_close": Term("主动关闭", "active close"),
    "passive_close": Term("被动关闭", "passive close"),
    "half_close": Term("半关闭", "half-close"),
    "simultaneous_open": Term("同时打开", "simultaneous open"),
    "simultaneous_close": Term("同时关闭", "simultaneous close", note=Text(
        "场景的名字，不是状态名：经过的状态叫 CLOSING（正在关闭）。",
        "The name of a scenario, not of a state: the state it passes through is CLOSING.")),
    "eof": Term("读到 EOF", "reads end-of-file", avoid=("读到文件结束", "文件结束"), note=Text(
        "对方的 FIN 到达后，read()/recv() 返回 0。",
        "After the peer's FIN, read() or recv() returns 0.")),
    "orphan": Term("孤儿连接", "orphaned connection", note=Text(
        "应用已调用 close()、不再有文件描述符、由内核独自完成关闭的连接。",
        "A connection whose application has called close(): no file descriptor is left and the kernel finishes "
        "the close on its own.")),
    "timewait_sock": Term("timewait 套接字", "timewait socket", avoid=("迷你套接字", "迷你 socket"), note=Text(
        "Linux 用一个只保存必要字段的轻量结构 inet_timewait_sock 承载 TIME_WAIT，原来的套接字已释放。",
        "Linux keeps TIME_WAIT in a small structure, inet_timewait_sock, that holds only what TIME_WAIT needs; "
        "the full socket is freed.")),
    "request_sock": Term("请求套接字", "request socket", note=Text(
        "Linux 监听端为半开连接保存的轻量结构（TCP_NEW_SYN_RECV）。",
        "The small structure a Linux listener keeps for a half-open connection (TCP_NEW_SYN_RECV).")),
    "delayed_ack": Term("延迟确认", "delayed ACK"),
    "msl": Term("最长报文段寿命（MSL）", "maximum segment lifetime (MSL)"),
    "tcb": Term("传输控制块（TCB）", "transmission control block (TCB)"),
    "reset": Term("复位报文（RST）", "reset (RST)"),
    "abort": Term("中止", "abort"),
    "segment": Term("报文", "segment", note=Text(
        "本站用“报文”指 TCP 报文段；MSL 按教材惯例称“最长报文段寿命”。",
        "This site writes 报文 for a TCP segment; MSL keeps the textbook name 最长报文段寿命.")),
    "socket": Term("套接字", "socket"),
}
