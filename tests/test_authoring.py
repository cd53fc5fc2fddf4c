"""The site's authoring page (both languages): every spec field documented, and its example scenario checks."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tcpdiagram.api import load_spec, sequence_chart
from tcpdiagram.trace import trace_to_json

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "site" / "docs" / lang / "authoring.md" for lang in ("zh", "en")]


def schema_fields() -> set[str]:
    schema = json.loads((ROOT / "tcpdiagram" / "data" / "spec.schema.json").read_text("utf-8"))
    names: set[str] = set()
    for d in schema["$defs"].values():
        names |= set(d.get("properties") or {})
    return names - {"A", "B", "zh", "en"}  # peer and language keys, shown in every example


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.parent.name)
def test_every_spec_field_is_documented(page: Path) -> None:
    text = page.read_text("utf-8")
    missing = sorted(f for f in schema_fields() if f"`{f}`" not in text and f"{f}:" not in text)
    assert not missing, f"{page.relative_to(ROOT)} does not document: {', '.join(missing)}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.parent.name)
def test_the_example_scenario_checks_and_runs(page: Path, tmp_path: Path) -> None:
    (example,) = re.findall(r"```yaml\n(  - id: my_close\n.*?)```", page.read_text("utf-8"), re.S)
    spec = (ROOT / "spec" / "tcp.yaml").read_text("utf-8")
    head, sep, rest = spec.partition("\nscenarios:\n")
    assert sep, "spec/tcp.yaml has no top-level scenarios: section"
    path = tmp_path / "tcp.yaml"
    path.write_text(head + sep + example + rest, "utf-8")
    loaded = load_spec(path)  # SpecError (with positions) if the example does not check
    assert "my_close" in [s.id for s in loaded.scenarios]
    chart = sequence_chart("my_close", lang="en", spec=loaded)
    assert chart.text("mermaid").count("->>") == 4
    from tcpdiagram.api import simulate

    assert trace_to_json(simulate("my_close", spec=loaded))["peers"]["A"]["states"][-1] == "CLOSED"
