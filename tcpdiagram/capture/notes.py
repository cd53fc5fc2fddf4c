"""What `trace` says about a connection that the spec does not explain or that it had to assume, in both languages.

A note is kept as (kind, fields) and written when shown, so one reading serves the zh and en charts and tables;
JSON carries the English text."""

from __future__ import annotations

from ..model import Lang, Spec

Note = tuple[str, tuple[tuple[str, str], ...]]

TEXT: dict[str, dict[Lang, str]] = {
    "syn_missing": {"en": "the SYN was not captured: {client} starts in {sent}, {server} in {rcvd}",
                    "zh": "没有抓到 SYN：{client} 从 {sent} 开始，{server} 从 {rcvd} 开始"},
    "midstream": {"en": "the capture starts in the middle of the connection: both endpoints start {state}",
                  "zh": "抓包从连接中途开始：两端都从 {state} 开始"},
    "silent": {"en": "{who} sent nothing that was captured: the segments to it are taken as delivered",
               "zh": "没有抓到 {who} 发出的任何报文：发给它的报文按已送达处理"},
    "assumed_delivered": {"en": "frame {frame} ({flags}) is taken to have reached {who}: nothing it sent later shows it",
                          "zh": "第 {frame} 帧（{flags}）被认为已到达 {who}：它之后发出的报文无法证明这一点"},
    "missing_send": {"en": "{who} did not send the {flags} the spec expects after its last transition (not captured)",
                     "zh": "按规格，{who} 在最后一次转换之后应发出 {flags}，但抓包中没有"},
    "no_send": {"en": "frame {frame}: {who} in {state} sent {flags}; no transition of the spec sends it from {state}",
                "zh": "第 {frame} 帧：处于 {state} 的 {who} 发出了 {flags}；规格中没有从 {state} 发出它的转换"},
    "rst_refused": {"en": "frame {frame}: the RST does not acknowledge {who}'s SYN, so it is not acceptable "
                          "(RFC 9293 §3.10.7.3) and is ignored",
                    "zh": "第 {frame} 帧：这个 RST 没有确认 {who} 的 SYN，因此不可接受（RFC 9293 第 3.10.7.3 节），被忽略"},
    "no_event": {"en": "frame {frame}: no segment event of the spec matches what it brings {who} ({what})",
                 "zh": "第 {frame} 帧：规格中没有与它带给 {who} 的内容（{what}）相符的报文事件"},
    "no_transition": {"en": "frame {frame}: {who} in {state} receives {event_en} (event {event}); the spec has no "
                            "transition for it",
                      "zh": "第 {frame} 帧：处于 {state} 的 {who} 收到{event_zh}（事件 {event}）；规格中没有对应的转换"},
    "assumed_start": {"en": "{who} is taken to have been in {state} ({why_en})",
                      "zh": "{who} 被认为原先处于 {state}（{why_zh}）"},
    "reordered": {"en": "frame {synack} (SYN,ACK) was captured before frame {syn}, the SYN it answers: read in the "
                        "order they must have been sent",
                  "zh": "第 {synack} 帧（SYN,ACK）比它回答的第 {syn} 帧 SYN 先被抓到：按它们必然的发送顺序读取"},
    "late": {"en": "{count} segments came after the connection had ended: counted, not read",
             "zh": "连接结束之后还有 {count} 个报文：只计数，不再解读"},
}
WHY: dict[str, dict[Lang, str]] = {
    "no_reply": {"en": "it did not reply", "zh": "它没有回应"},
    "reply_mismatch": {"en": "its reply is not what a transition from there sends", "zh": "它的回应不是任何一个转换会发出的"},
}


def note(kind: str, **fields: object) -> Note:
    return kind, tuple((k, str(v)) for k, v in fields.items())


def text(n: Note, lang: Lang) -> str:
    kind, fields = n
    values = dict(fields)
    if "why" in values:
        values["why_en"], values["why_zh"] = WHY[values["why"]]["en"], WHY[values["why"]]["zh"]
    return TEXT[kind][lang].format(**values)


def event_fields(spec: Spec, event: str) -> dict[str, str]:
    label = spec.event(event).label
    return {"event": event, "event_en": label.en, "event_zh": label.zh}
