"""The one catalogue of the words tcpdiagram itself writes (site, diagrams, charts, step tables), in zh and en."""

from __future__ import annotations

from typing import Mapping

from .model import LANGS, Lang, Text

# Every entry is key → Text(zh, en); a key with a dot belongs to a section (`group.closed`), read whole with
# `section("group")`. Terms are chosen once, in glossary.py; tests/test_words.py checks that no entry uses a
# rejected variant, that both languages are filled, and that both carry the same {placeholders}.
CATALOGUE: Mapping[str, Text] = {
    # ---- site pages: headings, column names, intros (templates call h.t(key)) ----
    "overview": Text("总览", "Overview"),
    "states": Text("状态", "States"),
    "scenarios": Text("场景", "Scenarios"),
    "transitions": Text("全部转换", "All transitions"),
    "glossary": Text("事件与动作", "Events and actions"),
    "downloads": Text("下载与嵌入", "Downloads"),
    "sources": Text("资料来源", "Sources"),
    "state": Text("状态", "State"),
    "label": Text("中文名", "Name"),
    "summary": Text("含义", "Meaning"),
    "group": Text("阶段", "Phase"),
    "from": Text("从", "From"),
    "to": Text("到", "To"),
    "event": Text("事件", "Event"),
    "actions": Text("动作", "Actions"),
    "condition": Text("条件", "Condition"),
    "layer": Text("来源层", "Layer"),
    "cite": Text("出处", "Source"),
    "path": Text("通常路径", "Usual path"),
    "none": Text("无", "none"),
    "meaning": Text("这个状态表示什么", "What this state means"),
    "names": Text("不同资料中的名称", "Names in different sources"),
    "linux_differs": Text("Linux 有何不同", "What Linux does differently"),
    "in": Text("进入此状态的转换", "Transitions into this state"),
    "out": Text("离开此状态的转换", "Transitions out of this state"),
    "no_in": Text("没有转换进入这个状态。", "No transition leads into this state."),
    "no_out": Text("没有转换离开这个状态。", "No transition leaves this state."),
    "through": Text("经过此状态的场景", "Scenarios that pass through this state"),
    "why_state": Text("为什么需要这个状态", "Why this state exists"),
    "no_through": Text("没有场景经过这个状态。", "No scenario passes through this state."),
    "focus": Text("局部状态图", "Focus diagram"),
    "full_diagram": Text("完整状态图", "The whole state diagram"),
    "state_table": Text("状态一览", "The states"),
    "legend": Text("图例", "Legend"),
    "chart": Text("时序图", "Sequence chart"),
    "steps": Text("逐步过程", "Step by step"),
    "explanation": Text("发生了什么", "What happens"),
    "path_diagram": Text("状态图中走过的路径", "The path through the state diagram"),
    "expected": Text("各端经历的状态", "States each side goes through"),
    "time": Text("时间 (ms)", "Time (ms)"),
    "peer": Text("端", "Side"),
    "what": Text("发生的事", "What happens"),
    "state_after": Text("之后的状态", "State after"),
    "files": Text("文件", "Files"),
    "kind": Text("类别", "Kind"),
    "description": Text("说明", "Description"),
    "rfc_wording": Text("RFC 写法", "RFC wording"),
    "call": Text("套接字调用", "Socket call"),
    "events": Text("事件", "Events"),
    "actions_heading": Text("动作", "Actions"),
    "conditions": Text("条件", "Conditions"),
    "references": Text("参考资料", "References"),
    "light": Text("浅色", "light"),
    "dark": Text("深色", "dark"),
    "client": Text("客户端", "client"),
    "server": Text("服务器", "server"),
    "peer_role": Text("对等端", "peer"),
    "download": Text("下载", "Download"),
    "sends": Text("发出", "sends"),
    "receives": Text("收到", "receives"),
    "enters": Text("进入", "enters"),
    "overview_intro": Text("图中每个方框是一个状态，上一行是 Stevens 与 BSD netstat 使用的名字，下一行是中文名；每条箭头是一次转换，标注为“事件 / 动作”。底部的 CLOSED 与顶部的 CLOSED 是同一个状态，画两次只是为了让关闭过程自上而下地读。", 'Each box is a state: the Stevens / BSD netstat name on the first line and the plain-language name below it. Each arrow is a transition, labelled "event / action". The CLOSED at the bottom is the same state as the one at the top; it is drawn twice so that closing reads from top to bottom.'),
    "legend_line": Text("画法", "Drawn as"),
    "legend_meaning": Text("含义", "Meaning"),
    "legend_client_line": Text("粗实线箭头", "bold solid arrow"),
    "legend_client": Text("客户端的通常路径：主动打开，然后主动关闭", "the usual client path: active open, then active close"),
    "legend_server_line": Text("粗虚线箭头", "bold dashed arrow"),
    "legend_server": Text("服务器的通常路径：被动打开，然后被动关闭", "the usual server path: passive open, then passive close"),
    "legend_other_line": Text("细实线箭头", "thin solid arrow"),
    "legend_other": Text("图 5 中的其他转换，例如同时打开、同时关闭", "the other transitions of Figure 5, such as simultaneous open and close"),
    "legend_box_line": Text("虚线框", "dashed box"),
    "legend_box": Text("主动关闭与被动关闭两组状态", "the active-close and the passive-close groups of states"),
    "legend_mark_line": Text("[1]、[2] 等标记", "marks [1], [2], …"),
    "legend_mark": Text("这条转换只在图中图例所列的条件下发生", "the transition happens only under the condition listed in the diagram's legend"),
    "legend_more": Text("更详细的读图说明见", "More on reading the diagrams:"),
    "reading": Text("阅读指南", "How to read the diagrams"),
    "states_intro": Text("TCP 连接在任一时刻都处于下面 11 个状态之一。按连接的阶段分组；点击状态名查看它的含义、进出的转换和经过它的场景。", "At any moment a TCP connection is in one of these 11 states. They are grouped by the phase of the connection; follow a name for its meaning, its transitions and the scenarios that pass through it."),
    "scenarios_intro": Text("每个场景让两个端点只按规格中的转换运行，报文在网络中有单向时延。时序图、逐步过程和状态图中的路径都由这次模拟生成。", "Each scenario runs two endpoints on nothing but the spec's transitions, over a network with a one-way delay. The sequence chart, the step table and the path through the state diagram all come from that simulation."),
    "scenario": Text("场景", "Scenario"),
    "segment": Text("报文", "Segment"),
    "glossary_intro": Text("状态图中箭头上的文字由事件和动作组成：事件是引起转换的原因，动作是转换时所做的事。", "The text on an arrow of the state diagram is an event and the actions taken: the event causes the transition, the actions are what the endpoint does on the way."),
    "downloads_intro": Text("本站的每张图都可以下载，放进课件、讲义或网页。构建结果中的 `build/diagrams/zh/` 与 `build/diagrams/en/` 也包含同样的文件。", "Every picture on this site can be downloaded for slides, handouts or web pages. The build also leaves the same files in `build/diagrams/en/` and `build/diagrams/zh/`."),
    "downloads_formats": Text("SVG 适合网页，缩放不失真；PNG 是两倍分辨率的透明位图，适合旧版 PowerPoint；PDF 适合 LaTeX 的 \\includegraphics。文件名带 -dark 的是深色版本，线条为浅色，适合深色背景。", "SVG suits web pages and scales without loss; PNG is a transparent bitmap at twice the size, for older PowerPoint; PDF is for LaTeX's \\includegraphics. Files named -dark have light ink for dark backgrounds."),
    "path_diagrams": Text("场景在状态图中的路径", "Scenario paths through the state diagram"),
    "charts": Text("场景时序图", "Scenario sequence charts"),
    "layer_figure": Text("RFC 9293 图 5 中画出的 20 条转换。教材里常见的那张图是它的前身 RFC 793 图 6，两者的差别见资料来源页。", "The 20 transitions drawn in RFC 9293 Figure 5. The diagram textbooks reprint is its predecessor, Figure 6 of RFC 793; the sources page lists how the two differ."),
    "layer_note": Text("图 5 下方注释补充的转换。", "Transitions added by the notes under Figure 5."),
    "layer_event_processing": Text("RFC 9293 正文中有、图 5 没有画出的转换：第 3.10 节事件处理中的中止、复位和超时，以及第 3.6.1 节带着未读数据关闭时发出的 RST。为了让状态图保持清晰，默认不画出。", "Transitions that the text of RFC 9293 gives and Figure 5 does not draw: the aborts, resets and timeouts of the event processing in section 3.10, and the RST of a close with unread data in section 3.6.1. The diagrams leave them out by default to stay readable."),
    "layer_linux": Text("只有 Linux 才有的行为。", "Behaviour only Linux has."),
    "all_layers_note": Text("下表列出规格中的每一条转换，包括状态图默认不画出的事件处理层与 Linux 层。", "This table lists every transition of the spec, including the event-processing and Linux layers the diagrams leave out by default."),
    "linux_run": Text("在 Linux 上重现", "Reproduced on Linux"),
    "linux_summary": Text("在 Linux {version} 上重现：{runs} 次运行，{passed} 次与规格一致。", "Reproduced on Linux {version}: {passed} of {runs} runs agreed."),
    "linux_see_below": Text("Linux 上实际观测到的时序图见[下文](#{anchor})。", "The chart observed on Linux is [further down](#{anchor})."),
    "linux_intro": Text("下图是内核实际的行为。它的报文和状态与上面按规格模拟的时序图相同，只差图后列出的 Linux 差异；时间间隔取自实测。", "The chart below is what the kernel did. Its segments and states are those of the spec's chart above, except for the Linux differences listed after it; the spacing in time is as measured."),
    "linux_intro_same": Text("下图是内核实际的行为。它的报文和状态与上面按规格模拟的时序图完全相同；时间间隔取自实测。", "The chart below is what the kernel did. Its segments and states are exactly those of the spec's chart above; the spacing in time is as measured."),
    "linux_rules_applied": Text("用到的 Linux 差异", "Documented Linux differences that applied"),
    "linux_rules_intro": Text("规格记录了 Linux 与 RFC 9293 的这些差异；`tcpdiagram verify` 先把它们用到模拟结果上，再与内核的行为比较：", "The spec documents these differences between Linux and RFC 9293; `tcpdiagram verify` applies them to the simulation before comparing it with the kernel:"),
    "linux_no_rules": Text("这个场景不需要任何差异规则：Linux 发出的报文和经历的状态与规格的预测完全一致。", "No documented difference was needed: the segments Linux sent and the states it went through are exactly what the spec predicts."),
    "linux_measured": Text("测量结果", "What was measured"),
    "linux_sent": Text("发出 (ms)", "Sent (ms)"),
    "linux_received": Text("到达 (ms)", "Arrived (ms)"),
    "linux_timing_note": Text("时间从场景开始算起，单位为毫秒；给出 {runs} 次运行中的最早与最晚值。", "Milliseconds from the start of the scenario: the earliest and the latest of the {runs} runs."),
    "linux_delayed_ack": Text("{peer} 的 {flags} 在 {other} 的 {answered} 到达后 {gap} 毫秒才发出：Linux 推迟了这个确认。", "{peer}'s {flags} left {gap} ms after {other}'s {answered} arrived: Linux held the acknowledgement back."),
    "linux_time_wait_timer": Text("{peer} 进入 TIME\\_WAIT 时，内核报告它的计时器为 {timer}（第 1 次运行）。", "When {peer} entered TIME\\_WAIT the kernel reported its timer as {timer} (run 1)."),
    "linux_resend_gap": Text("{peer} 在上一份发出后 {gap} 毫秒重传了 {flags}（测得的重传超时，{runs} 次运行）。", "{peer} resent its {flags} {gap} ms after the previous copy (the measured retransmission timeout, over {runs} runs)."),
    "linux_kernel_rto": Text("内核当时报告的 RTO（tcpi\\_rto）为 {rto} 毫秒。", " The kernel reported an RTO (tcpi\\_rto) of {rto} ms at the time."),
    "linux_time_wait_restart": Text("{peer} 在 TIME\\_WAIT 中收到重传的 FIN 后，内核把计时器重新设为 60 秒（第 1 次运行）。", "When the retransmitted FIN reached {peer} in TIME\\_WAIT, the kernel set its timer back to 60 s (run 1)."),
    "observed_chart": Text("Linux 上观测到的时序图", "Sequence chart observed on Linux"),
    "observed_charts": Text("Linux 上观测到的时序图", "Sequence charts observed on Linux"),
    "names_all": Text("各资料中的状态名", "State names in each source"),
    "names_all_intro": Text(
        "同一个状态在 RFC、Stevens 的书和 BSD netstat、Linux 的 net-tools netstat、内核源码和 ss 中写法各不相同。"
        "在真实机器上查看状态的方法见[在真实机器上查看 TCP 状态](../practice/ss.md)。",
        "One state is spelled differently by the RFC, by Stevens and BSD netstat, by Linux net-tools netstat, by the "
        "kernel source and by ss. How to see the states on a real machine: [Seeing TCP states on a real machine]"
        "(../practice/ss.md).",
    ),
    "terms": Text("术语对照", "Terms"),
    "terms_intro": Text(
        "本站每个术语只用一种写法；右列是读者也会搜索的其他叫法。状态的中文名见各状态页。",
        "Each term is written one way on this site; the third column gives other names readers search for. "
        "The states' names are on the state pages.",
    ),
    "terms_also": Text("也称", "Also called"),
    # ---- group.<id> ----
    "group.closed": Text("已关闭", "closed"),
    "group.opening": Text("建立连接", "opening"),
    "group.established": Text("数据传输", "data transfer"),
    "group.active_close": Text("主动关闭", "active close"),
    "group.passive_close": Text("被动关闭", "passive close"),
    # ---- layer.<id> ----
    "layer.figure": Text("RFC 9293 图 5", "RFC 9293 Figure 5"),
    "layer.note": Text("图 5 的注释", "notes of Figure 5"),
    "layer.event_processing": Text("RFC 9293 正文规则", "RFC 9293 rules in the text"),
    "layer.linux": Text("Linux 特有", "Linux only"),
    # ---- event_kind.<id> ----
    "event_kind.app": Text("应用调用", "application call"),
    "event_kind.segment": Text("收到报文", "segment arrives"),
    "event_kind.timer": Text("计时器到期", "timer expires"),
    # ---- action_kind.<id> ----
    "action_kind.send": Text("发送报文", "send a segment"),
    "action_kind.tcb": Text("传输控制块", "control block"),
    "action_kind.retransmit": Text("重传报文", "resend a segment"),
    "action_kind.timer": Text("计时器", "timer"),
    # ---- role.<id> ----
    "role.client": Text("客户端", "client"),
    "role.server": Text("服务器", "server"),
    "role.peer": Text("对等端", "peer"),
    # ---- scenario_kind.<id> ----
    "scenario_kind.open": Text("建立连接", "opening"),
    "scenario_kind.close": Text("关闭连接", "closing"),
    "scenario_kind.abort": Text("中止连接", "abort"),
    # ---- state diagrams (render/state_dot.py): legend, cluster labels, titles ----
    "diagram.client": Text("客户端的通常路径", "usual client path"),
    "diagram.server": Text("服务器的通常路径", "usual server path"),
    "diagram.other": Text("其他转换", "other transition"),
    "diagram.legend": Text("图例", "Legend"),
    "diagram.both": Text("双方都经过", "taken by both"),
    "diagram.faded": Text("未经过", "not taken"),
    "diagram.focus": Text("状态 {name}：进入与离开的所有转换", "State {name}: every transition in and out"),
    "diagram.action_sep": Text("、", ", "),  # between the actions of one transition, in diagrams and tables
    "diagram.full_desc": Text("{n} 个状态、{m} 个转换。粗实线是客户端的通常路径，虚线是服务器的通常路径。", "{n} states and {m} transitions. Bold solid arrows: the usual client path; dashed: the usual server path."),
    # ---- sequence charts (render/sequence.py, sequence_place.py) ----
    "chart.call": Text("应用调用 {}", "{}"),
    "chart.later": Text("{}后", "{} later"),
    "chart.ms": Text("{} 毫秒", "{} ms"),
    "chart.s": Text("{} 秒", "{} s"),
    "chart.segments": Text("报文：", "Segments: "),
    "chart.sep": Text("；", "; "),
    "chart.sent": Text("{src} → {dst}：{label}，{sent} ms 发出，{received} ms 到达", "{src} → {dst}: {label}, sent at {sent} ms, received at {received} ms"),
    "chart.lost": Text("{src} → {dst}：{label}，{sent} ms 发出，在网络中丢失", "{src} → {dst}: {label}, sent at {sent} ms, lost in the network"),
    "chart.error": Text("应用得到 {}", "app gets {}"),
    "chart.bytes": Text("，{} 字节", ", {} bytes"),
    # ---- step tables (trace.py) ----
    "steps.time": Text("时间 (ms)", "t (ms)"),
    "steps.segment": Text("报文", "segment"),
    "peer_title.client": Text("客户端", "Client"),
    "peer_title.server": Text("服务器", "Server"),
    "steps.retransmitted": Text("（重传）", " (retransmitted)"),  # after a segment's flags
    "steps.lost": Text("丢失", "lost"),
    "steps.restarted": Text("{} 重新计时", "{} restarted"),  # a timer that started again
    "steps.interrupted": Text("{}（被打断）", "{} (interrupted)"),
    "steps.afresh": Text("（重新计时）", " (restarted)"),
    # ---- charts of a recorded Linux run (verify/observed.py) ----
    "observed.title": Text("在 Linux {v} 上观测到的{title}", "{title}, as observed on Linux {v}"),
    "observed.caption": Text("{runs} 次运行全部与规格一致（Linux {release}）；报文与状态取自第 1 次运行，序号为相对值。", "All {runs} runs agreed with the spec (Linux {release}); segments and states are those of run 1, with relative sequence numbers."),
    # ---- `tcpdiagram trace`: listing, tables, chart captions (capture/report.py, capture/chart.py) ----
    "trace.head": Text("编号|端点 A|端点 B|报文数|时长|conn_state|A 的最终状态|B 的最终状态", "id|endpoint A|endpoint B|packets|duration|conn_state|A's final state|B's final state"),
    "trace.seconds": Text("{:.3f} 秒", "{:.3f} s"),
    "trace.title": Text("{file}：连接 {id}", "{file}: connection {id}"),
    "trace.caption": Text(
        "抓包中的真实报文（时间相对第一个报文，序号为相对值）；状态由规格的转换推断。Zeek conn_state {state}，history {history}。",
        "Real segments from a capture (times from its first segment, relative sequence numbers); states "
        "inferred through the spec's transitions. Zeek conn_state {state}, history {history}.",
    ),
    "trace.seg_head": Text("帧|时间 (秒)|方向|报文|标记", "frame|time (s)|direction|segment|marks"),
    "trace.notes": Text("说明：", "Notes:"),
    "trace.states": Text("{addr} 的状态：{states}", "{addr} states: {states}"),
    # ---- trace_note.<kind>: what `trace` says about a connection (capture/notes.py); {why} is a trace_why.<id> ----
    "trace_note.syn_missing": Text("没有抓到 SYN：{client} 从 {sent} 开始，{server} 从 {rcvd} 开始", "the SYN was not captured: {client} starts in {sent}, {server} in {rcvd}"),
    "trace_note.midstream": Text("抓包从连接中途开始：两端都从 {state} 开始", "the capture starts in the middle of the connection: both endpoints start {state}"),
    "trace_note.silent": Text("没有抓到 {who} 发出的任何报文：发给它的报文按已送达处理", "{who} sent nothing that was captured: the segments to it are taken as delivered"),
    "trace_note.assumed_delivered": Text("第 {frame} 帧（{flags}）被认为已到达 {who}：它之后发出的报文无法证明这一点", "frame {frame} ({flags}) is taken to have reached {who}: nothing it sent later shows it"),
    "trace_note.missing_send": Text("按规格，{who} 在最后一次转换之后应发出 {flags}，但抓包中没有", "{who} did not send the {flags} the spec expects after its last transition (not captured)"),
    "trace_note.no_send": Text("第 {frame} 帧：处于 {state} 的 {who} 发出了 {flags}；规格中没有从 {state} 发出它的转换", "frame {frame}: {who} in {state} sent {flags}; no transition of the spec sends it from {state}"),
    "trace_note.rst_refused": Text(
        "第 {frame} 帧：这个 RST 没有确认 {who} 的 SYN，因此不可接受（RFC 9293 第 3.10.7.3 节），被忽略",
        "frame {frame}: the RST does not acknowledge {who}'s SYN, so it is not acceptable (RFC 9293 §3.10.7.3) and is ignored",
    ),
    "trace_note.no_event": Text("第 {frame} 帧：规格中没有与它带给 {who} 的内容（{what}）相符的报文事件", "frame {frame}: no segment event of the spec matches what it brings {who} ({what})"),
    "trace_note.no_transition": Text(
        "第 {frame} 帧：处于 {state} 的 {who} 收到{event_label}（事件 {event}）；规格中没有对应的转换",
        "frame {frame}: {who} in {state} receives {event_label} (event {event}); the spec has no transition for it",
    ),
    "trace_note.assumed_start": Text("{who} 被认为原先处于 {state}（{why}）", "{who} is taken to have been in {state} ({why})"),
    "trace_note.reordered": Text(
        "第 {synack} 帧（SYN,ACK）比它回答的第 {syn} 帧 SYN 先被抓到：按它们必然的发送顺序读取",
        "frame {synack} (SYN,ACK) was captured before frame {syn}, the SYN it answers: read in the order they must have been sent",
    ),
    "trace_note.late": Text("连接结束之后还有 {count} 个报文：只计数，不再解读", "{count} segments came after the connection had ended: counted, not read"),
    "trace_why.no_reply": Text("它没有回应", "it did not reply"),
    "trace_why.reply_mismatch": Text("它的回应不是任何一个转换会发出的", "its reply is not what a transition from there sends"),
    # ---- captures.<key>: the "Real captures" page (capture/site.py) ----
    "captures.title": Text("真实抓包", "Real captures"),
    "captures.intro": Text(
        "这里的时序图来自真实的抓包文件，不是模拟：tcpdiagram trace 读出每个报文，再只用规格中的转换推断两端的状态"
        "（发出的报文是发送方的动作，收到的报文是接收方的事件）。每张图旁边是它最像的模拟场景。箭头画在抓包时刻；"
        "抓包点只看见每个报文一次。",
        "The charts here come from real capture files, not from the simulator: tcpdiagram trace reads every "
        "segment and infers both endpoints' states with nothing but the spec's transitions (a segment sent is its "
        "sender's action, a segment received its receiver's event). Beside each is the simulated scenario it "
        "resembles. Arrows are drawn at capture time: the capture point sees each segment once.",
    ),
    "captures.try": Text("用你自己的抓包试试：", "Try it on a capture of your own:"),
    "captures.source": Text("来源", "Source"),
    "captures.licence": Text("许可证", "Licence"),
    "captures.traced": Text("抓包，经规格推断", "The capture, read through the spec"),
    "captures.simulated": Text("最像的模拟场景", "The simulated scenario it resembles"),
    "captures.endpoint": Text("端点", "Endpoint"),
    "captures.role": Text("角色", "Role"),
    "captures.states": Text("推断出的状态", "Inferred states"),
    # ---- capture_source.<key> / capture_shows.<key>: where each of the page's captures comes from, what it shows ----
    "capture_source.dns_tcp": Text("tcpdump 的测试集", "tcpdump's test suite"),
    "capture_shows.dns_tcp": Text(
        "一次 TCP 上的 DNS 查询：三次握手、一问一答，客户端先关闭，四个报文完成关闭。",
        "A DNS query over TCP: handshake, one question and answer, the client closes first, a 4-segment close.",
    ),
    "capture_source.handshake_reorder": Text("Zeek 的测试集", "Zeek's test suite"),
    "capture_shows.handshake_reorder": Text(
        "SYN,ACK 比它回答的 SYN 先被抓到（抓包顺序不等于线路上的顺序）；服务器的 FIN 同时确认了客户端的 FIN，"
        "客户端从 FIN_WAIT_1 直接进入 TIME_WAIT（RFC 9293 图 5 注 2）。",
        "The SYN,ACK is captured before the SYN it answers (capture order is not wire order); the server's FIN "
        "also acknowledges the client's, so the client goes from FIN_WAIT_1 straight to TIME_WAIT (RFC 9293 "
        "Figure 5, Note 2).",
    ),
    "capture_source.verify_simultaneous_close": Text(
        "本项目的 tcpdiagram verify 在 Linux 6.18 上的一次运行（A 一侧的抓包）",
        "a run of this project's tcpdiagram verify on Linux 6.18 (captured on A's side)",
    ),
    "capture_shows.verify_simultaneous_close": Text(
        "两端同时关闭：各自的 FIN 都不确认对方的 FIN，说明它们在途中交错，两端都经过 CLOSING。",
        "Both ends close at once: neither FIN acknowledges the other, so they crossed in flight and both "
        "ends pass CLOSING.",
    ),
    # ---- site_ui.<key>: the site's interactive parts (zoom, scenario player, 404, downloads grid) ----
    "site_ui.zoom_in": Text("放大", "Zoom in"),
    "site_ui.zoom_out": Text("缩小", "Zoom out"),
    "site_ui.zoom_reset": Text("还原", "Reset"),
    "site_ui.zoom_full": Text("全屏查看", "Full screen"),
    "site_ui.zoom_close": Text("关闭全屏", "Close full screen"),
    "site_ui.zoom_hint": Text("拖动平移，双指或 Ctrl+滚轮缩放", "Drag to pan; pinch or Ctrl+wheel to zoom"),
    "site_ui.player": Text("逐步播放", "Step through"),
    "site_ui.player_prev": Text("上一步", "Previous"),
    "site_ui.player_next": Text("下一步", "Next"),
    "site_ui.player_reset": Text("从头开始", "Start over"),
    "site_ui.player_all": Text("显示全部", "Show all"),
    "site_ui.player_start": Text("开始：A 处于 {a}，B 处于 {b}。按“下一步”或方向键 → 逐步查看。", "Start: A is in {a}, B is in {b}. Press Next or the → key to step."),
    "site_ui.player_step": Text("第 {n}/{total} 步，t = {time} ms：A 处于 {a}，B 处于 {b}", "Step {n} of {total}, t = {time} ms: A is in {a}, B is in {b}"),
    "site_ui.not_found_title": Text("页面不存在", "Page not found"),
    "site_ui.not_found_text": Text("这个地址没有页面。它可能被移动了，或者链接有误。", "There is no page at this address. It may have moved, or the link is wrong."),
    "site_ui.not_found_home": Text("回到首页", "Back to the home page"),
    "site_ui.light": Text("浅色", "light"),
    "site_ui.dark": Text("深色", "dark"),
    "site_ui.files": Text("文件", "Files"),
    "site_ui.snippets": Text("嵌入代码", "Embedding code"),
    # ---- download.<kind>: titles of the downloadable diagrams (site/catalog.py) ----
    "download.state": Text("{id}（{label}）", "{id} ({label})"),
    "download.path": Text("{title}：状态图中的路径", "{title}: path through the state diagram"),
    "download.chart": Text("{title}：时序图", "{title}: sequence chart"),
    "download.observed": Text("{title}：在 Linux {v} 上观测到的时序图", "{title}: sequence chart observed on Linux {v}"),
    "download.capture": Text("{file}：抓包的时序图", "{file}: sequence chart of a capture"),
    # ---- cite.<kind>: citation link texts (site/cite.py) ----
    "cite.figure": Text("图 {n}", "Figure {n}"),
    "cite.note": Text("图 {fig} 注 {n}", "Figure {fig}, Note {n}"),
    # ---- the page footer (MkDocs' copyright line; Material's own "Made with" is switched off) ----
    "footer": Text(
        '由 tcpdiagram 从一份规格生成，使用 <a href="https://squidfunk.github.io/mkdocs-material/">Material for MkDocs</a> 构建',
        'Generated by tcpdiagram from one spec; made with <a href="https://squidfunk.github.io/mkdocs-material/">Material for MkDocs</a>',
    ),
}


def t(lang: Lang, key: str) -> str:
    """One entry in one language; a missing key is a bug, so it raises KeyError."""
    return CATALOGUE[key].get(lang)


def text(key: str) -> Text:
    """One entry in both languages."""
    return CATALOGUE[key]


def section(name: str) -> dict[Lang, dict[str, str]]:
    """Every `name.<key>` entry, per language: {"zh": {key: …}, "en": {key: …}}."""
    prefix = name + "."
    return {lang: {k[len(prefix):]: v.get(lang) for k, v in CATALOGUE.items() if k.startswith(prefix)} for lang in LANGS}


def texts(name: str) -> dict[str, Text]:
    """Every `name.<key>` entry in both languages: {key: Text(zh, en)}."""
    prefix = name + "."
    return {k[len(prefix):]: v for k, v in CATALOGUE.items() if k.startswith(prefix)}
