"""The one catalogue of UI words and the glossary: both languages filled, same placeholders, terms chosen once."""

from __future__ import annotations

import ast
import re
import string
import unicodedata
from pathlib import Path

import pytest

from tcpdiagram import words
from tcpdiagram.glossary import TERMS
from tcpdiagram.model import Spec, Text

ROOT = Path(__file__).resolve().parent.parent
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")


def fields(text: str) -> list[str]:
    return sorted(name or "" for _, name, _, _ in string.Formatter().parse(text) if name is not None)


@pytest.mark.parametrize("key", sorted(words.CATALOGUE))
def test_every_key_has_zh_and_en_with_the_same_placeholders(key: str) -> None:
    entry = words.CATALOGUE[key]
    assert entry.zh.strip() and entry.en.strip(), f"{key}: an empty language"
    assert fields(entry.zh) == fields(entry.en), f"{key}: placeholders differ"
    assert not CJK.search(entry.en), f"{key}: Chinese characters in the English text {entry.en!r}"


def test_the_five_old_tables_are_read_from_the_catalogue() -> None:
    from tcpdiagram.render import observed_chart, sequence, state_dot
    from tcpdiagram.site import strings
    from tcpdiagram.trace import ROLE_NAMES

    assert state_dot.word("client", "zh") == words.t("zh", "diagram.client")
    assert sequence.UI["en"]["later"] == words.t("en", "chart.later")
    assert observed_chart.TITLE["zh"] == words.t("zh", "observed.title")
    assert ROLE_NAMES["en"]["client"] == words.t("en", "peer_title.client")
    assert strings.GROUPS["zh"]["closed"] == words.t("zh", "group.closed")
    for name in ("state_dot.py", "sequence.py"):  # no second table of words hides in the renderers
        assert '"zh": {' not in (ROOT / "tcpdiagram/render" / name).read_text(encoding="utf-8")


def test_the_trace_and_site_ui_tables_are_read_from_the_catalogue() -> None:
    from tcpdiagram.capture import notes, site, strings
    from tcpdiagram.site.strings import SITE_UI

    assert strings.t("zh", "head") == words.t("zh", "trace.head")
    assert notes.text(notes.note("assumed_start", who="A", state="LISTEN", why="no_reply"), "zh") == (
        "A 被认为原先处于 LISTEN（它没有回应）")
    assert site.PAGE["title"] == words.text("captures.title") and site.CAPTURES[0].source.en == "tcpdump's test suite"
    assert SITE_UI["en"]["not_found_title"] == words.t("en", "site_ui.not_found_title")


IDEOGRAPH = re.compile(r"[\u3400-\u9fff]")
# Chinese text that may stay outside words.py and glossary.py: file → names of the assignments that hold it.
ALLOWED = {
    "tcpdiagram/schema.py": {"TEXT"},  # the spec schema's own field doc ("中文"), spec data, not a UI string
    "tcpdiagram/site/strings.py": {"SEARCH_ALIASES"},  # search keys in both languages, not words the site shows
}


def _chinese_literals(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    allowed, skip = ALLOWED.get(str(path.relative_to(ROOT)), set()), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            skip.add(id(node.value))  # a docstring
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        if any(isinstance(x, ast.Name) and x.id in allowed for x in targets):
            skip |= {id(n) for n in ast.walk(node)}
    return [(n.lineno, n.value) for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in skip and IDEOGRAPH.search(n.value)]


def test_no_chinese_string_lives_outside_the_catalogue_and_the_glossary() -> None:
    found = [f"{p.relative_to(ROOT)}:{line}: {value!r}"
             for p in sorted((ROOT / "tcpdiagram").rglob("*.py")) if p.name not in ("words.py", "glossary.py")
             for line, value in _chinese_literals(p)]
    assert not found, "Chinese UI text outside tcpdiagram/words.py:\n" + "\n".join(found)


def test_legend_and_tables_use_one_term_for_the_usual_path() -> None:
    term = TERMS["usual_path"].zh
    assert term in words.t("zh", "diagram.client") and term in words.t("zh", "legend_client")
    assert words.t("zh", "path") == term


def _spec_texts(spec: Spec) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []

    def walk(where: str, value: object) -> None:
        if isinstance(value, Text):
            out.append((where, value.zh))
        elif isinstance(value, (list, tuple)):
            for i, v in enumerate(value):
                walk(f"{where}[{i}]", v)
        elif hasattr(value, "__dataclass_fields__"):
            for name in value.__dataclass_fields__:
                walk(f"{where}.{name}", getattr(value, name))

    walk("spec", spec)
    return out


def _written_zh(spec: Spec) -> list[tuple[str, str]]:
    """Every Chinese text we write: the catalogue, the spec, the page templates and the prose pages."""
    texts = [(f"words:{k}", v.zh) for k, v in words.CATALOGUE.items()] + _spec_texts(spec)
    files = [*(ROOT / "tcpdiagram/site/templates").glob("*.j2"), *(ROOT / "site/docs/zh").rglob("*.md")]
    texts += [(str(p.relative_to(ROOT)), p.read_text(encoding="utf-8")) for p in files]
    return texts


@pytest.mark.parametrize("key", sorted(k for k, term in TERMS.items() if term.avoid))
def test_no_rejected_variant_of_a_term_is_written(spec: Spec, key: str) -> None:
    term = TERMS[key]
    for where, text in _written_zh(spec):
        for bad in term.avoid:
            assert bad not in text, f"{where}: writes {bad!r}; the glossary chose {term.zh!r}"


def test_terms_are_chosen_once() -> None:
    seen: dict[str, str] = {}
    for key, term in TERMS.items():
        for word in (term.zh, term.en, *term.also):
            assert word not in seen, f"{word!r} is a term of both {seen[word]!r} and {key!r}"
            seen[word] = key
        assert not CJK.search(term.en) and CJK.search(term.zh)


def test_each_state_has_one_name_no_scenario_and_no_event_uses(spec: Spec) -> None:
    labels = [s.label.zh for s in spec.states]
    assert len(set(labels)) == len(labels)
    taken = {sc.title.zh for sc in spec.scenarios} | {e.label.zh for e in spec.events}
    taken |= {TERMS[k].zh for k in ("simultaneous_close", "simultaneous_open", "active_close", "passive_close")}
    for s in spec.states:
        assert s.label.zh not in taken, f"{s.id}'s name {s.label.zh!r} is also a scenario's, an event's or a term's"


def test_footer_is_in_the_catalogue_in_both_languages() -> None:
    assert "Made with" not in words.t("zh", "footer")
    assert unicodedata.east_asian_width(words.t("zh", "footer")[0]) == "W"
