"""Load a spec file: strict YAML tree, typed by the schema, built into the frozen model."""

from __future__ import annotations

from typing import Any

from . import model as m
from . import schema as s
from . import textcheck
from .errors import Issue, SpecError
from .yamlsource import YamlIssues, YMap, YNode, YSeq, YStr, read_tree


class Rec(dict):  # type: ignore[type-arg]
    """A typed mapping that remembers where it and each of its keys stand in the file."""

    pos: m.Pos
    key_pos: dict[str, m.Pos]
    val_pos: dict[str, m.Pos]
    path: str


class Seq(list):  # type: ignore[type-arg]
    pos: m.Pos
    item_pos: list[m.Pos]


def load_bytes(data: bytes, file: str) -> m.Spec:
    """Type and build a spec from its bytes (`file` names it in messages); raise SpecError with every problem.

    Validation is separate (validate.py); specfile.load_checked reads the file and does both.
    """
    try:
        tree = read_tree(data, file)
    except YamlIssues as e:
        raise SpecError(e.issues) from None
    issues: list[Issue] = []
    if not isinstance(tree, YMap):
        found = "a list" if isinstance(tree, YSeq) else "a single value"
        raise SpecError([Issue(tree.pos, "", f"the top level must be a mapping (meta, states, …), found {found}")])
    raw = _typed(s.SPEC, tree, "", issues)
    if issues:
        raise SpecError(issues)
    return _build(raw, file)


# ---- typing ------------------------------------------------------------------------------------


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _typed(shape: Any, node: YNode, path: str, issues: list[Issue]) -> Any:
    if isinstance(shape, s.Record):
        if not isinstance(node, YMap):
            issues.append(Issue(node.pos, path, f"expected a mapping ({shape.name}), found {_kind(node)}"))
            return None
        rec = Rec()
        rec.pos, rec.key_pos, rec.path = node.pos, dict(node.key_pos), path
        rec.val_pos = {k: v.pos for k, v in node.items.items()}
        misspelt: set[str] = set()
        for key, kpos in node.key_pos.items():
            if key not in shape.fields:
                hint = s.suggest(key, tuple(shape.fields))
                if hint:
                    misspelt.add(hint.split("'")[1])
                elif shape is s.TEXT:
                    hint = " (a comma inside {…} starts a new entry: put the text in quotes)"
                issues.append(Issue(kpos, _join(path, key), f"unknown field {key!r}{hint}"))
        for name, f in shape.fields.items():
            sub = node.items.get(name)
            if sub is None:
                if f.required and name not in misspelt:  # the misspelling is already reported
                    issues.append(Issue(node.pos, path or "(top level)", f"missing field {name!r}"))
                rec[name] = f.default
                continue
            if f.nullable and isinstance(sub, YStr) and sub.plain and sub.value in s.NULL:
                rec[name] = None
                continue
            rec[name] = _typed(f.shape, sub, _join(path, name), issues)
        return rec
    if isinstance(shape, s.ListOf):
        if not isinstance(node, YSeq):
            issues.append(Issue(node.pos, path, f"expected a list, found {_kind(node)}"))
            return None
        if len(node.items) < shape.min_items:
            issues.append(Issue(node.pos, path, f"needs at least {shape.min_items} item(s)"))
        out = Seq(_typed(shape.item, item, _join(path, i), issues) for i, item in enumerate(node.items))
        out.pos, out.item_pos = node.pos, [i.pos for i in node.items]
        return out
    if isinstance(shape, s.MapOf):
        if not isinstance(node, YMap):
            issues.append(Issue(node.pos, path, f"expected a mapping, found {_kind(node)}"))
            return None
        rec = Rec()
        rec.pos, rec.key_pos, rec.path = node.pos, dict(node.key_pos), path
        rec.val_pos = {k: v.pos for k, v in node.items.items()}
        for key, sub in node.items.items():
            _, err = s.check_scalar(shape.key, key)
            err = textcheck.problem(key) or err
            if err:
                issues.append(Issue(node.key_pos[key], _join(path, key), err))
            rec[key] = _typed(shape.value, sub, _join(path, key), issues)
        return rec
    if not isinstance(node, YStr):
        issues.append(Issue(node.pos, path, f"expected a single value, found {_kind(node)}"))
        return None
    bad = textcheck.problem(node.value)  # every string of the spec, names and ids included: one list
    if bad:
        issues.append(Issue(node.pos, path, bad))
        return node.value
    value, err = s.check_scalar(shape, node.value)
    if err:
        issues.append(Issue(node.pos, path, err))
    return value


def _kind(node: YNode) -> str:
    if isinstance(node, YMap):
        return "a mapping"
    if isinstance(node, YSeq):
        return "a list"
    return f"the value {node.value!r}"


# ---- building the model ------------------------------------------------------------------------


def _where(r: Rec) -> dict[str, m.Pos]:
    """Flatten the positions of every field under a record: 'to', 'actions[1]', 'expect.A[2]'."""
    out: dict[str, m.Pos] = {}

    def walk(value: object, prefix: str) -> None:
        if isinstance(value, Rec):
            for k, p in value.val_pos.items():
                key = f"{prefix}.{k}" if prefix else k
                out[key] = p
                walk(value.get(k), key)
        elif isinstance(value, Seq):
            for i, (item, p) in enumerate(zip(value, value.item_pos)):
                out[f"{prefix}[{i}]"] = p
                walk(item, f"{prefix}[{i}]")

    walk(r, "")
    return out


def _text(r: Rec | None) -> m.Text | None:
    return None if r is None else m.Text(zh=r["zh"], en=r["en"])


