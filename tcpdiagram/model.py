"""The spec as frozen dataclasses: what every renderer, the simulator and the site read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Mapping, Protocol, TypeVar, get_args

# The choices a user makes, declared once: the CLI's options, the renderers' checks, the schema and the
# site are built from these. Each tuple is read off its Literal, so a new value is one edit here.
Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = get_args(Lang)

# A new naming profile: add it here, to NAMING_TITLES and as a field of Names; the spec then needs it
# for every state (schema, loader), and the CLI, the JSON export and the state pages show it. Only
# netstat may be left out of a state (Names.get derives it), so it comes last, with a default.
NamingProfile = Literal["rfc", "stevens", "linux", "ss", "netstat"]
NAMINGS: tuple[NamingProfile, ...] = get_args(NamingProfile)
NAMING_TITLES: Mapping[NamingProfile, str] = {
    "rfc": "RFC 9293", "stevens": "Stevens / BSD netstat", "linux": "Linux", "ss": "ss",
    "netstat": "Linux netstat (net-tools)",
}

Theme = Literal["light", "dark"]
THEMES: tuple[Theme, ...] = get_args(Theme)

StateFormat = Literal["svg", "png", "pdf", "dot", "mermaid", "plantuml"]  # a state diagram: our SVG, converted, or text
STATE_FORMATS: tuple[StateFormat, ...] = get_args(StateFormat)
ChartFormat = Literal["svg", "png", "pdf", "mermaid", "plantuml"]  # a sequence chart
CHART_FORMATS: tuple[ChartFormat, ...] = get_args(ChartFormat)
RasterFormat = Literal["png", "pdf"]  # what SVG converts to
RASTER_FORMATS: tuple[RasterFormat, ...] = get_args(RasterFormat)
TraceFormat = Literal["text", "json"]  # `simulate` output
TRACE_FORMATS: tuple[TraceFormat, ...] = get_args(TraceFormat)
ExportFormat = Literal["json"]  # `export` output
EXPORT_FORMATS: tuple[ExportFormat, ...] = get_args(ExportFormat)
CaptureFormat = Literal["text", "json", "svg", "png", "pdf"]  # `trace` output: a listing, JSON, or one chart
CAPTURE_FORMATS: tuple[CaptureFormat, ...] = get_args(CaptureFormat)

Group = Literal["closed", "opening", "established", "active_close", "passive_close"]
GROUPS: tuple[Group, ...] = ("closed", "opening", "established", "active_close", "passive_close")

EventKind = Literal["app", "segment", "timer"]
EVENT_KINDS: tuple[EventKind, ...] = ("app", "segment", "timer")

ActionKind = Literal["send", "tcb", "retransmit", "timer"]
ACTION_KINDS: tuple[ActionKind, ...] = ("send", "tcb", "retransmit", "timer")

# When a timer event runs: from entry to its state (2MSL); while something that occupies sequence space (SYN, FIN,
# data) is unacknowledged (retransmission, user timeout); or in place of the `unacked` timer of the same duration
# once the scenario's retry limit is reached (RFC 9293 §3.8.3 R2).
TimerStart = Literal["entry", "unacked", "limit"]
TIMER_STARTS: tuple[TimerStart, ...] = ("entry", "unacked", "limit")

# What the application sees when the connection ends badly (a transition's `error`).
Errno = Literal["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT"]
ERRNOS: tuple[Errno, ...] = ("ECONNREFUSED", "ECONNRESET", "ETIMEDOUT")

# A condition the simulator works out as the scenario runs, rather than one a peer is given.
Fact = Literal["unread_data"]
FACTS: tuple[Fact, ...] = ("unread_data",)

# How an application carries out a close step.
CloseCall = Literal["close", "shutdown"]
CLOSE_CALLS: tuple[CloseCall, ...] = ("close", "shutdown")

Layer = Literal["figure", "note", "event_processing", "linux"]
LAYERS: tuple[Layer, ...] = ("figure", "note", "event_processing", "linux")
DEFAULT_LAYERS: tuple[Layer, ...] = ("figure", "note")

Path = Literal["client", "server"]
PATHS: tuple[Path, ...] = ("client", "server")

Flag = Literal["ACK", "FIN", "PSH", "RST", "SYN"]
FLAGS: tuple[Flag, ...] = ("ACK", "FIN", "PSH", "RST", "SYN")

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

    def __reduce__(self) -> tuple[type[Pos], tuple[str, int, int]]:
        """Pickle as the call Pos(file, line, col), not as a state dict: a cached spec holds ~2000 positions,
        and this halves the time to store and to load it (cache/spec.py)."""
        return Pos, (self.file, self.line, self.col)


@dataclass(frozen=True)
class Text:
    """One human-readable string in both languages."""

    zh: str
    en: str

    def get(self, lang: Lang) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Reference:
    """A source the spec cites (meta.references): RFC 9293, RFC 793, Stevens, the Linux sources."""

    id: str
    title: Text
    url: str
    pos: Pos = field(compare=False, repr=False)
    where: Mapping[str, Pos] = field(compare=False, repr=False, default_factory=dict)


@dataclass(frozen=True)
class Meta:
    """The spec's id, title, summary, languages and references."""

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
    netstat: str | None = None  # None: the kernel enum name without TCP_, which is what net-tools prints

    def get(self, profile: NamingProfile) -> str:
        if profile == "netstat" and self.netstat is None:
            return self.linux.removeprefix("TCP_")
        return str(getattr(self, profile))


