"""The whole spec as plain JSON-ready data (the shape documented in the README)."""

from __future__ import annotations

from typing import Any

from . import model as m


def _text(t: m.Text | None) -> dict[str, str] | None:
    return None if t is None else {"zh": t.zh, "en": t.en}


def _rules(rules: tuple[m.LinuxRule, ...]) -> list[dict[str, Any]]:
    return [{"id": r.id, "text": _text(r.text), **r.as_rule()} for r in rules]


def spec_to_json(spec: m.Spec) -> dict[str, Any]:
    """Return the spec as dicts and lists in spec order; positions are left out."""
    return {
        "meta": {
            "id": spec.meta.id,
            "title": _text(spec.meta.title),
            "summary": _text(spec.meta.summary),
            "languages": list(spec.meta.languages),
            "references": [{"id": r.id, "title": _text(r.title), "url": r.url} for r in spec.meta.references],
        },
        "states": [
            {
                "id": s.id,
                "group": s.group,
                "names": {p: s.names.get(p) for p in m.NAMINGS},
                "label": _text(s.label),
                "summary": _text(s.summary),
                "description": _text(s.description),
                "linux": _text(s.linux),
                "reason": s.reason,
            }
            for s in spec.states
        ],
        "events": [
            {
                "id": e.id,
                "kind": e.kind,
                "rfc": e.rfc,
                "call": e.call,
                "label": _text(e.label),
                "match": None if e.match is None else {
                    "rst": e.match.rst, "syn": e.match.syn, "fin": e.match.fin, "acks": e.match.acks,
                    "data": e.match.data, "again": e.match.again,
                },
                "duration": e.duration,
                "start": e.start if e.kind == "timer" else None,
                "backoff": e.backoff if e.kind == "timer" else None,
                "description": _text(e.description),
            }
            for e in spec.events
        ],
        "actions": [
            {"id": a.id, "kind": a.kind, "rfc": a.rfc, "flags": list(a.flags), "timer": a.timer, "label": _text(a.label),
             "description": _text(a.description)}
            for a in spec.actions
        ],
        "conditions": [{"id": c.id, "label": _text(c.label), "holds": c.holds} for c in spec.conditions],
        "transitions": [
            {
                "id": t.id,
                "from": t.source,
                "event": t.event,
                "to": t.target,
                "actions": list(t.actions),
                "layer": t.layer,
                "cite": [str(c) for c in t.cite],
                "path": t.path,
                "when": t.when,
                "note": _text(t.note),
                "error": t.error,
            }
            for t in spec.transitions
        ],
        "scenarios": [
            {
                "id": sc.id,
                "kind": sc.kind,
                "title": _text(sc.title),
                "caption": _text(sc.caption),
                "peers": {
                    p.id: {"role": p.role, "start": p.start, "delayed_ack": p.delayed_ack,
                           "conditions": list(p.conditions), "reads": p.reads}
                    for p in sc.peers
                },
                "delay": sc.delay,
                "lose": [{"from": r.src, "flags": list(r.flags), "nth": r.nth if r.nth is not None else "every"}
                         for r in sc.lose],
                "timers": {t.name: t.ms for t in sc.timers},
                "retries": {t.name: t.ms for t in sc.retries},
                "layers": list(sc.layers),
                "steps": [{"at": st.at, "peer": st.peer, "event": st.event,
                           **({"bytes": st.bytes} if st.bytes is not None else {}),
                           **({"call": st.call} if st.call is not None else {})} for st in sc.steps],
                "expect": {"A": list(sc.expect[0]), "B": list(sc.expect[1]),
                           "errors": {pid: e for pid, e in zip(m.PEERS, sc.expect_errors) if e}},
                "linux_rules": _rules(sc.linux_rules),
            }
            for sc in spec.scenarios
        ],
        "linux_rules": _rules(spec.linux_rules),
    }
