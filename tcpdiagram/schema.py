"""The spec's shape, declared once: it types the YAML node tree and it is the published JSON Schema."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from . import model

ID_RE = r"^[A-Za-z][A-Za-z0-9_]*$"
CITE_RE = r"^[a-z][a-z0-9]*:\S+$"
NULL = ("null", "~", "")
# Words YAML reads as no value or as a yes/no (1.1): an id spelled so would vanish where a value may be absent
# (`when: null` is no condition). Refused as ids in any case; the schema lists the spellings YAML knows.
RESERVED = ("null", "~", "true", "false", "yes", "no", "on", "off", "y", "n")


# ---- shape nodes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Str:
    """A string shape: an optional pattern (what it must look like) and reserved words."""

    pattern: str | None = None
    what: str = "a string"
    doc: str = ""
    reserved: tuple[str, ...] = ()  # refused whatever their case
    name: str = ""  # named: one entry in the JSON Schema's $defs that every use refers to


@dataclass(frozen=True)
class Enum:
    """One of fixed choices."""

    choices: tuple[str, ...]
    doc: str = ""


@dataclass(frozen=True)
class Bool:
    """yes/no (true/false)."""

    doc: str = ""


@dataclass(frozen=True)
class Int:
    """A whole number in a range, with its unit for messages."""

    minimum: int = 0
    maximum: int = 10**9
    doc: str = ""
    unit: str = "milliseconds"


@dataclass(frozen=True)
class ListOf:
    """A list of items of one shape."""

    item: Any
    min_items: int = 0
    doc: str = ""


@dataclass(frozen=True)
class MapOf:
    """A mapping with free keys (matching `key`) and values of one shape."""

    key: Str
    value: Any
    doc: str = ""


@dataclass(frozen=True)
class Field:
    """A record field: its shape, whether it is required, may be null, its default."""

    shape: Any
    required: bool = True
    nullable: bool = False
    default: Any = None


@dataclass(frozen=True)
class Record:
    """A mapping with named fields (a $defs entry of the JSON Schema)."""

    name: str
    fields: dict[str, Field] = field(default_factory=dict)
    doc: str = ""


TEXT = Record(
    "Text",
    {"zh": Field(Str(doc="中文")), "en": Field(Str(doc="English"))},
    doc="A text in both languages.",
)
ID = Str(ID_RE, "an id: a letter, then letters, digits or _", reserved=RESERVED, name="Id")

REFERENCE = Record(
    "Reference",
    {"id": Field(ID), "title": Field(TEXT), "url": Field(Str(r"^https://\S+$", "an https:// URL"))},
)
META = Record(
    "Meta",
    {
        "id": Field(ID),
        "title": Field(TEXT),
        "summary": Field(TEXT),
        "languages": Field(ListOf(Enum(model.LANGS), min_items=2)),
        "references": Field(ListOf(REFERENCE, min_items=1)),
    },
)
NAMES = Record(
    "Names",
    {p: Field(Str(), required=False, nullable=True) if p == "netstat" else Field(Str()) for p in model.NAMINGS},
    doc="The state's name per naming profile (netstat: Linux net-tools; when left out, the linux name without TCP_).",
)
STATE = Record(
    "State",
    {
        "id": Field(ID),
        "group": Field(Enum(model.GROUPS)),
        "names": Field(NAMES),
        "label": Field(TEXT),
        "summary": Field(TEXT),
        "description": Field(TEXT),
        "linux": Field(TEXT, required=False, nullable=True),
        "reason": Field(ID, required=False, nullable=True),
    },
)
MATCH = Record(
    "Match",
    {"rst": Field(Bool()), "syn": Field(Bool()), "fin": Field(Bool()), "acks": Field(Enum(model.ACKS)),
     "data": Field(Bool(doc="brings new data"), required=False, default=False),
     "again": Field(Bool(doc="repeats a FIN already received"), required=False, default=False)},
    doc="What an arriving segment brings that is new: the simulator's key to this event.",
)
EVENT = Record(
    "Event",
    {
        "id": Field(ID),
        "kind": Field(Enum(model.EVENT_KINDS)),
        "label": Field(TEXT),
        "rfc": Field(Str(doc="RFC 9293 Figure 5 wording"), required=False, nullable=True),
        "call": Field(Str(doc="socket call"), required=False, nullable=True),
        "match": Field(MATCH, required=False, nullable=True),
        "duration": Field(Str(doc="name of a scenario timer"), required=False, nullable=True),
        "start": Field(Enum(model.TIMER_STARTS, doc="timers: when the timer runs"), required=False, nullable=True),
        "backoff": Field(Int(minimum=1, maximum=16, unit="times", doc="timers: factor of each next wait"),
                         required=False, nullable=True),
        "description": Field(TEXT),
    },
)
ACTION = Record(
    "Action",
    {
        "id": Field(ID),
        "kind": Field(Enum(model.ACTION_KINDS)),
        "label": Field(TEXT),
        "rfc": Field(Str(doc="RFC 9293 Figure 5 wording"), required=False, nullable=True),
        "flags": Field(ListOf(Enum(model.FLAGS)), required=False, default=[]),
        "timer": Field(ID, required=False, nullable=True),
        "description": Field(TEXT),
    },
)
CONDITION = Record("Condition", {"id": Field(ID), "label": Field(TEXT),
                                 "holds": Field(Enum(model.FACTS), required=False, nullable=True)})
TRANSITION = Record(
    "Transition",
    {
        "from": Field(ID),
        "event": Field(ID),
        "to": Field(ID),
        "actions": Field(ListOf(ID)),
        "layer": Field(Enum(model.LAYERS)),
        "cite": Field(ListOf(Str(CITE_RE, "a citation such as rfc9293:fig5"), min_items=1)),
        "path": Field(Enum(model.PATHS), required=False, nullable=True),
        "when": Field(ID, required=False, nullable=True),
        "note": Field(TEXT, required=False, nullable=True),
        "error": Field(Enum(model.ERRNOS), required=False, nullable=True),
    },
)
SEGMENT_NOTATION = Str(r"^[AB]>[AB] (?=[SFRP.])S?F?R?P?\.?$", "a segment as tcpdump prints it, e.g. 'A>B F.'")
LINUX_RULE = Record(
    "LinuxRule",
    {
        "id": Field(ID),
        "text": Field(TEXT),
        "time_wait": Field(Record("TimeWaitRule", {"timer_ms": Field(Int(minimum=1))}), required=False, nullable=True),
        "add_flags": Field(
            Record("AddFlagsRule", {"segment": Field(SEGMENT_NOTATION), "add": Field(ListOf(Enum(model.FLAGS), 1))}),
            required=False, nullable=True,
        ),
        "append_segments": Field(ListOf(SEGMENT_NOTATION, 1), required=False, nullable=True),
        "rto": Field(Record("RtoRule", {"ms": Field(Int(minimum=1))}), required=False, nullable=True),
        "timers_late": Field(Record("TimersLateRule", {"up_to_ms": Field(Int(minimum=1))}), required=False, nullable=True),
        "sysctl": Field(
            Record("SysctlRule", {"peers": Field(ListOf(Enum(model.PEERS), 1)),
                                  "key": Field(Str(r"^net\.ipv4\.[a-z0-9_.]+$", "a net.ipv4.* sysctl name")),
                                  "value": Field(Str(r"^[0-9]+$", "a whole number"))}),
            required=False, nullable=True,
        ),
    },
    doc="One documented way Linux differs from RFC 9293: exactly one of "
        "time_wait, add_flags, append_segments, rto, timers_late, sysctl.",
)
PEER = Record(
    "Peer",
    {
        "role": Field(Enum(model.ROLES)),
        "start": Field(ID),
        "delayed_ack": Field(Int(maximum=10_000), required=False, default=0),
        "conditions": Field(ListOf(ID), required=False, default=[]),
        "reads": Field(Bool(doc="the application reads what arrives"), required=False, default=True),
    },
)
STEP = Record("Step", {
    "at": Field(Int()), "peer": Field(Enum(model.PEERS)), "event": Field(ID),
    "bytes": Field(Int(minimum=1, unit="bytes", doc="send: bytes written"), required=False, nullable=True),
    "call": Field(Enum(model.CLOSE_CALLS, doc="close: close() or shutdown(SHUT_WR)"), required=False, nullable=True),
})
LOSS_RULE = Record(
    "LossRule",
    {
        "from": Field(Enum(model.PEERS)),
        "flags": Field(ListOf(Enum(model.FLAGS), 1)),
        "nth": Field(Str(r"^([1-9][0-9]{0,5}|every)$", "an ordinal (1, 2, …) or 'every'")),
    },
    doc="The segments the network loses: those `from` sends with exactly these flags, the nth of them or every one.",
)
PEER_MAP = Record("Peers", {"A": Field(PEER), "B": Field(PEER)})
SCENARIO = Record(
    "Scenario",
    {
        "id": Field(ID),
        "kind": Field(Enum(model.SCENARIO_KINDS)),
        "title": Field(TEXT),
        "caption": Field(TEXT),
        "explanation": Field(TEXT),
        "linux": Field(TEXT, required=False, nullable=True),
        "linux_rules": Field(ListOf(LINUX_RULE), required=False, default=[]),
        "peers": Field(PEER_MAP),
        "network": Field(Record("Network", {"delay": Field(Int(minimum=1, maximum=60_000)),
                                            "lose": Field(ListOf(LOSS_RULE), required=False, default=[])})),
        "timers": Field(MapOf(Str(r"^\S+$"), Int(minimum=1)), required=False, default={}),
        "retries": Field(MapOf(Str(r"^\S+$"), Int(minimum=1, maximum=100, unit="retries")), required=False, default={}),
        "layers": Field(ListOf(Enum(model.LAYERS), min_items=1), required=False),
        "seq": Field(Record("Seq", {"A": Field(Str(r"^[A-Z]$")), "B": Field(Str(r"^[A-Z]$"))}), required=False),
        "steps": Field(ListOf(STEP)),
        "expect": Field(Record("Expect", {
            "A": Field(ListOf(ID, 1)), "B": Field(ListOf(ID, 1)),
            "errors": Field(Record("ExpectErrors", {"A": Field(Enum(model.ERRNOS), required=False, nullable=True),
                                                    "B": Field(Enum(model.ERRNOS), required=False, nullable=True)}),
                            required=False, nullable=True),
        })),
    },
)
SPEC = Record(
    "Spec",
    {
        "meta": Field(META),
        "states": Field(ListOf(STATE, min_items=1)),
        "events": Field(ListOf(EVENT, min_items=1)),
        "actions": Field(ListOf(ACTION)),
        "conditions": Field(ListOf(CONDITION), required=False, default=[]),
        "transitions": Field(ListOf(TRANSITION, min_items=1)),
        "scenarios": Field(ListOf(SCENARIO), required=False, default=[]),
        "linux_rules": Field(ListOf(LINUX_RULE), required=False, default=[]),
    },
    doc="The TCP state machine spec of tcpdiagram.",
)


# ---- JSON Schema -------------------------------------------------------------------------------


def json_schema() -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of the spec, for editors."""
    defs: dict[str, Any] = {}
    root = _js(SPEC, defs)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://tcpdiagram.invalid/spec.schema.json",
        "title": "tcpdiagram spec",
        **root,
        "$defs": defs,
    }


