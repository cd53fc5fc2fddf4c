"""Sequence-chart geometry: the boxes, lines and texts a chart is made of, in pixels, and their sizes (pure dataclasses)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from ..model import Lang, PeerId, Role
from ..trace import ROLE_NAMES
from ..words import section

LATIN_EM = 0.6  # average advance of a Latin character, in em; a CJK character takes twice that
PAD, GAP_X, HEAD_H, STATE_H, LABEL_H = 16.0, 400.0, 28.0, 20.0, 17.0
PX_PER_DELAY = 100.0  # one one-way delay is drawn this tall, so every chart has the same slope
MIN_STEP, START_GAP, BREAK_H = 28.0, 34.0, 56.0
SIZE = {"title": 16.0, "caption": 12.0, "head": 13.0, "state": 11.0, "label": 12.0, "note": 12.0}
UI: dict[Lang, dict[str, str]] = section("chart")  # the words of a chart, from the one catalogue


def char_columns(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def text_width(text: str, size: float) -> float:
    """Estimated rendered width: CJK (wide/fullwidth) = 2 × Latin."""
    return sum(char_columns(ch) for ch in text) * LATIN_EM * size


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def x2(self) -> float:
        return self.x + self.w

    @property
    def y2(self) -> float:
        return self.y + self.h

    def overlaps(self, other: Box) -> bool:
        return self.x < other.x2 and other.x < self.x2 and self.y < other.y2 and other.y < self.y2

    def clip(self, x1: float, y1: float, x2: float, y2: float) -> tuple[float, float] | None:
        """Liang–Barsky: the parameter range of the segment inside the box, or None."""
        lo, hi = 0.0, 1.0
        for p, q in ((x1 - x2, x1 - self.x), (x2 - x1, self.x2 - x1), (y1 - y2, y1 - self.y), (y2 - y1, self.y2 - y1)):
            if p == 0:
                if q < 0:
                    return None
                continue
            r = q / p
            if p < 0:
                lo = max(lo, r)
            else:
                hi = min(hi, r)
        return (lo, hi) if lo < hi else None


def centred(cx: float, cy: float, w: float, h: float) -> Box:
    return Box(cx - w / 2, cy - h / 2, w, h)


@dataclass(frozen=True)
class Text:
    x: float
    y: float  # baseline
    text: str
    size: float
    anchor: str  # start | middle | end
    colour: str  # a Palette field name
    bold: bool = False


@dataclass(frozen=True)
class Lifeline:
    peer: PeerId
    x: float
    head: Box
    head_text: Text
    spans: tuple[tuple[float, float, bool], ...]  # (y1, y2, dotted)


@dataclass(frozen=True)
class Arrow:
    index: int
    src: PeerId
    line: tuple[float, float, float, float]  # x1, y1, x2, y2 (the tip is x2, y2)
    head: tuple[tuple[float, float], ...]  # the arrowhead polygon
    label: Text
    plate: Box
    title: str
    cross: tuple[tuple[float, float, float, float], ...] = ()  # a lost segment: the ✕ where its arrow stops
    lost: Text | None = None  # and the word "lost" beside it


@dataclass(frozen=True)
class Mark:
    """A boxed or free text tied to a lifeline: a state entered, an app call, a break label."""

    id: str
    peer: PeerId | None
    box: Box
    text: Text
    title: str
    framed: bool


@dataclass(frozen=True)
class Bracket:
    id: str
    peer: PeerId
    x: float  # the bracket's spine
    y1: float
    y2: float
    tick: float  # signed length of the end ticks, towards the lifeline
    label: Text
    box: Box
    title: str


@dataclass(frozen=True)
class Break:
    id: str
    y1: float
    y2: float
    strokes: tuple[tuple[float, float, float, float], ...]  # the // marks across each lifeline
    label: Mark


@dataclass(frozen=True)
class SequenceLayout:
    prefix: str  # every id starts with it: seq-<scenario>-
    width: float
    height: float
    title: str
    desc: str
    heading: tuple[Text, ...]
    lifelines: tuple[Lifeline, Lifeline]
    arrows: tuple[Arrow, ...]
    states: tuple[Mark, ...]
    calls: tuple[Mark, ...]
    brackets: tuple[Bracket, ...]
    breaks: tuple[Break, ...]


def wrap(text: str, size: float, width: float) -> list[str]:
    """Greedy line breaking: at spaces, and between CJK characters (not before CJK closing punctuation)."""
    tokens: list[str] = []
    for ch in text:
        glue = tokens and (ch in "，。；：、）」』！？" or (char_columns(ch) == 1 and not ch.isspace()
                                                      and char_columns(tokens[-1][-1]) == 1 and not tokens[-1][-1].isspace()))
        if glue:
            tokens[-1] += ch
        else:
            tokens.append(ch)
    lines = [""]
    for tok in tokens:
        if lines[-1] and text_width((lines[-1] + tok).rstrip(), size) > width and not tok.isspace():
            lines.append(tok)
        else:
            lines[-1] += tok
    return [line.strip() for line in lines if line.strip()]


def duration(ms: int | float, lang: Lang) -> str:
    if ms < 1000:
        return UI[lang]["ms"].format(ms)
    s = ms / 1000
    text = UI[lang]["s"].format(f"{s:g}" if s < 10 else f"{round(s)}")
    return text if s < 10 or s == round(s) else "≈ " + text


def head_name(pid: PeerId, role: Role, lang: Lang, label: str = "") -> str:
    """`Client A`, or `Client 192.0.2.1:40001` when the peer has a name of its own."""
    name = ROLE_NAMES[lang][role]
    return f"{name} {label or pid}" if name else label or pid

