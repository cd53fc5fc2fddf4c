"""The one catalogue of UI words and the glossary: both languages filled, same placeholders, terms chosen once."""

from __future__ import annotations

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
