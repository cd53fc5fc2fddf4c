"""Hostile spec input: line counting, one list of forbidden characters, full-match ids, reserved words, binary
and UTF-32 files, floods of one problem, and a bounded random-mutation fuzz of `tcpdiagram check`."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tcpdiagram.cli import main
from tcpdiagram.errors import SpecError
from tcpdiagram.loader import load_bytes
from tcpdiagram.specfile import load_checked

MINIMAL = (Path(__file__).resolve().parent / "data" / "minimal.yaml").read_text(encoding="utf-8")
GROUP_LINE = 19  # `    group: opening` of LISTEN in tests/data/minimal.yaml


def issues_of(text: str | bytes) -> list[str]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    try:
        from tcpdiagram.validate import validate

        return [str(i) for i in validate(load_bytes(data, "x.yaml"))]
    except SpecError as e:
        return [str(i) for i in e.issues]


def _replace(old: str, new: str) -> str:
    assert MINIMAL.count(old) == 1, old
    return MINIMAL.replace(old, new)


# ---- 7. lines are counted as an editor counts them -----------------------------------------------------------


@pytest.mark.parametrize("sep", ["\u2028", "\u2029"])
def test_line_separators_in_a_label_do_not_shift_later_lines(sep: str) -> None:
    text = _replace("label: {zh: 关闭, en: Closed}", f'label: {{zh: "关{sep}闭", en: "Clo{sep}{sep}sed"}}')
    text = text.replace("group: opening", "group: opning")
    assert MINIMAL.splitlines()[GROUP_LINE - 1] == "    group: opening"
    [issue] = issues_of(text)
    assert issue.startswith(f"x.yaml:{GROUP_LINE}:12: states[1].group: 'opning' is not one of")


def test_a_raw_next_line_character_is_a_control_at_its_place() -> None:
    """U+0085 (NEL) is a line break to YAML and to str.splitlines(), a C1 control to an editor."""
    text = _replace("en: Closed}", "en: Clo\x85sed}")
    assert issues_of(text) == ["x.yaml:15:28: control character U+0085 is not allowed"]


def test_syntax_error_after_a_line_separator_points_at_the_editor_line() -> None:
    text = _replace("label: {zh: 关闭, en: Closed}", 'label: {zh: "a\u2028b\u2028c", en: Closed}')
    text = text.replace("    group: opening\n", "    group: [opening\n")
    [issue] = issues_of(text)
    assert issue.startswith(f"x.yaml:{GROUP_LINE + 1}:") and "YAML syntax error" in issue


# ---- 8. one list of forbidden characters, for every string of the spec ---------------------------------------

FORBIDDEN = {
    "\U000e0041": "invisible",  # TAG LATIN CAPITAL LETTER A
    "\U000e0000": "invisible",  # unassigned, inside the tag block
    "\u2064": "invisible",  # INVISIBLE PLUS
    "\u00ad": "invisible",  # SOFT HYPHEN
    "\u3164": "invisible",  # HANGUL FILLER
    "\u200b": "invisible",
    "\ufeff": "invisible",
    "\u202e": "bidirectional control",  # RIGHT-TO-LEFT OVERRIDE
    "\u2066": "bidirectional control",
    "\u200f": "bidirectional control",
    "\x1f": "control",
    "\ufdd0": "non-character",
}
# (text in tests/data/minimal.yaml, how it is written with a character X in it, the key path reported)
FIELDS = [
    ("label: {zh: 监听, en: Listen}", 'label: {zh: 监听, en: "ListXen"}', "states[1].label.en"),
    ("names: {rfc: LISTEN, stevens", 'names: {rfc: "LISXTEN", stevens', "states[1].names.rfc"),
    ("ss: UNCONN}", 'ss: "UNXCONN"}', "states[0].names.ss"),
    ("rfc: passive OPEN\n", 'rfc: "passive XOPEN"\n', "events[0].rfc"),
    ("call: listen()", 'call: "listXen()"', "events[0].call"),
    ("title: {zh: 最小规格, en: Minimal spec}", 'title: {zh: "最小X规格", en: Minimal spec}', "meta.title.zh"),
    ("label: {zh: 孤儿套接字, en: orphaned socket}", 'label: {zh: 孤儿套接字, en: "orphXaned socket"}',
     "conditions[0].label.en"),
    ('title: {zh: 监听后关闭, en: "Listen, then close"}', 'title: {zh: 监听后关闭, en: "Listen, thXen close"}',
     "scenarios[0].title.en"),
    ("url: https://www.rfc-editor.org/rfc/rfc9293", 'url: "https://www.rfc-editor.org/rfc/rfcX9293"',
     "meta.references[0].url"),
]


@pytest.mark.parametrize("char", list(FORBIDDEN), ids=[f"U+{ord(c):04X}" for c in FORBIDDEN])
@pytest.mark.parametrize(("old", "new", "path"), FIELDS, ids=[f[2] for f in FIELDS])
def test_forbidden_characters_are_refused_in_every_field(char: str, old: str, new: str, path: str) -> None:
    escaped = char.encode("unicode_escape").decode("ascii").replace("\\x", "\\x")  # a YAML double-quoted escape
    found = issues_of(_replace(old, new.replace("X", escaped)))
    want = f"{path}: {FORBIDDEN[char]} character U+{ord(char):04X} is not allowed"
    assert [i.split(": ", 1)[1] for i in found] == [want], found


def test_tab_newline_and_ordinary_text_are_allowed() -> None:
    from tcpdiagram import textcheck

    assert textcheck.problem("SYN_RCVD 同步已接收 — ‘quoted’ ① 😀 שלום\n") is None
    assert textcheck.problem("a\tb") == "control character U+0009 is not allowed"


# ---- 3 and 9. ids match whole, and YAML's words are no ids ---------------------------------------------------

TRAILING_NEWLINE = [
    ("  - id: orphaned\n", '  - id: "orphaned\\n"\n', "conditions[0].id"),
    ("  id: mini\n", '  id: "mini\\n"\n', "meta.id"),
    ("    - id: rfc9293\n", '    - id: "rfc9293\\n"\n', "meta.references[0].id"),
    ("  - id: listen_and_close\n", '  - id: "listen_and_close\\n"\n', "scenarios[0].id"),
    ("  - id: LISTEN\n", '  - id: "LISTEN\\n"\n', "states[1].id"),
    ("network: {delay: 50}", 'network: {delay: "50\\n"}', "scenarios[0].network.delay"),
    ("layer: figure, cite: [rfc9293:fig5]}\n  - {from: LISTEN", 'layer: figure, cite: ["rfc9293:fig5\\n"]}\n  - {from: LISTEN',
     "transitions[0].cite[0]"),
]


@pytest.mark.parametrize(("old", "new", "path"), TRAILING_NEWLINE, ids=[t[2] for t in TRAILING_NEWLINE])
def test_a_trailing_newline_never_passes_a_pattern(old: str, new: str, path: str) -> None:
    found = issues_of(_replace(old, new))
    assert any(f": {path}: " in i and "\\n'" in i for i in found), found


@pytest.mark.parametrize("word", ["null", "Null", "NULL", "true", "False", "yes", "NO", "on", "Off", "y", "N"])
def test_yaml_words_are_refused_as_ids(word: str) -> None:
    found = issues_of(_replace("  - id: orphaned\n", f'  - id: "{word}"\n'))
    assert f"x.yaml:52:9: conditions[0].id: {word!r} is a reserved word (YAML reads it as no value or as yes/no); " \
           "choose another id" in found


# ---- 11. binary files, UTF-32, floods of one problem ---------------------------------------------------------


def test_binary_file_is_named_so_at_the_first_byte() -> None:
    assert issues_of(b"\x00\x01\x02PNG\x89garbage\n" * 50) == [
        "x.yaml:1:1: binary file, not a YAML spec (a NUL byte at byte offset 0)"]
    assert issues_of(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR") == [
        "x.yaml:1:1: binary file, not a YAML spec (a NUL byte at byte offset 8)"]


def test_utf32_with_a_byte_order_mark_is_read() -> None:
    for codec in ("utf-32", "utf-32-be"):
        data = MINIMAL.encode(codec)
        if codec == "utf-32-be":
            data = b"\x00\x00\xfe\xff" + data
        assert load_bytes(data, "x.yaml").states[1].label.zh == "监听"


def test_utf16_without_a_byte_order_mark_is_binary_not_a_flood() -> None:
    assert issues_of(MINIMAL.encode("utf-16-le")) == [
        "x.yaml:1:1: binary file, not a YAML spec (a NUL byte at byte offset 1)"]


def test_one_problem_repeated_is_shown_a_few_times_then_counted(tmp_path: Path) -> None:
    text = _replace("en: Closed}", "en: Closed}  # " + "\x01" * 400)
    spec = tmp_path / "flood.yaml"
    spec.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as e:
        load_checked(spec, use_cache=False)
    assert e.value.total == 400
    shown = [str(i) for i in e.value.issues]
    assert len(shown) == SpecError.MAX_SAME + 1
    assert shown[-1] == f"{spec}:15:{36 + SpecError.MAX_SAME}: … and {400 - SpecError.MAX_SAME} more: " \
                        "control character U+0001 is not allowed"


# ---- the fuzz: random mutations of a valid spec through `tcpdiagram check` -----------------------------------

TRAPS = st.sampled_from([
    "\x00", "\t", "\u3000", "：", "，", "\u2028", "\u2029", "\x85", "\u202e", "\U000e0041", "\u00ad", "\ufeff",
    "9" * 5000, "-1", "0x10", "1e9", "null", "~", "yes", "&a ", "*a", "!!python/object:os.system ", "[", "{",
    "]]", "}}", "\"", "'", "\\", ": ", "- ", "\n  ", "\n- ", "%YAML 1.1\n", "---\n", "? ", "<<: ", "\r",
])


def run_check(path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    monkeypatch.setattr(sys, "argv", ["tcpdiagram", "check", "--spec", str(path)])
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    out, err = capsys.readouterr()
    return code, out + err


@settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow,
                                                                HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(0, len(MINIMAL)), st.integers(0, 40), st.one_of(st.text(max_size=8), TRAPS)),
                      min_size=1, max_size=4))
def test_check_survives_random_mutations(edits: list[tuple[int, int, str]], tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Insert, delete or replace text anywhere: exit 0 or 1, every problem located, never a traceback or exit 4."""
    text = MINIMAL
    for at, cut, insert in edits:
        at = min(at, len(text))
        text = text[:at] + insert + text[at + cut:]
    path = tmp_path / "fuzz.yaml"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    code, output = run_check(path, capsys, monkeypatch)
    assert code in (0, 1), output
    assert "Traceback" not in output and "internal error" not in output
    if code == 1:
        lines = output.splitlines()
        assert lines[-1].endswith(" found") and all(line.startswith(str(path)) for line in lines[:-1]), output
