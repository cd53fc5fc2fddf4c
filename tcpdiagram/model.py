"""The spec as frozen dataclasses: what every renderer, the simulator and the site read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Mapping, Protocol, TypeVar, get_args

# The choices a user makes, declared once: the CLI's options, the renderers' checks, the schema and the
# site are built from these. Each tuple is read off its Literal, so a new value is one edit here.
Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = get_args(Lang)

# A new naming profile: add it here, to NAMING_TITLES and as a field of Names; the spec then needs it
# for every state (schema, loader), and the CLI, the JSON export and the state pages show it.
NamingProfile = Literal["rfc", "stevens", "linux", "ss"]
NAMINGS: tuple[NamingProfile, ...] = get_args(NamingProfile)
NAMING_TITLES: Mapping[NamingProfile, str] = {
    "rfc": "RFC 9293", "stevens": "Stevens / netstat", "linux": "Linux", "ss": "ss",
}

Theme = Literal["light", "dark"]
THEMES: tuple[Theme, ...] = get_args(Theme)

StateFormat = Literal["svg", "png", "pdf", "dot"]  # a state diagram: DOT text, our SVG, or converted
STATE_FORMATS: tuple[StateFormat, ...] = get_args(StateFormat)
ChartFormat = Literal["svg", "png", "pdf"]  # a sequence chart
CHART_FORMATS: tuple[ChartFormat, ...] = get_args(ChartFormat)
RasterFormat = Literal["png", "pdf"]  # what SVG converts to
RASTER_FORMATS: tuple[RasterFormat, ...] = get_args(RasterFormat)
TraceFormat = Literal["text", "json"]  # `simulate` output
TRACE_FORMATS: tuple[TraceFormat, ...] = get_args(TraceFormat)
ExportFormat = Literal["json"]  # `export` output
EXPORT_FORMATS: tuple[ExportFormat, ...] = get_args(ExportFormat)

Group = Literal["closed", "opening", "established", "active_close", "passive_close"]
GROUPS: tuple[Group, ...] = ("closed", "opening", "established", "active_close", "passive_close")

EventKind = Literal["app", "segment", "timer"]
EVENT_KINDS: tuple[EventKind, ...] = ("app", "segment", "timer")

ActionKind = Literal["send", "tcb"]
ACTION_KINDS: tuple[ActionKind, ...] = ("send", "tcb")

Layer = Literal["figure", "note", "event_processing", "linux"]
LAYERS: tuple[Layer, ...] = ("figure", "note", "event_processing", "linux")
DEFAULT_LAYERS: tuple[Layer, ...] = ("figure", "note")

Path = Literal["client", "server"]
PATHS: tuple[Path, ...] = ("client", "server")

Flag = Literal["ACK", "FIN", "RST", "SYN"]
FLAGS: tuple[Flag, ...] = ("ACK", "FIN", "RST", "SYN")

# What an arriving segment brings, as a segment event's `match` describes it.
Acks = Literal["syn", "fin", "none"]
ACKS: tuple[Acks, ...] = ("syn", "fin", "none")

PeerId = Literal["A", "B"]
PEERS: tuple[PeerId, ...] = ("A", "B")

Role = Literal["client", "server", "peer"]
ROLES: tuple[Role, ...] = ("client", "server", "peer")

ScenarioKind = Literal["open", "close", "abort"]
SCENARIO_KINDS: tuple[ScenarioKind, ...] = ("open", "close", "abort")


@dataclass(frozen=True)
class Pos:
    """A place in a source file (1-based line and column; line 0 means the file as a whole)."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Text:
    """One human-readable string in both languages."""

    zh: str
    en: str

    def get(self, lang: Lang) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Reference:
    id: str
    title: Text
    url: str
    pos: Pos = field(compare=False, repr=False)
    where: Mapping[str, Pos] = field(compare=False, repr=False, default_factory=dict)


@dataclass(frozen=True)
class Meta:
    id: str
    title: Text
    summary: Text
    languages: tuple[Lang, ...]
    references: tuple[Reference, ...]
    pos: Pos = field(compare=False, repr=False)
    where: Mapping[str, Pos] = field(compare=False, repr=False, default_factory=dict)


@dataclass(frozen=True)
class Names:
    """A state's name in every naming profile (one field per NAMINGS entry, in that order)."""

    rfc: str
    stevens: str
    linux: str
    ss: str

    def get(self, profile: NamingProfile) -> str:
        return str(getattr(self, profile))


@dataclass(frozen=True)
class State:
    id: str
    group: Group
    names: Names
    label: Text
    summary: Text
    description: Text
    linux: Text | None
    pos: Pos = field(compare=False, repr=False)
    where: Mapping[str, Pos] = field(compare=False, repr=False, default_factory=dict)


@dataclass(frozen=True)
class Match:
    """How the simulator recognises a segment event: what the arriving segment brings that is new."""

    rst: bool
    syn: bool  # carries the peer's SYN, not seen before
    fin: bool  # carries the peer's FIN, not seen before
    acks: Acks  # newly acknowledges our SYN, our FIN, or neither


@dataclass(frozen=True)
class Event:
    id: str
    kind: EventKind
    label: Text
    rfc: str | None
    call: str | None
    match: Match | None
    duration: str | None  # timers: the name of the scenario timer that sets its length ("2MSL")
    description: Text
    pos: Pos = field(compare=False, repr=False)
    where: Mapping[str, Pos] = field(compare=False, repr=False, default_factory=dict)


@dataclass(frozen=True)
class Action:
    id: str
    kind: ActionKind
    label: Text
    rfc: str | None
    flags: tuple[Flag, ...]  # send actions: the control flags it asks for (ACK is added once synchronized)
    description: Text
    pos: Pos = field(compare=False, repr=False)
    where: Mapping[str, Pos] = field(compare=False, repr=False, default_factory=dict)


