"""Strict YAML reading: bytes to a tree of string scalars, lists and mappings that keep their positions."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Protocol, Union

import yaml

from .errors import Issue
from .model import Pos

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 32

try:  # the C parser when libyaml is present
    from yaml import CBaseLoader as _Loader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import BaseLoader as _Loader  # type: ignore[assignment]

_START_MAP, _END_MAP, _END_SEQ, _DOC_START = (yaml.MappingStartEvent, yaml.MappingEndEvent, yaml.SequenceEndEvent,
                                               yaml.DocumentStartEvent)


@dataclass
class YMap:
    """A YAML mapping with the positions of its keys."""

    pos: Pos
    items: dict[str, YNode] = field(default_factory=dict)
    key_pos: dict[str, Pos] = field(default_factory=dict)


@dataclass
class YSeq:
    """A YAML sequence."""

    pos: Pos
    items: list[YNode] = field(default_factory=list)


@dataclass
class YStr:
    """A YAML scalar, as its string."""

    pos: Pos
    value: str
    plain: bool  # unquoted, so `null` and `~` mean nothing


YNode = Union[YMap, YSeq, YStr]


class YamlIssues(Exception):
    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        super().__init__(issues)


def read_tree(data: bytes, file: str) -> YNode:
    """Decode, pre-check and parse one YAML document; raise YamlIssues with every problem found."""
    if len(data) > MAX_BYTES:
        size = len(data) / MAX_BYTES
        raise YamlIssues([Issue(Pos(file, 0, 0), "", f"file is {size:.1f} MiB; the limit is 1 MiB")])
    text = _decode(data, file)
    lines = Lines(text)
    issues = _prescan(text, file)
    if issues:
        raise YamlIssues(issues)
    return _parse(text, file, lines)


class Lines:
    """Positions as an editor shows them: only CR LF, LF and CR end a line. YAML itself (and so PyYAML's marks)
    also breaks lines at U+0085, U+2028 and U+2029, which editors show inside a line: one such character in a
    quoted label would shift every later line number."""

    def __init__(self, text: str) -> None:
        self.starts = [0, *(m.end() for m in _BREAK.finditer(text))]

    def pos(self, file: str, index: int) -> Pos:
        """The 1-based line and column of the character at `index`."""
        line = bisect_right(self.starts, index)
        return Pos(file, line, index - self.starts[line - 1] + 1)


_BREAK = re.compile(r"\r\n|\r|\n")
_BOMS = (  # longest first: the UTF-32 LE mark begins with the UTF-16 LE one
    (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"),
)
BINARY_PROBE = 8192  # bytes looked at for NUL, as git and grep do


def _decode(data: bytes, file: str) -> str:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                name = codec.split("-sig")[0].upper()
                raise YamlIssues([Issue(Pos(file, 1, 1), "", f"broken {name} text; re-save the file as UTF-8")]) from None
    nul = data.find(b"\0", 0, BINARY_PROBE)
    if nul >= 0:
        msg = f"binary file, not a YAML spec (a NUL byte at byte offset {nul})"
        raise YamlIssues([Issue(Pos(file, 1, 1), "", msg)])
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        before = data[: e.start].decode("utf-8")
        bad = data[e.start]
        msg = f"not valid UTF-8 (byte 0x{bad:02x}; saved as GBK or another legacy encoding?); re-save the file as UTF-8"
        raise YamlIssues([Issue(Lines(before).pos(file, len(before)), "", msg)]) from None


# C0 and C1 controls (but tab, LF, CR) and the non-characters YAML refuses in a stream.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_FW_COLON_KEY = re.compile(r"^[ ]*(?:-[ ]+)?[A-Za-z_][A-Za-z0-9_]*[ ]*(：)")
_FW_COMMA_FLOW = re.compile(r"\[[ ]*[A-Za-z0-9_]+[ ]*(，)")
# _FW_COLON_KEY at a line start after the first (after a CR or an LF, as _BREAK splits lines).
_FW_COLON_AFTER_BREAK = re.compile(r"[\r\n][ ]*(?:-[ ]+)?[A-Za-z_][A-Za-z0-9_]*[ ]*：")


def _prescan(text: str, file: str) -> list[Issue]:
    """Find what YAML would silently misread or report badly: controls, tabs, full-width punctuation."""
    return _scan_lines(text, file) if _may_hold(text) else []


def _may_hold(text: str) -> bool:
    """False when no line of `text` can hold what _scan_lines looks for: a few whole-text searches (none of its
    patterns spans a line break), so a clean spec is not scanned line by line."""
    return bool(_CONTROL.search(text) or "\t" in text or "\u3000" in text or _FW_COMMA_FLOW.search(text)
                or ("：" in text and (_FW_COLON_KEY.match(text) or _FW_COLON_AFTER_BREAK.search(text))))


def _scan_lines(text: str, file: str) -> list[Issue]:
    """_prescan's findings, line by line, in order."""
    issues: list[Issue] = []
    for n, line in enumerate(_BREAK.split(text), 1):  # not str.splitlines(): it also breaks at U+2028 and friends
        for m in _CONTROL.finditer(line):
            issues.append(Issue(Pos(file, n, m.start() + 1), "", f"control character U+{ord(m.group()):04X} is not allowed"))
        indent = len(line) - len(line.lstrip(" \t\u3000"))
        lead = line[:indent]
        if "\t" in lead:
            issues.append(Issue(Pos(file, n, lead.index("\t") + 1), "", "tab character in the indentation; YAML indents with spaces"))
        if "\u3000" in lead:
            col = lead.index("\u3000") + 1
            issues.append(Issue(Pos(file, n, col), "", "full-width space (U+3000) in the indentation; indent with ASCII spaces"))
        colon = _FW_COLON_KEY.match(line)
        if colon:
            msg = "full-width colon '：' (U+FF1A) after a key; YAML needs an ASCII ':' followed by a space"
            issues.append(Issue(Pos(file, n, colon.start(1) + 1), "", msg))
        for m in _FW_COMMA_FLOW.finditer(line):
            msg = "full-width comma '，' (U+FF0C) in a [list]; YAML separates items with an ASCII ','"
            issues.append(Issue(Pos(file, n, m.start(1) + 1), "", msg))
    return issues


class _Mark(Protocol):
    """A parser position: PyYAML's pure-Python and C parsers each have their own Mark class."""

    index: int


def _parse(text: str, file: str, lines: Lines) -> YNode:
    """Build the tree from parser events, refusing anchors, aliases, tags, duplicate keys and deep nesting."""

    def _pos(file: str, mark: _Mark | None) -> Pos:  # the mark's character index, counted as an editor does
        return Pos(file, 1, 1) if mark is None else lines.pos(file, mark.index)

    issues: list[Issue] = []
    stack: list[YMap | YSeq] = []
    pending_key: list[tuple[str, Pos] | None] = []
    root: YNode | None = None
    documents = 0
    try:
        parser = _Loader(text)  # yaml.parse's loop, without its generator: one call per event
        try:
            get_event = parser.get_event
            while (ev := get_event()) is not None:
                kind = type(ev)
                if kind is _END_MAP or kind is _END_SEQ:
                    done = stack.pop()
                    pending_key.pop()
                    root = _attach(stack, pending_key, done, issues, file) if stack else done
                    continue
                if isinstance(ev, (yaml.ScalarEvent, yaml.CollectionStartEvent)):
                    pos = _pos(file, ev.start_mark)
                    if ev.anchor:
                        issues.append(Issue(pos, "", f"anchors (&{ev.anchor}) are not allowed"))
                    if ev.tag not in (None, "!"):
                        issues.append(Issue(pos, "", f"explicit tags ({ev.tag}) are not allowed"))
                    if isinstance(ev, yaml.ScalarEvent):
                        node: YNode = YStr(pos, ev.value, plain=not ev.style)
                        root = _attach(stack, pending_key, node, issues, file) if stack else node
                        continue
                    if len(stack) >= MAX_DEPTH:
                        issues.append(Issue(pos, "", f"nested deeper than {MAX_DEPTH} levels"))
                        break
                    stack.append(YMap(pos) if kind is _START_MAP else YSeq(pos))
                    pending_key.append(None)
                    continue
                if kind is _DOC_START:
                    documents += 1
                    if documents > 1:
                        issues.append(Issue(_pos(file, ev.start_mark), "", "only one YAML document is allowed"))
                        break
                    continue
                if isinstance(ev, yaml.AliasEvent):
                    issues.append(Issue(_pos(file, ev.start_mark), "", f"aliases (*{ev.anchor}) are not allowed"))
                    stand_in = YStr(_pos(file, ev.start_mark), "", plain=False)  # keeps keys and values paired
                    root = _attach(stack, pending_key, stand_in, issues, file) if stack else stand_in
        finally:
            parser.dispose()
    except yaml.MarkedYAMLError as e:
        problem = e.problem or str(e)
        if "'\\t'" in problem:
            problem += " (YAML indents with spaces, not tabs)"
        issues.append(Issue(_pos(file, e.problem_mark), "", f"YAML syntax error: {problem}"))
    except yaml.reader.ReaderError as e:  # no mark, a character position
        what = f"character U+{e.character:04X}" if isinstance(e.character, int) else "character"
        issues.append(Issue(lines.pos(file, e.position), "", f"{what} is not allowed in YAML: {e.reason}"))
    except yaml.YAMLError as e:  # others carry no position
        issues.append(Issue(Pos(file, 1, 1), "", f"YAML error: {e}"))
    if issues:
        raise YamlIssues(issues)
    if root is None:
        raise YamlIssues([Issue(Pos(file, 1, 1), "", "the spec is empty; expected a mapping with meta, states, events, …")])
    return root


def _attach(stack: list[YMap | YSeq], pending_key: list[tuple[str, Pos] | None], node: YNode,
            issues: list[Issue], file: str) -> YNode:
    parent = stack[-1]
    if isinstance(parent, YSeq):
        parent.items.append(node)
        return node
    key = pending_key[-1]
    if key is None:  # this node is a key
        if not isinstance(node, YStr):
            issues.append(Issue(node.pos, "", "mapping keys must be plain strings"))
            pending_key[-1] = ("\0invalid", node.pos)
        else:
            pending_key[-1] = (node.value, node.pos)
        return node
    name, kpos = key
    pending_key[-1] = None
    if name == "\0invalid":
        return node
    if name in parent.items:
        first = parent.key_pos[name]
        issues.append(Issue(kpos, "", f"duplicate key {name!r} (first defined on line {first.line})"))
        return node
    parent.items[name] = node
    parent.key_pos[name] = kpos
    return node
