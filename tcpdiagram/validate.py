"""Semantic checks of a loaded spec: every problem at once, each with its file position and key path."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator

from . import model as m
from . import textcheck
from .errors import Issue
from .schema import suggest

CITE_LOCATORS = {
    "rfc": re.compile(r"(fig\d+|note\d+|s\d+(\.\d+)*|(MUST|SHLD|MAY)-\d+)", re.ASCII),
    "linux": re.compile(r"[A-Za-z0-9_./-]+\.[ch]", re.ASCII),
}


def validate(spec: m.Spec) -> list[Issue]:
    """Return every semantic problem of the spec (empty when it is sound).

    The last phase runs the simulator (simulate.check_expectations) on every scenario, on purpose: a scenario
    whose `expect` the spec's own transitions do not produce is a spec problem like any other. It runs only
    when every earlier phase found nothing, so the simulator always meets a sound spec.
    """
    return static_issues(spec) or simulation_issues(spec)


def static_issues(spec: m.Spec) -> list[Issue]:
    """Every phase but the simulations: ids, texts, references, events, determinism, reachability, scenarios,
    Linux rules, timers. A spec with none of these may be rendered and simulated (simulation_issues)."""
    issues: list[Issue] = []
    issues += _ids(spec)
    issues += _texts(spec)
    refs = list(_references(spec))
    issues += refs
    issues += _events(spec)
    issues += _determinism(spec)
    if not refs:  # reachability means little while transitions point at unknown states
        issues += _graph(spec, _first_of_each(spec.states))
    issues += _scenarios(spec)
    issues += _linux_rules(spec)
    issues += _timers(spec)
    return issues


def _first_of_each(states: tuple[m.State, ...]) -> set[str]:
    """Ids of the states that count: the first of any duplicate or case-colliding group."""
    keep: dict[str, str] = {}
    for st in states:
        keep.setdefault(unicodedata.normalize("NFKC", st.id).casefold(), st.id)
    return set(keep.values())


def _issue(obj: object, key: str, path: str, message: str) -> Issue:
    return Issue(m.where(obj, key), path, message)


# ---- ids ---------------------------------------------------------------------------------------


def _ids(spec: m.Spec) -> Iterator[Issue]:
    sections: list[tuple[str, str, Iterable[object]]] = [
        ("meta.references", "reference", spec.meta.references),
        ("states", "state", spec.states),
        ("events", "event", spec.events),
        ("actions", "action", spec.actions),
        ("conditions", "condition", spec.conditions),
        ("scenarios", "scenario", spec.scenarios),
    ]
    for section, what, items in sections:
        seen: dict[str, object] = {}
        folded: dict[str, object] = {}
        for i, item in enumerate(items):
            ident: str = getattr(item, "id")
            path = f"{section}[{i}].id"
            if ident in seen:
                first = getattr(seen[ident], "pos")
                yield _issue(item, "id", path, f"{what} id {ident!r} is defined twice (first on line {first.line})")
                continue
            key = unicodedata.normalize("NFKC", ident).casefold()
            if key in folded:
                other = folded[key]
                msg = (f"{what} id {ident!r} collides with {getattr(other, 'id')!r} (line {getattr(other, 'pos').line}) "
                       "on case-insensitive file systems")
                yield _issue(item, "id", path, msg)
                continue
            seen[ident] = item
            folded[key] = item
    first_tr: dict[str, m.Transition] = {}
    for i, t in enumerate(spec.transitions):
        if t.id in first_tr:
            line = first_tr[t.id].pos.line
            yield _issue(t, "to", f"transitions[{i}]", f"transition {t.id!r} is defined twice (first on line {line})")
        else:
            first_tr[t.id] = t
    langs = spec.meta.languages
    if sorted(langs) != ["en", "zh"] or len(langs) != 2:
        yield _issue(spec.meta, "languages", "meta.languages", f"languages must be zh and en, found {list(langs)}")


# ---- texts -------------------------------------------------------------------------------------


def _text_fields(spec: m.Spec) -> Iterator[tuple[object, str, str, m.Text]]:
    yield spec.meta, "title", "meta.title", spec.meta.title
    yield spec.meta, "summary", "meta.summary", spec.meta.summary
    for i, r in enumerate(spec.meta.references):
        yield r, "title", f"meta.references[{i}].title", r.title
    groups: list[tuple[str, tuple[object, ...], tuple[str, ...]]] = [
        ("states", spec.states, ("label", "summary", "description", "linux")),
        ("events", spec.events, ("label", "description")),
        ("actions", spec.actions, ("label", "description")),
        ("conditions", spec.conditions, ("label",)),
        ("transitions", spec.transitions, ("note",)),
        ("scenarios", spec.scenarios, ("title", "caption", "explanation", "linux")),
    ]
    for section, items, names in groups:
        for i, item in enumerate(items):
            for name in names:
                text = getattr(item, name)
                if text is not None:
                    yield item, name, f"{section}[{i}].{name}", text
    for path, rule in _all_linux_rules(spec):
        yield rule, "text", f"{path}.text", rule.text


def _texts(spec: m.Spec) -> Iterator[Issue]:
    for obj, key, path, text in _text_fields(spec):
        for lang in m.LANGS:
            value = text.get(lang)
            where = f"{key}.{lang}"
            if not value.strip():
                yield _issue(obj, where, f"{path}.{lang}", f"the {lang} text is empty")
            bad = textcheck.problem(value)  # the loader checks every string already; this is for built specs
            if bad:
                yield _issue(obj, where, f"{path}.{lang}", bad)
    for i, st in enumerate(spec.states):
        for profile in m.NAMINGS:
            bad = textcheck.problem(st.names.get(profile))  # netstat may be left out: get() derives it
            if bad:
                yield _issue(st, f"names.{profile}", f"states[{i}].names.{profile}", bad)


# ---- references --------------------------------------------------------------------------------


def _ref(obj: object, key: str, path: str, value: str, known: list[str], what: str) -> Iterator[Issue]:
    if value not in known:
        yield _issue(obj, key, path, f"unknown {what} {value!r}{suggest(value, known)}")


def _references(spec: m.Spec) -> Iterator[Issue]:
    states = [s.id for s in spec.states]
    events = [e.id for e in spec.events]
    actions = [a.id for a in spec.actions]
    conditions = [c.id for c in spec.conditions]
    sources = [r.id for r in spec.meta.references]
    for i, t in enumerate(spec.transitions):
        p = f"transitions[{i}]"
        unknown_source = False
        yield from _ref(t, "from", f"{p}.from", t.source, states, "state")
        yield from _ref(t, "to", f"{p}.to", t.target, states, "state")
        yield from _ref(t, "event", f"{p}.event", t.event, events, "event")
        for j, a in enumerate(t.actions):
            yield from _ref(t, f"actions[{j}]", f"{p}.actions[{j}]", a, actions, "action")
        if t.when is not None:
            yield from _ref(t, "when", f"{p}.when", t.when, conditions, "condition")
        for j, c in enumerate(t.cite):
            key, path = f"cite[{j}]", f"{p}.cite[{j}]"
            if c.source not in sources:
                unknown_source = True
                yield _issue(t, key, path, f"unknown reference {c.source!r} in citation{suggest(c.source, sources)}")
                continue
            family = "rfc" if c.source.startswith("rfc") else c.source
            pattern = CITE_LOCATORS.get(family)
            if pattern and not pattern.fullmatch(c.locator):
                form = "figN, noteN, s3.10.7.4 or MUST-N" if family == "rfc" else "a source file path such as net/ipv4/tcp.c"
                yield _issue(t, key, path, f"citation {str(c)!r}: the part after ':' must be {form}")
        if t.layer == "figure" and not unknown_source and not any(str(c) == "rfc9293:fig5" for c in t.cite):
            yield _issue(t, "cite", f"{p}.cite", "a transition of layer 'figure' must cite rfc9293:fig5")


# ---- events ------------------------------------------------------------------------------------


def _events(spec: m.Spec) -> Iterator[Issue]:
    matches: dict[m.Match, m.Event] = {}
    for i, e in enumerate(spec.events):
        p = f"events[{i}]"
        if e.kind == "segment" and e.match is None:
            yield _issue(e, "kind", f"{p}.match", "a segment event needs a 'match' (rst, syn, fin, acks)")
        if e.kind != "segment" and e.match is not None:
            yield _issue(e, "match", f"{p}.match", f"only segment events have a 'match' (this one is {e.kind!r})")
        if e.kind == "timer" and e.duration is None:
            yield _issue(e, "kind", f"{p}.duration", "a timer event needs a 'duration' (the name of a scenario timer)")
        if e.kind != "timer" and e.duration is not None:
            yield _issue(e, "duration", f"{p}.duration", f"only timer events have a 'duration' (this one is {e.kind!r})")
        if e.match is not None:
            if e.match in matches:
                other = matches[e.match]
                yield _issue(e, "match", f"{p}.match", f"same match as event {other.id!r} (line {other.pos.line}): "
                             "the simulator could not tell them apart")
            else:
                matches[e.match] = e
    for i, a in enumerate(spec.actions):
        if a.kind == "send" and not a.flags:
            yield _issue(a, "kind", f"actions[{i}].flags", "a send action needs 'flags'")
        if a.kind != "send" and a.flags:
            yield _issue(a, "flags", f"actions[{i}].flags", "only send actions have 'flags'")


# ---- determinism and reachability --------------------------------------------------------------


def _determinism(spec: m.Spec) -> Iterator[Issue]:
    groups: dict[tuple[str, str, str | None], m.Transition] = {}
    for i, t in enumerate(spec.transitions):
        key = (t.source, t.event, t.when)
        if key in groups:
            first = groups[key]
            cond = f" under the same condition {t.when!r}" if t.when else " without a distinguishing 'when' condition"
            msg = (f"two transitions leave {t.source!r} on event {t.event!r}{cond} "
                   f"(the other, to {first.target!r}, is on line {first.pos.line})")
            yield _issue(t, "event", f"transitions[{i}]", msg)
        else:
            groups[key] = t


def _graph(spec: m.Spec, known: set[str]) -> Iterator[Issue]:
    succ: dict[str, set[str]] = defaultdict(set)
    for t in spec.transitions:
        if t.source in known and t.target in known:
            succ[t.source].add(t.target)
    starts = [s.id for s in spec.states if s.group == "closed"]
    if not starts:
        yield Issue(spec.states[0].pos if spec.states else m.Pos(spec.file, 1, 1), "states",
                    "no state has group 'closed': the machine needs a start (CLOSED)")
        return
    seen = set(starts)
    todo = list(starts)
    while todo:
        for nxt in sorted(succ[todo.pop()]):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    for i, s in enumerate(spec.states):
        if s.id not in known or s is not spec.state(s.id):
            continue  # its id is already reported as a duplicate or a collision
        if s.id not in seen:
            yield _issue(s, "id", f"states[{i}]", f"state {s.id!r} cannot be reached from {starts[0]!r}")
        if s.group != "closed" and not (succ[s.id] - {s.id}):
            yield _issue(s, "id", f"states[{i}]", f"no transition leaves state {s.id!r}: it would be a dead end")


# ---- scenarios ---------------------------------------------------------------------------------


def _scenarios(spec: m.Spec) -> Iterator[Issue]:
    states = [s.id for s in spec.states]
    events = {e.id: e for e in spec.events}
    conditions = [c.id for c in spec.conditions]
    for i, sc in enumerate(spec.scenarios):
        p = f"scenarios[{i}]"
        for peer in sc.peers:
            pp = f"{p}.peers.{peer.id}"
            yield from _ref(peer, "start", f"{pp}.start", peer.start, states, "state")
            for j, c in enumerate(peer.conditions):
                yield from _ref(peer, f"conditions[{j}]", f"{pp}.conditions[{j}]", c, conditions, "condition")
        last = 0
        for j, st in enumerate(sc.steps):
            sp = f"{p}.steps[{j}]"
            if st.event not in events:
                yield _issue(st, "event", f"{sp}.event", f"unknown event {st.event!r}{suggest(st.event, list(events))}")
            elif events[st.event].kind != "app":
                yield _issue(st, "event", f"{sp}.event",
                             f"a step must be an app event; {st.event!r} is a {events[st.event].kind} event")
            if st.at < last:
                yield _issue(st, "at", f"{sp}.at", f"steps must be in time order ({st.at} ms comes after {last} ms)")
            last = max(last, st.at)
        for k, (pid, seq) in enumerate(zip(m.PEERS, sc.expect)):
            for j, sid in enumerate(seq):
                key = f"expect.{pid}[{j}]"
                yield from _ref(sc, key, f"{p}.{key}", sid, states, "state")
            if seq and seq[0] != sc.peers[k].start:
                yield _issue(sc, f"expect.{pid}[0]", f"{p}.expect.{pid}[0]",
                             f"the expected sequence must begin with peer {pid}'s start state {sc.peers[k].start!r}")
        if sc.seq[0] == sc.seq[1]:
            yield _issue(sc, "seq", f"{p}.seq", "A and B need different sequence symbols")


def _all_linux_rules(spec: m.Spec) -> Iterator[tuple[str, m.LinuxRule]]:
    for i, rule in enumerate(spec.linux_rules):
        yield f"linux_rules[{i}]", rule
    for i, sc in enumerate(spec.scenarios):
        for j, rule in enumerate(sc.linux_rules):
            yield f"scenarios[{i}].linux_rules[{j}]", rule


def _linux_rules(spec: m.Spec) -> Iterator[Issue]:
    seen: dict[str, m.LinuxRule] = {}
    for path, rule in _all_linux_rules(spec):
        if rule.id in seen:
            yield _issue(rule, "id", f"{path}.id",
                         f"Linux rule id {rule.id!r} is defined twice (first on line {seen[rule.id].pos.line})")
        seen.setdefault(rule.id, rule)
        kinds = [rule.time_wait_ms is not None, rule.add_flags is not None, bool(rule.append_segments),
                 rule.rto_ms is not None, rule.late_ms is not None, rule.sysctl is not None]
        if sum(kinds) != 1:
            yield _issue(rule, "id", path, "a Linux rule needs exactly one of time_wait, add_flags, append_segments, "
                                           "rto, timers_late, sysctl")
        for j, seg in enumerate(rule.append_segments + ((rule.add_flags[0],) if rule.add_flags else ())):
            if seg[0] == seg[2]:
                key = f"append_segments[{j}]" if j < len(rule.append_segments) else "add_flags.segment"
                yield _issue(rule, key, f"{path}.{key}", f"segment {seg!r} goes from a peer to itself")


def _timers(spec: m.Spec) -> Iterator[Issue]:
    """Timer starts, backoff, retry limits, timer actions, dynamic conditions and state reasons refer to real things."""
    events = {e.id: e for e in spec.events}
    unacked = {e.duration for e in spec.events if e.kind == "timer" and e.start == "unacked"}
    for i, e in enumerate(spec.events):
        p = f"events[{i}]"
        if e.kind != "timer" and (e.start != "entry" or e.backoff != 1):
            key = "start" if e.start != "entry" else "backoff"
            yield _issue(e, key, f"{p}.{key}", f"only timer events have a '{key}' (this one is {e.kind!r})")
        if e.start == "limit" and e.duration not in unacked:
            yield _issue(e, "start", f"{p}.start", f"a 'limit' timer fires in place of a timer with 'start: unacked' "
                         f"and the same duration, but no such timer has duration {e.duration!r}")
        if e.start != "unacked" and e.backoff != 1:
            yield _issue(e, "backoff", f"{p}.backoff", "only a timer with 'start: unacked' (a retransmission) backs off")
    for i, a in enumerate(spec.actions):
        p = f"actions[{i}]"
        if a.kind == "timer":
            target = events.get(a.timer or "")
            if target is None or target.kind != "timer" or target.start != "entry":
                yield _issue(a, "timer" if a.timer else "kind", f"{p}.timer",
                             f"a timer action needs 'timer': a timer event with 'start: entry'; {a.timer!r} is not one")
        elif a.timer is not None:
            yield _issue(a, "timer", f"{p}.timer", f"only timer actions have a 'timer' (this one is {a.kind!r})")
    holds = {c.id for c in spec.conditions if c.holds is not None}
    scenarios = [sc.id for sc in spec.scenarios]
    for i, st in enumerate(spec.states):
        if st.reason is not None:
            yield from _ref(st, "reason", f"states[{i}].reason", st.reason, scenarios, "scenario")
    for i, sc in enumerate(spec.scenarios):
        p = f"scenarios[{i}]"
        for t in sc.retries:
            if t.name not in unacked:
                yield _issue(sc, f"retries.{t.name}", f"{p}.retries.{t.name}",
                             f"retry limit for {t.name!r}, which is not the duration of a timer with 'start: unacked'"
                             f"{suggest(t.name, sorted(x for x in unacked if x))}")
        for peer in sc.peers:
            for j, c in enumerate(peer.conditions):
                if c in holds:
                    yield _issue(peer, f"conditions[{j}]", f"{p}.peers.{peer.id}.conditions[{j}]",
                                 f"condition {c!r} is worked out by the simulator ('holds'); a peer cannot be given it")


def simulation_issues(spec: m.Spec) -> list[Issue]:
    """Run every scenario and compare with its `expect` (only on a spec without static_issues)."""
    from .simulate import check_expectations

    issues = []
    for i, sc in enumerate(spec.scenarios):
        for key, message in check_expectations(spec, sc):
            issues.append(_issue(sc, key, f"scenarios[{i}].{key}" if key else f"scenarios[{i}]", message))
    return issues