@dataclass(frozen=True)
class Condition:
    id: str
    label: Text
    pos: Pos = field(compare=False, repr=False)
    where: Mapping[str, Pos] = field(compare=False, repr=False, default_factory=dict)


@dataclass(frozen=True)
class Cite:
    """A citation such as rfc9293:fig5, rfc9293:note2, rfc9293:s3.10.7.4 or linux:net/ipv4/tcp.c."""

    source: str
    locator: str
    pos: Pos = field(compare=False, repr=False)

    def __str__(self) -> str:
        return f"{self.source}:{self.locator}"


@dataclass(frozen=True)
class Transition:
    source: str  # the `from` state id
    event: str
    target: str  # the `to` state id
    actions: tuple[str, ...]
    layer: Layer
    cite: tuple[Cite, ...]
    path: Path | None
    when: str | None  # a condition id
    note: Text | None
    pos: Pos = field(compare=False, repr=False)
    where: Mapping[str, Pos] = field(compare=False, repr=False, default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.source}-{self.event}-{self.target}"


@dataclass(frozen=True)
class Peer:
    id: PeerId
    role: Role
    start: str
    delayed_ack: int  # ms an ACK may be held, waiting for data or a FIN to ride on; 0 = immediate
    conditions: tuple[str, ...]
    pos: Pos = field(compare=False, repr=False)
    where: Mapping[str, Pos] = field(compare=False, repr=False, default_factory=dict)


@dataclass(frozen=True)
class Step:
    at: int  # ms from the start of the scenario
    peer: PeerId
    event: str
    pos: Pos = field(compare=False, repr=False)
    where: Mapping[str, Pos] = field(compare=False, repr=False, default_factory=dict)


@dataclass(frozen=True)
class Timer:
    name: str
    ms: int


@dataclass(frozen=True)
class LinuxRule:
    """A documented way Linux differs from the spec's (RFC 9293) prediction; `tcpdiagram verify` applies it."""

    id: str
    text: Text
    time_wait_ms: int | None  # TIME_WAIT is observed only until entered; its timer must read this
    add_flags: tuple[str, tuple[Flag, ...]] | None  # ("A>B R", ("ACK",)): that segment carries more flags
    append_segments: tuple[str, ...]  # segments Linux sends after all those the spec predicts
    pos: Pos = field(compare=False, repr=False)
    where: Mapping[str, Pos] = field(compare=False, repr=False, default_factory=dict)

    def as_rule(self) -> dict[str, object]:
        """The rule as {kind: argument}."""
        if self.time_wait_ms is not None:
            return {"time_wait": {"timer_ms": self.time_wait_ms}}
        if self.add_flags is not None:
            return {"add_flags": {"segment": self.add_flags[0], "add": list(self.add_flags[1])}}
        return {"append_segments": list(self.append_segments)}


@dataclass(frozen=True)
class Scenario:
    id: str
    kind: ScenarioKind
    title: Text
    caption: Text
    explanation: Text
    linux: Text | None
    linux_rules: tuple[LinuxRule, ...]
    peers: tuple[Peer, Peer]
    delay: int  # one-way delay, ms
    timers: tuple[Timer, ...]
    layers: tuple[Layer, ...]
    steps: tuple[Step, ...]
    seq: tuple[str, str]  # symbolic initial sequence names of A and B (e.g. J, K or M, N)
    expect: tuple[tuple[str, ...], tuple[str, ...]]  # state sequences of A and B
    pos: Pos = field(compare=False, repr=False)
    where: Mapping[str, Pos] = field(compare=False, repr=False, default_factory=dict)

    def peer(self, pid: PeerId) -> Peer:
        return self.peers[0] if pid == "A" else self.peers[1]

    def timer(self, name: str) -> int | None:
        for t in self.timers:
            if t.name == name:
                return t.ms
        return None


@dataclass(frozen=True)
class Spec:
    meta: Meta
    states: tuple[State, ...]
    events: tuple[Event, ...]
    actions: tuple[Action, ...]
    conditions: tuple[Condition, ...]
    transitions: tuple[Transition, ...]
    scenarios: tuple[Scenario, ...]
    linux_rules: tuple[LinuxRule, ...] = ()  # those that hold for every scenario
    file: str = field(compare=False, default="")

    def state(self, sid: str) -> State:
        return _by_id(self.states, sid)

    def event(self, eid: str) -> Event:
        return _by_id(self.events, eid)

    def action(self, aid: str) -> Action:
        return _by_id(self.actions, aid)

    def condition(self, cid: str) -> Condition:
        return _by_id(self.conditions, cid)

    def scenario(self, sid: str) -> Scenario:
        return _by_id(self.scenarios, sid)

    def reference(self, rid: str) -> Reference:
        return _by_id(self.meta.references, rid)

    def transitions_in(self, layers: tuple[Layer, ...] | None = None) -> tuple[Transition, ...]:
        if layers is None:
            return self.transitions
        return tuple(t for t in self.transitions if t.layer in layers)


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


_T = TypeVar("_T", bound=_HasId)


def _by_id(items: tuple[_T, ...], key: str) -> _T:
    """The item whose id is `key` (KeyError when none is)."""
    for item in items:
        if item.id == key:
            return item
    raise KeyError(key)


def where(obj: object, key: str) -> Pos:
    """The position of a field (or `field[i]`, `field.sub`) of a spec object, else of the object."""
    table: Mapping[str, Pos] = getattr(obj, "where", {})
    while key:
        if key in table:
            return table[key]
        if key.endswith("]"):
            key = key[: key.rindex("[")]
        else:
            key = key.rpartition(".")[0]
    return getattr(obj, "pos")  # type: ignore[no-any-return]
