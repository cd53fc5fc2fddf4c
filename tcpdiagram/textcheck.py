"""The one list of characters no text of a spec may hold: controls, bidi controls, invisible and non-characters."""

from __future__ import annotations

import unicodedata

# Bidirectional controls: they reorder what a reader sees (Trojan Source, CVE-2021-42574).
BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Invisible characters that are not format characters (category Cf, all refused) by Unicode's own reckoning:
# Hangul fillers, the combining grapheme joiner, Khmer inherent vowels, the Mongolian vowel separator and the
# Braille blank, which all show as nothing or as a blank; and U+2065 and U+E0000, unassigned holes inside the
# invisible-operator and tag blocks, whose neighbours (U+2061..U+2064, U+E0001..U+E007F) are Cf.
INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u034f\u17b4\u17b5\u180e\u2800\u2065\U000e0000")
ALLOWED_CONTROLS = frozenset("\n")  # YAML folds a text's lines; a literal block keeps its newlines


def problem(value: str) -> str | None:
    """The message for the first character of `value` that no spec text may hold, or None."""
    if value.replace("\n", " ").isprintable() and INVISIBLE.isdisjoint(value):
        return None  # str.isprintable is False for every Cc, Cf, Cs and unassigned (Cn) character: see kind_of
    for ch in value:
        kind = kind_of(ch)
        if kind is not None:
            return f"{kind} character U+{ord(ch):04X} is not allowed"
    return None


def kind_of(ch: str) -> str | None:
    """What makes one character unfit for a spec text ('control', 'bidirectional control', …), or None."""
    if ch in BIDI:
        return "bidirectional control"
    category = unicodedata.category(ch)
    if category == "Cc":
        return None if ch in ALLOWED_CONTROLS else "control"
    if category == "Cf" or ch in INVISIBLE or 0xE0000 <= ord(ch) <= 0xE007F:
        return "invisible"
    if category == "Cs":
        return "surrogate"
    if (ord(ch) & 0xFFFE) == 0xFFFE or 0xFDD0 <= ord(ch) <= 0xFDEF:
        return "non-character"
    return None