def _req_text(r: Rec) -> m.Text:
    return m.Text(zh=r["zh"], en=r["en"])


def _build(raw: Rec, file: str) -> m.Spec:
    meta = raw["meta"]
    spec = m.Spec(
        meta=m.Meta(
            id=meta["id"],
            title=_req_text(meta["title"]),
            summary=_req_text(meta["summary"]),
            languages=tuple(meta["languages"]),
            references=tuple(
                m.Reference(r["id"], _req_text(r["title"]), r["url"], r.pos, _where(r)) for r in meta["references"]
            ),
            pos=meta.pos,
            where=_where(meta),
        ),
        states=tuple(_state(r) for r in raw["states"]),
        events=tuple(_event(r) for r in raw["events"]),
        actions=tuple(
            m.Action(r["id"], r["kind"], _req_text(r["label"]), r["rfc"], tuple(r["flags"]),
                     _req_text(r["description"]), r.pos, _where(r), timer=r["timer"])
            for r in raw["actions"]
        ),
        conditions=tuple(m.Condition(r["id"], _req_text(r["label"]), r.pos, _where(r), holds=r["holds"])
                         for r in raw["conditions"]),
        transitions=tuple(_transition(r) for r in raw["transitions"]),
        scenarios=tuple(_scenario(r) for r in raw["scenarios"]),
        linux_rules=tuple(_linux_rule(r) for r in raw["linux_rules"]),
        file=file,
    )
    return spec


def _state(r: Rec) -> m.State:
    n = r["names"]
    return m.State(
        id=r["id"], group=r["group"], names=m.Names(*(n[p] for p in m.NAMINGS)),
        label=_req_text(r["label"]), summary=_req_text(r["summary"]),
        description=_req_text(r["description"]), linux=_text(r["linux"]), pos=r.pos, where=_where(r),
        reason=r["reason"],
    )


def _event(r: Rec) -> m.Event:
    mt = r["match"]
    match = None if mt is None else m.Match(rst=mt["rst"], syn=mt["syn"], fin=mt["fin"], acks=mt["acks"],
                                            data=mt["data"], again=mt["again"])
    return m.Event(
        id=r["id"], kind=r["kind"], label=_req_text(r["label"]), rfc=r["rfc"], call=r["call"],
        match=match, duration=r["duration"], description=_req_text(r["description"]), pos=r.pos,
        where=_where(r), start=r["start"] or "entry", backoff=r["backoff"] or 1,
    )


def _transition(r: Rec) -> m.Transition:
    cites = r["cite"]
    return m.Transition(
        source=r["from"], event=r["event"], target=r["to"], actions=tuple(r["actions"]),
        layer=r["layer"],
        cite=tuple(m.Cite(c.split(":", 1)[0], c.split(":", 1)[1], p) for c, p in zip(cites, cites.item_pos)),
        path=r["path"], when=r["when"], note=_text(r["note"]), pos=r.pos, where=_where(r), error=r["error"],
    )


def _linux_rule(r: Rec) -> m.LinuxRule:
    add = r["add_flags"]
    return m.LinuxRule(
        id=r["id"], text=_req_text(r["text"]),
        time_wait_ms=None if r["time_wait"] is None else r["time_wait"]["timer_ms"],
        add_flags=None if add is None else (add["segment"], tuple(add["add"])),
        append_segments=tuple(r["append_segments"] or ()), pos=r.pos, where=_where(r),
        rto_ms=None if r["rto"] is None else r["rto"]["ms"],
        late_ms=None if r["timers_late"] is None else r["timers_late"]["up_to_ms"],
        sysctl=None if r["sysctl"] is None else (tuple(r["sysctl"]["peers"]), r["sysctl"]["key"], r["sysctl"]["value"]),
    )


def _scenario(r: Rec) -> m.Scenario:
    peers = r["peers"]

    def peer(pid: m.PeerId) -> m.Peer:
        p = peers[pid]
        return m.Peer(pid, p["role"], p["start"], p["delayed_ack"], tuple(p["conditions"]), p.pos, _where(p),
                      reads=p["reads"])

    seq = r["seq"] or {"A": "J", "B": "K"}
    layers = tuple(r["layers"]) if r["layers"] else ("figure", "note", "event_processing")
    return m.Scenario(
        id=r["id"], kind=r["kind"], title=_req_text(r["title"]), caption=_req_text(r["caption"]),
        explanation=_req_text(r["explanation"]), linux=_text(r["linux"]),
        linux_rules=tuple(_linux_rule(x) for x in r["linux_rules"]),
        peers=(peer("A"), peer("B")), delay=r["network"]["delay"],
        timers=tuple(m.Timer(k, v) for k, v in r["timers"].items()),
        layers=layers,
        steps=tuple(m.Step(st["at"], st["peer"], st["event"], st.pos, _where(st), bytes=st["bytes"], call=st["call"])
                    for st in r["steps"]),
        seq=(seq["A"], seq["B"]),
        expect=(tuple(r["expect"]["A"]), tuple(r["expect"]["B"])),
        pos=r.pos, where=_where(r),
        lose=tuple(_loss_rule(x) for x in r["network"]["lose"]),
        retries=tuple(m.Timer(k, v) for k, v in r["retries"].items()),
        expect_errors=(errors["A"], errors["B"]) if (errors := r["expect"]["errors"]) else (None, None),
    )


def _loss_rule(r: Rec) -> m.LossRule:
    return m.LossRule(src=r["from"], flags=tuple(f for f in m.FLAGS if f in r["flags"]),
                      nth=None if r["nth"] == "every" else int(r["nth"]), pos=r.pos, where=_where(r))