@dataclass(frozen=True)
class State:
    """One TCP state: its names per profile, label, texts, group and the scenario that shows why it exists."""

    id: str
    group: Group
    names: Names
    label: Text
    summary: Text
    description: Text
    linux: Text | None
    pos: Pos = field(compare=False, repr=False)
    where: Mapping[str, Pos] = field(compare=False, repr=False, default_factory=dict)
    reason: str | None = None  # the scenario that shows why the state exists (TIME_WAIT: lost_last_ack)


@dataclass(frozen=True)
class Match:
    """How the simulator recognises a segment event: what the arriving segment brings that is new."""

    rst: bool
    syn: bool  # carries the peer's SYN, not seen before
    fin: bool  # carries the peer's FIN, not seen before
    acks: Acks  # newly acknowledges our SYN, our FIN, or neither
    data: bool = False  # carries bytes of the peer's data not received before
    again: bool = False  # repeats the peer's FIN, already received (a retransmission)


@dataclass(frozen=True)
class Event:
    """What makes a transition fire: an app call, an arriving segment (its match) or a timer."""

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
    start: TimerStart = "entry"  # timers: when the timer runs
    backoff: int = 1  # timers: each expiry multiplies the next wait by this (2: RFC 6298 §5.5)


@dataclass(frozen=True)
class Action:
    """What a transition does: send flags, create or delete the TCB, retransmit, (re)start a timer."""

    id: str
    kind: ActionKind
    label: Text
    rfc: str | None
    flags: tuple[Flag, ...]  # send actions: the control flags it asks for (ACK is added once synchronized)
    description: Text
    pos: Pos = field(compare=False, repr=False)
    where: Mapping[str, Pos] = field(compare=False, repr=False, default_factory=dict)
    timer: str | None = None  # timer actions: the timer event it (re)starts


@dataclass(frozen=True)
class Condition:
    """A `when` of transitions: given to a peer in a scenario, or worked out by the simulator (holds)."""

    id: str
    label: Text
    pos: Pos = field(compare=False, repr=False)
    where: Mapping[str, Pos] = field(compare=False, repr=False, default_factory=dict)
    holds: Fact | None = None  # worked out by the simulator (else a peer lists it under `conditions`)


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
    """One edge of the machine: from a state, on an event (under a condition), with actions, to a state."""

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
    error: Errno | None = None  # what the application is told when this transition ends the connection

    @property
    def id(self) -> str:
        return f"{self.source}-{self.event}-{self.target}"


