"""Every human-readable string `tcpdiagram trace` writes (listing, tables, chart captions), in both languages."""

from __future__ import annotations

from ..model import Lang

UI: dict[Lang, dict[str, str]] = {
    "zh": {
        "head": "编号|端点 A|端点 B|报文数|时长|conn_state|A 的最终状态|B 的最终状态",
        "seconds": "{:.3f} 秒",
        "title": "{file}：连接 {id}",
        "caption": "抓包中的真实报文（时间相对第一个报文，序号为相对值）；状态由规格的转换推断。Zeek conn_state {state}，history {history}。",
        "seg_head": "帧|时间 (秒)|方向|报文|标记",
        "notes": "说明：",
        "states": "{addr} 的状态：{states}",
    },
    "en": {
        "head": "id|endpoint A|endpoint B|packets|duration|conn_state|A's final state|B's final state",
        "seconds": "{:.3f} s",
        "title": "{file}: connection {id}",
        "caption": "Real segments from a capture (times from its first segment, relative sequence numbers); states "
                   "inferred through the spec's transitions. Zeek conn_state {state}, history {history}.",
        "seg_head": "frame|time (s)|direction|segment|marks",
        "notes": "Notes:",
        "states": "{addr} states: {states}",
    },
}


def t(lang: Lang, key: str) -> str:
    return UI[lang][key]
