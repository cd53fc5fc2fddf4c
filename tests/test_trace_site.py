"""The site's "Real captures" page: in both languages, each traced capture with its attribution, its chart
(through the sequence renderer) and the chart of the simulated scenario it resembles."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tcpdiagram.capture.site import CAPTURES


@pytest.mark.dot
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_captures_page(built: Path, lang: str) -> None:
    folder = built / "site" / ("" if lang == "zh" else "en")
    html = (folder / "captures" / "index.html").read_text(encoding="utf-8")
    for c in CAPTURES:
        assert f'data-diagram="capture-{c.key}"' in html and f'data-diagram="scenario-{c.scenario}"' in html
        assert (folder / "diagrams" / f"capture-{c.key}.svg").is_file()
        assert c.licence in html
    assert len(re.findall(r'<figure class="tcp-figure" data-diagram="capture-', html)) == len(CAPTURES)  # inline, once
    svg = (folder / "diagrams" / "capture-verify_simultaneous_close.svg").read_text(encoding="utf-8")
    assert svg.count(">CLOSING<") == 2  # both ends of the real simultaneous close pass CLOSING
    assert "192.0.2.1:40001" in svg