def _js(shape: Any, defs: dict[str, Any]) -> dict[str, Any]:
    if isinstance(shape, Str) and shape.name:
        if shape.name not in defs:
            defs[shape.name] = _js(Str(shape.pattern, shape.what, shape.doc, shape.reserved), defs)
        return {"$ref": f"#/$defs/{shape.name}"}
    if isinstance(shape, Str):
        out: dict[str, Any] = {"type": "string"}
        if shape.pattern:
            out["pattern"] = shape.pattern
        if shape.reserved:
            out["not"] = {"enum": [w for r in shape.reserved for w in dict.fromkeys((r, r.title(), r.upper()))]}
        if shape.doc:
            out["description"] = shape.doc
        return out
    if isinstance(shape, Enum):
        return {"enum": list(shape.choices)}
    if isinstance(shape, Bool):
        return {"enum": ["yes", "no", "true", "false"]}
    if isinstance(shape, Int):
        return {"type": ["integer", "string"], "pattern": r"^[0-9]+$", "minimum": shape.minimum}
    if isinstance(shape, ListOf):
        return {"type": "array", "items": _js(shape.item, defs), "minItems": shape.min_items}
    if isinstance(shape, MapOf):
        return {
            "type": "object",
            "propertyNames": _js(shape.key, defs),
            "additionalProperties": _js(shape.value, defs),
        }
    if isinstance(shape, Record):
        if shape.name not in defs:
            defs[shape.name] = {}  # reserve, so recursion terminates
            props = {}
            for name, f in shape.fields.items():
                sub = _js(f.shape, defs)
                props[name] = {"anyOf": [sub, {"type": "null"}]} if f.nullable else sub
            body: dict[str, Any] = {
                "type": "object",
                "properties": props,
                "required": [n for n, f in shape.fields.items() if f.required],
                "additionalProperties": False,
            }
            if shape.doc:
                body["description"] = shape.doc
            defs[shape.name] = body
        return {"$ref": f"#/$defs/{shape.name}"}
    raise TypeError(shape)


