"""The site's words by section, read from the one catalogue (tcpdiagram/words.py)."""

from __future__ import annotations

from typing import Mapping

from ..model import Lang
from ..words import section, t

__all__ = ["ACTION_KINDS", "EVENT_KINDS", "GROUPS", "LAYERS", "ROLES", "SCENARIO_KINDS", "t"]

GROUPS: Mapping[Lang, Mapping[str, str]] = section("group")
LAYERS: Mapping[Lang, Mapping[str, str]] = section("layer")
EVENT_KINDS: Mapping[Lang, Mapping[str, str]] = section("event_kind")
ACTION_KINDS: Mapping[Lang, Mapping[str, str]] = section("action_kind")
ROLES: Mapping[Lang, Mapping[str, str]] = section("role")
SCENARIO_KINDS: Mapping[Lang, Mapping[str, str]] = section("scenario_kind")

# The site's interactive parts (zoom, scenario player, 404, downloads grid), read by site/site_plugin.py and the
# templates; the browser script gets them as data attributes, so it holds no words of its own.
SITE_UI: Mapping[Lang, Mapping[str, str]] = {
    "zh": {
        "zoom_in": "放大", "zoom_out": "缩小", "zoom_reset": "还原", "zoom_full": "全屏查看", "zoom_close": "关闭全屏",
        "zoom_hint": "拖动平移，双指或 Ctrl+滚轮缩放",
        "player": "逐步播放", "player_prev": "上一步", "player_next": "下一步", "player_reset": "从头开始",
        "player_all": "显示全部", "player_start": "开始：A 处于 {a}，B 处于 {b}。按“下一步”或方向键 → 逐步查看。",
        "player_step": "第 {n}/{total} 步，t = {time} ms：A 处于 {a}，B 处于 {b}",
        "not_found_title": "页面不存在",
        "not_found_text": "这个地址没有页面。它可能被移动了，或者链接有误。",
        "not_found_home": "回到首页",
        "light": "浅色", "dark": "深色", "files": "文件", "snippets": "嵌入代码",
    },
    "en": {
        "zoom_in": "Zoom in", "zoom_out": "Zoom out", "zoom_reset": "Reset", "zoom_full": "Full screen",
        "zoom_close": "Close full screen", "zoom_hint": "Drag to pan; pinch or Ctrl+wheel to zoom",
        "player": "Step through", "player_prev": "Previous", "player_next": "Next", "player_reset": "Start over",
        "player_all": "Show all", "player_start": "Start: A is in {a}, B is in {b}. Press Next or the → key to step.",
        "player_step": "Step {n} of {total}, t = {time} ms: A is in {a}, B is in {b}",
        "not_found_title": "Page not found",
        "not_found_text": "There is no page at this address. It may have moved, or the link is wrong.",
        "not_found_home": "Back to the home page",
        "light": "light", "dark": "dark", "files": "Files", "snippets": "Embedding code",
    },
}

# Other names readers search a scenario by (Chinese textbooks use both); scenario ids the spec lacks are ignored.
SEARCH_ALIASES: Mapping[str, tuple[str, ...]] = {
    "handshake": ("三次握手", "三路握手", "three-way handshake", "3-way handshake"),
    "normal_close": ("四次挥手", "四次握手", "四路挥手", "four-way handshake", "four-way close", "connection termination"),
    "simultaneous_close": ("同时关闭", "simultaneous close"),
    "simultaneous_open": ("同时打开", "simultaneous open"),
}
