"""The strict loader: what it accepts, and that nothing but SpecError ever comes out of it."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tcpdiagram.errors import SpecError
from tcpdiagram.loader import load_bytes
from tcpdiagram.validate import validate

MINIMAL = (Path(__file__).resolve().parent / "data" / "minimal.yaml").read_bytes()


def test_minimal_spec_is_valid() -> None:
    spec = load_bytes(MINIMAL, "minimal.yaml")
    assert validate(spec) == []
    assert [s.id for s in spec.states] == ["CLOSED", "LISTEN"]


def test_bom_crlf_and_utf16_are_accepted() -> None:
    text = MINIMAL.decode("utf-8")
    for data in (b"\xef\xbb\xbf" + MINIMAL, text.replace("\n", "\r\n").encode("utf-8"), text.encode("utf-16")):
        assert load_bytes(data, "x.yaml").states[1].label.zh == "监听"


def test_yaml11_traps_stay_strings() -> None:
    """`ON`, `no`, `2:00` and dates are never booleans or numbers: every scalar stays a string."""
    data = MINIMAL.replace(b"summary: {zh: \xe7\xad\x89\xe5\xbe\x85 SYN\xe3\x80\x82, en: Waits for a SYN.}",
                           b"summary: {zh: ON, en: 2024-13-45}")
    data = data.replace(b"description: {zh: \xe8\xa2\xab", b"description: {zh: 2:00 \xe8\xa2\xab")
    spec = load_bytes(data, "x.yaml")
    assert spec.states[1].summary.zh == "ON"
    assert spec.states[1].summary.en == "2024-13-45"
    assert spec.states[1].description.zh.startswith("2:00 ")


def test_positions_point_at_values() -> None:
    spec = load_bytes(MINIMAL, "m.yaml")
    t = spec.transitions[0]
    from tcpdiagram.model import where

    assert (where(t, "to").line, where(t, "to").col) == (55, 45)
    assert str(where(spec.scenarios[0], "expect.A[1]")) == "m.yaml:71:19"


def _only_spec_errors(data: bytes) -> None:
    try:
        spec = load_bytes(data, "fuzz.yaml")
    except SpecError as e:
        assert e.issues, "a SpecError always carries at least one issue"
        for issue in e.issues:
            assert issue.pos.file == "fuzz.yaml"
            assert issue.message
        return
    validate(spec)  # a spec that loads must also validate without raising


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_arbitrary_bytes_raise_only_spec_errors(data: bytes) -> None:
    _only_spec_errors(data)


TRAPS = st.sampled_from(["：", "，", "\u3000", "\t", "&a", "*a", "!!int ", "- ", ": ", "{", "}", "[", "]", "\n",
                         "\x07", "\u202e", "'", '"', "#", "---\n", "? ", "|", ">", "%YAML 1.1\n"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.text(max_size=12), TRAPS), max_size=40))
def test_arbitrary_text_raises_only_spec_errors(parts: list[str]) -> None:
    _only_spec_errors("".join(parts).encode("utf-8", "surrogatepass"))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, len(MINIMAL) - 1), st.one_of(st.text(max_size=6), TRAPS))
def test_mutated_minimal_spec_raises_only_spec_errors(at: int, insert: str) -> None:
    _only_spec_errors(MINIMAL[:at] + insert.encode("utf-8", "surrogatepass") + MINIMAL[at:])