@dataclass(frozen=True)
class Peer:
    """One end of a scenario: its role, start state, delayed ACK, conditions and whether it reads."""

    id: PeerId
    role: Role
    start: str
    delayed_ack: int  # ms an ACK may be held, waiting for data or a FIN to ride on; 0 = immediate
    conditions: tuple[str, ...]
    pos: Pos = field(compare=False, repr=False)
    where: Mapping[str, Pos] = field(compare=False, repr=False, default_factory=dict)
    reads: bool = True  # the application reads what arrives; False leaves received data unread


@dataclass(frozen=True)
class Step:
    """An application call in a scenario, at a time, by a peer."""

    at: int  # ms from the start of the scenario
    peer: PeerId
    event: str
    pos: Pos = field(compare=False, repr=False)
    where: Mapping[str, Pos] = field(compare=False, repr=False, default_factory=dict)
    bytes: int | None = None  # send: how many bytes the application writes
    call: CloseCall | None = None  # close: close() or shutdown(SHUT_WR) (the chart and `verify` use it)


@dataclass(frozen=True)
class Timer:
    """A named duration (or retry count) of a scenario."""

    name: str
    ms: int


@dataclass(frozen=True)
class LossRule:
    """Which segments the network loses: those `src` sends with exactly `flags`, the `nth` of them or every one."""

    src: PeerId
    flags: tuple[Flag, ...]
    nth: int | None  # 1-based ordinal among the segments `src` sends with these flags; None: every one
    pos: Pos = field(compare=False, repr=False)
    where: Mapping[str, Pos] = field(compare=False, repr=False, default_factory=dict)

    def matches(self, src: PeerId, flags: frozenset[str], count: int) -> bool:
        """Whether the `count`-th segment (1-based) with `flags` that `src` sends is lost."""
        return src == self.src and flags == frozenset(self.flags) and (self.nth is None or self.nth == count)

    @property
    def text(self) -> str:
        which = "every" if self.nth is None else f"#{self.nth}"
        return f"{which} {','.join(self.flags)} from {self.src}"


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
    rto_ms: int | None = None  # Linux's own RTO: a lost segment's first copy is resent after this many ms
    late_ms: int | None = None  # Linux timers fire up to this late (timer-wheel slots): the tolerance of resend gaps
    sysctl: tuple[tuple[PeerId, ...], str, str] | None = None  # (peers, key, value) set in those namespaces

    def as_rule(self) -> dict[str, object]:
        """The rule as {kind: argument}."""
        if self.rto_ms is not None:
            return {"rto": {"ms": self.rto_ms}}
        if self.late_ms is not None:
            return {"timers_late": {"up_to_ms": self.late_ms}}
        if self.sysctl is not None:
            return {"sysctl": {"peers": list(self.sysctl[0]), "key": self.sysctl[1], "value": self.sysctl[2]}}
        if self.time_wait_ms is not None:
            return {"time_wait": {"timer_ms": self.time_wait_ms}}
        if self.add_flags is not None:
            return {"add_flags": {"segment": self.add_flags[0], "add": list(self.add_flags[1])}}
        return {"append_segments": list(self.append_segments)}


@dataclass(frozen=True)
class Scenario:
    """Two peers, their app steps, the network and timers, and the state sequences expected of each."""

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
    lose: tuple[LossRule, ...] = ()  # segments the network loses
    retries: tuple[Timer, ...] = ()  # retry limit per retransmission timer name (RTO: 2)
    expect_errors: tuple[Errno | None, Errno | None] = (None, None)  # what A's and B's applications are told

    def peer(self, pid: PeerId) -> Peer:
        return self.peers[0] if pid == "A" else self.peers[1]

    def retry_limit(self, name: str) -> int | None:
        for t in self.retries:
            if t.name == name:
                return t.ms
        return None

    def timer(self, name: str) -> int | None:
        for t in self.timers:
            if t.name == name:
                return t.ms
        return None


@dataclass(frozen=True)
class Spec:
    """The whole spec: meta, states, events, actions, conditions, transitions, scenarios, Linux rules."""

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
