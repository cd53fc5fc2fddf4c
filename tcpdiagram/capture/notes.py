"""What `trace` says about a connection that the spec does not explain or that it had to assume (words: words.py).

A note is kept as (kind, fields) and written when shown, so one reading serves the zh and en charts and tables;
JSON carries the English text."""

from __future__ import annotations

from typing import Mapping

from ..model import Lang, Spec
from ..words import section

Note = tuple[str, tuple[tuple[str, str], ...]]

TEXT: Mapping[Lang, Mapping[str, str]] = section("trace_note")  # kind → text, from the one catalogue
WHY: Mapping[Lang, Mapping[str, str]] = section("trace_why")  # why an endpoint's start state was assumed


def note(kind: str, **fields: object) -> Note:
    return kind, tuple([(k, str(v)) for k, v in fields.items()])


def text(n: Note, lang: Lang) -> str:
    kind, fields = n
    values = dict(fields)
    if "why" in values:
        values["why"] = WHY[lang][values["why"]]
    if "event_" + lang in values:
        values["event_label"] = values["event_" + lang]
    return TEXT[lang][kind].format(**values)


def event_fields(spec: Spec, event: str) -> dict[str, str]:
    label = spec.event(event).label
    return {"event": event, "event_en": label.en, "event_zh": label.zh}
