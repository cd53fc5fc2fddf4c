"""The bad-spec corpus: each file in tests/bad_specs/ has one defect and gets exactly these messages."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import Cli

BAD = Path(__file__).resolve().parent / "bad_specs"

# file stem -> (exit code, the messages after "FILE:")
CASES: dict[str, tuple[int, list[str]]] = {
    'anchor_alias': (1, [
        '21:12: anchors (&lbl) are not allowed',
        '33:12: aliases (*lbl) are not allowed',
    ]),
    'bad_bool': (1, [
        "40:18: events[2].match.rst: 'maybe' is not yes/no",
    ]),
    'bad_cite_locator': (1, [
        "55:112: transitions[0].cite[1]: citation 'rfc9293:section3': the part after ':' must be figN, noteN, s3.10.7.4 or MUST-N",
    ]),
    'bad_enum': (1, [
        "19:12: states[1].group: 'opning' is not one of: closed, opening, established, active_close, passive_close (did you mean 'opening'?)",
    ]),
    'bidi_override': (1, [
        '21:25: states[1].label.en: bidirectional control character U+202E is not allowed',
    ]),
    'case_collision': (1, [
        "24:9: states[2].id: state id 'Listen' collides with 'LISTEN' (line 18) on case-insensitive file systems",
    ]),
    'dead_end_state': (1, [
        "18:9: states[1]: no transition leaves state 'LISTEN': it would be a dead end",
    ]),
    'duplicate_key': (1, [
        "20:5: duplicate key 'group' (first defined on line 19)",
    ]),
    'duplicate_state_id': (1, [
        "24:9: states[2].id: state id 'LISTEN' is defined twice (first on line 18)",
    ]),
    'empty': (1, [
        '1:1: the spec is empty; expected a mapping with meta, states, events, …',
    ]),
    'empty_text': (1, [
        '21:25: states[1].label.en: the en text is empty',
    ]),
    'escaped_control_char': (1, [
        '21:25: states[1].label.en: control character U+001F is not allowed',
    ]),
    'explicit_tag': (1, [
        '66:22: explicit tags (tag:yaml.org,2002:int) are not allowed',
    ]),
    'fullwidth_colon': (1, [
        "19:10: full-width colon '：' (U+FF1A) after a key; YAML needs an ASCII ':' followed by a space",
    ]),
    'fullwidth_comma': (1, [
        "55:73: full-width comma '，' (U+FF0C) in a [list]; YAML separates items with an ASCII ','",
    ]),
    'gbk_encoding': (1, [
        '4:15: not valid UTF-8 (byte 0xd7; saved as GBK or another legacy encoding?); re-save the file as UTF-8',
    ]),
    'ideographic_space_indent': (1, [
        '19:1: full-width space (U+3000) in the indentation; indent with ASCII spaces',
    ]),
    'invalid_id': (1, [
        "18:9: states[1].id: '../LISTEN' is not an id: a letter, then letters, digits or _",
    ]),
    'linux_rule_notation': (1, [
        "75:23: linux_rules[0].append_segments[0]: 'A->B FIN' is not a segment as tcpdump prints it, e.g. 'A>B F.'",
    ]),
    'linux_rule_two_kinds': (1, [
        '74:9: linux_rules[0]: a Linux rule needs exactly one of time_wait, add_flags, append_segments, rto, timers_late, sysctl',
    ]),
    'missing_en': (1, [
        "21:12: states[1].label: missing field 'en'",
    ]),
    'missing_field': (1, [
        "18:5: states[1]: missing field 'summary'",
    ]),
    'missing_section': (1, [
        "42:1: actons: unknown field 'actons' (did you mean 'actions'?)",
    ]),
    'nondeterministic': (1, [
        "57:27: transitions[2]: two transitions leave 'LISTEN' on event 'close' without a distinguishing 'when' condition (the other, to 'CLOSED', is on line 56)",
    ]),
    'only_comments': (1, [
        '1:1: the spec is empty; expected a mapping with meta, states, events, …',
    ]),
    'raw_control_char': (1, [
        '22:21: control character U+0007 is not allowed',
    ]),
    'scenario_expect_start': (1, [
        "72:11: scenarios[0].expect.B[0]: the expected sequence must begin with peer B's start state 'CLOSED'",
    ]),
    'scenario_segment_step': (1, [
        "69:34: scenarios[0].steps[1].event: a step must be an app event; 'rcv_syn' is a segment event",
    ]),
    'scenario_no_transition': (1, [
        "70:9: scenarios[0].steps[2]: scenario 'listen_and_close': peer B in CLOSED at t=20 ms has no transition for event 'close' in layers figure, note, event_processing; CLOSED has transitions for: passive_open",
    ]),
    'scenario_unknown_state': (1, [
        "71:19: scenarios[0].expect.A[1]: unknown state 'LISTENING' (did you mean 'LISTEN'?)",
    ]),
    'scenario_wrong_expect': (1, [
        "71:10: scenarios[0].expect.A: scenario 'listen_and_close': peer A went CLOSED → LISTEN → CLOSED, but `expect` says CLOSED → LISTEN",
    ]),
    'segment_event_without_match': (1, [
        "37:11: events[2].match: a segment event needs a 'match' (rst, syn, fin, acks)",
    ]),
    'sexagesimal_int': (1, [
        "66:22: scenarios[0].network.delay: '2:00' is not a whole number of milliseconds",
    ]),
    'tab_indent': (1, [
        '19:1: tab character in the indentation; YAML indents with spaces',
    ]),
    'too_deep': (1, [
        '1:38: nested deeper than 32 levels',
    ]),
    'too_large': (1, [
        ' file is 1.1 MiB; the limit is 1 MiB',
    ]),
    'top_level_list': (1, [
        '1:1: the top level must be a mapping (meta, states, …), found a list',
    ]),
    'top_level_scalar': (1, [
        '1:1: the top level must be a mapping (meta, states, …), found a single value',
    ]),
    'two_documents': (1, [
        '73:1: only one YAML document is allowed',
    ]),
    'unknown_action': (1, [
        "56:56: transitions[1].actions[0]: unknown action 'delete_tbc' (did you mean 'delete_tcb'?)",
    ]),
    'unknown_cite_source': (1, [
        "55:98: transitions[0].cite[0]: unknown reference 'rfc9239' in citation (did you mean 'rfc9293'?)",
    ]),
    'unknown_condition': (1, [
        "56:75: transitions[1].when: unknown condition 'orphan' (did you mean 'orphaned'?)",
    ]),
    'unknown_event': (1, [
        "56:27: transitions[1].event: unknown event 'clsoe' (did you mean 'close'?)",
    ]),
    'unknown_field': (1, [
        "21:5: states[1].lable: unknown field 'lable' (did you mean 'label'?)",
    ]),
    'unknown_state': (1, [
        "55:45: transitions[0].to: unknown state 'LISTNE' (did you mean 'LISTEN'?)",
    ]),
    'unreachable_state': (1, [
        "18:9: states[1]: state 'LISTEN' cannot be reached from 'CLOSED'",
    ]),
    'wrong_type_list': (1, [
        '21:12: states[1].label: expected a mapping (Text), found a list',
    ]),
    'wrong_type_mapping': (1, [
        '19:12: states[1].group: expected a single value, found a mapping',
    ]),
    'zero_width_space': (1, [
        '15:17: states[0].label.zh: invisible character U+200B is not allowed',
    ]),
    'huge_number': (1, [
        "66:22: scenarios[0].network.delay: '9999999999999999999999999999999999999999'… (5000 characters) is out of range (1..60000)",
    ]),
    'number_out_of_range': (1, [
        '66:22: scenarios[0].network.delay: 60001 is out of range (1..60000)',
    ]),
    'id_trailing_newline': (1, [
        "58:9: scenarios[0].id: 'listen_and_close\\n' is not an id: a letter, then letters, digits or _",
    ]),
    'meta_id_trailing_newline': (1, [
        "3:7: meta.id: 'mini\\n' is not an id: a letter, then letters, digits or _",
    ]),
    'reserved_id': (1, [
        "52:9: conditions[0].id: 'null' is a reserved word (YAML reads it as no value or as yes/no); choose another id",
    ]),
    'unused_timers': (1, [
        "67:20: scenarios[0].timers.MSL2: scenario 'listen_and_close': timer 'MSL2' is set but never started: no state the peers entered has a transition for event (none uses it) (A ends in CLOSED, B ends in CLOSED)",
        "67:40: scenarios[0].timers.fin_wait_2: scenario 'listen_and_close': timer 'fin_wait_2' is set but never started: no state the peers entered has a transition for event (none uses it) (A ends in CLOSED, B ends in CLOSED)",
        "67:58: scenarios[0].timers.keepalive: scenario 'listen_and_close': timer 'keepalive' is set but never started: no state the peers entered has a transition for event (none uses it) (A ends in CLOSED, B ends in CLOSED)",
    ]),
}


def test_corpus_is_large_enough() -> None:
    files = sorted(p.stem for p in BAD.glob("*.yaml"))
    assert len(files) >= 30
    assert set(CASES) == set(files)


@pytest.mark.parametrize("stem", sorted(CASES))
def test_bad_spec(cli: Cli, stem: str) -> None:
    code, messages = CASES[stem]
    path = BAD / f"{stem}.yaml"
    rc, out, err = cli(["check", "--spec", str(path)])
    assert rc == code
    assert out == ""
    lines = err.splitlines()
    assert lines[-1] == f"{len(messages)} problem{'s' if len(messages) != 1 else ''} found"
    assert lines[:-1] == [f"{path}:{m}" for m in messages]
    assert "Traceback" not in err