# ---- typing a node tree ------------------------------------------------------------------------


def suggest(word: str, choices: list[str] | tuple[str, ...]) -> str:
    """Return ' (did you mean 'x'?)' when a close match exists, else ''."""
    import difflib  # only for a message: a sound spec never needs it

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if not close:
        lower = {c.lower(): c for c in choices}
        if word.lower() in lower:
            close = [lower[word.lower()]]
    return f" (did you mean {close[0]!r}?)" if close else ""


_BOOLS = {"yes": True, "true": True, "no": False, "false": False}


def check_scalar(shape: Any, value: str) -> tuple[Any, str | None]:
    """Type one scalar; return (value, error message or None)."""
    if isinstance(shape, Str):
        if shape.pattern and not re.fullmatch(shape.pattern, value):  # the whole value: `$` alone lets "x\n" in
            return value, f"{_quote(value)} is not {shape.what}"
        if value.lower() in shape.reserved:
            return value, f"{value!r} is a reserved word (YAML reads it as no value or as yes/no); choose another id"
        return value, None
    if isinstance(shape, Enum):
        if value not in shape.choices:
            choices = ", ".join(shape.choices)
            return value, f"{value!r} is not one of: {choices}{suggest(value, shape.choices)}"
        return value, None
    if isinstance(shape, Bool):
        if value.lower() not in _BOOLS:
            return value, f"{value!r} is not yes/no"
        return _BOOLS[value.lower()], None
    if isinstance(shape, Int):
        if not re.fullmatch(r"[0-9]+", value, re.ASCII):
            return value, f"{_quote(value)} is not a whole number of {shape.unit}"
        digits = value.lstrip("0") or "0"
        if len(digits) > len(str(shape.maximum)):  # before int(): no huge conversions (nor Python's 4300-digit limit)
            return value, f"{_quote(value)} is out of range ({shape.minimum}..{shape.maximum})"
        n = int(digits)
        if not shape.minimum <= n <= shape.maximum:
            return n, f"{n} is out of range ({shape.minimum}..{shape.maximum})"
        return n, None
    raise TypeError(shape)


def _quote(value: str, limit: int = 40) -> str:
    """A value quoted for a message, cut to a readable length (a 5000-digit number is not worth printing)."""
    return repr(value) if len(value) <= limit else f"{value[:limit]!r}… ({len(value)} characters)"
