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
