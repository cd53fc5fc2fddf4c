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
SITE_UI: Mapping[Lang, Mapping[str, str]] = section("site_ui")

# Other names readers search a scenario by (Chinese textbooks use both); scenario ids the spec lacks are ignored.
# Not in words.py: these are search keys, not words the site shows; each list mixes both languages with no zh/en
# pairing (so no Text shape) and holds loose variants the site never writes (四次握手, 三路握手) so searches find them.
SEARCH_ALIASES: Mapping[str, tuple[str, ...]] = {
    "handshake": ("三次握手", "三路握手", "three-way handshake", "3-way handshake"),
    "normal_close": ("四次挥手", "四次握手", "四路挥手", "four-way handshake", "four-way close", "connection termination"),
    "simultaneous_close": ("同时关闭", "simultaneous close"),
    "simultaneous_open": ("同时打开", "simultaneous open"),
}
