"""Every human-readable string `tcpdiagram trace` writes (listing, tables, chart captions), read from tcpdiagram/words.py."""

from __future__ import annotations

from typing import Mapping

from ..model import Lang
from ..words import section

UI: Mapping[Lang, Mapping[str, str]] = section("trace")


def t(lang: Lang, key: str) -> str:
    return UI[lang][key]
