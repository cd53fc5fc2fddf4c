"""The Sphinx directive in a real `sphinx-build -W` project: reST and a MyST fence, and a bad option failing it."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

pytest.importorskip("sphinx", reason="the [sphinx] extra is not installed (make test installs it)")
pytest.importorskip("myst_parser", reason="myst-parser is not installed (make test installs it)")
pytestmark = pytest.mark.dot

CONF = 'project = "Networks 101"\nextensions = ["myst_parser", "tcpdiagram.embed.sphinx"]\nlanguage = "zh_CN"\n'
INDEX = """\
Lecture 3
=========

.. toctree::

   lab

.. tcpdiagram::
   :scenario: simultaneous_close
   :lang: en
   :theme: light

.. tcpdiagram::
   :view: state:TIME_WAIT
   :naming: rfc
"""
LAB = """\
# Lab

```{tcpdiagram}
:view: scenario:fin_ack_close
:theme: dark
```
"""
SVG = "{http://www.w3.org/2000/svg}"


def sphinx_build(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", str(root), str(root / "_build")],
                          capture_output=True, text=True, timeout=600, check=False)


def project(tmp_path: Path, index: str = INDEX) -> Path:
    (tmp_path / "conf.py").write_text(CONF, "utf-8")
    (tmp_path / "index.rst").write_text(index, "utf-8")
    (tmp_path / "lab.md").write_text(LAB, "utf-8")
    return tmp_path


def diagrams(page: str) -> list[ET.Element]:
    return [ET.fromstring(m.group(1)) for m in re.finditer(r'<div class="tcpdiagram[^"]*">(<svg\b.*?</svg>)', page, re.S)]


def test_a_sphinx_project_builds_with_the_directive_and_a_myst_fence(tmp_path: Path) -> None:
    root = project(tmp_path)
    done = sphinx_build(root)
    assert done.returncode == 0, done.stderr
    index = diagrams((root / "_build" / "index.html").read_text("utf-8"))
    assert len(index) == 3  # a chart, and the TIME_WAIT view as a light/dark pair (the default)
    assert index[0].find(SVG + "title").text == "Simultaneous close"  # type: ignore[union-attr]
    assert "时间等待" in ET.tostring(index[1], encoding="unicode")  # language = zh_CN → zh
    ids = [el.get("id") for d in index for el in d.iter() if el.get("id")]
    assert len(ids) == len(set(ids))
    (lab,) = diagrams((root / "_build" / "lab.html").read_text("utf-8"))
    assert lab.find(SVG + "title").text  # type: ignore[union-attr]


def test_a_bad_option_fails_sphinx_build_at_its_line(tmp_path: Path) -> None:
    root = project(tmp_path, INDEX.replace(":scenario: simultaneous_close", ":scenario: simultaneous_clos"))
    done = sphinx_build(root)
    assert done.returncode != 0
    assert "index.rst:8: ERROR: tcpdiagram: unknown scenario 'simultaneous_clos' (did you mean" in done.stderr, \
        done.stderr
