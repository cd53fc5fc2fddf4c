"""The `tcpdiagram` MkDocs plugin in a course site of its own: real `mkdocs build --strict`, Material, i18n."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

pytestmark = pytest.mark.dot

MKDOCS_YML = """\
site_name: Networks 101
theme:
  name: material
  language: zh
  font: false
  palette:
    - media: "(prefers-color-scheme: light)"
      scheme: default
      toggle: {icon: material/brightness-7, name: dark}
    - media: "(prefers-color-scheme: dark)"
      scheme: slate
      toggle: {icon: material/brightness-4, name: light}
markdown_extensions: [admonition, pymdownx.superfences]
plugins:
  - i18n:
      docs_structure: folder
      languages:
        - {locale: zh, default: true, name: 中文, build: true}
        - {locale: en, name: English, build: true}
  - tcpdiagram
"""
ZH_PAGE = """\
---
title: 第三讲
---
# 第三讲：关闭连接

同时关闭时两个 FIN 在网络中交叉：

```tcpdiagram
scenario: simultaneous_close
lang: en
theme: light
```

客户端走过的路径（浅色与深色各一张）：

```tcpdiagram
view: scenario:fin_ack_close
theme: both
```

~~~python
# someone else's code block, left alone
```tcpdiagram
scenario: nope
```
~~~
"""
EN_PAGE = """\
# Lecture 3

!!! note "TIME-WAIT"

    ```tcpdiagram
    view: state:TIME_WAIT
    naming: rfc
    ```
"""


def course(tmp_path: Path, zh: str = ZH_PAGE) -> Path:
    (tmp_path / "docs" / "zh").mkdir(parents=True)
    (tmp_path / "docs" / "en").mkdir()
    (tmp_path / "mkdocs.yml").write_text(MKDOCS_YML, "utf-8")
    (tmp_path / "docs" / "zh" / "index.md").write_text(zh, "utf-8")
    (tmp_path / "docs" / "en" / "index.md").write_text(EN_PAGE, "utf-8")
    return tmp_path


def mkdocs_build(root: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=600, check=False)


SVG = "{http://www.w3.org/2000/svg}"


def svgs(page: str) -> list[ET.Element]:
    """The diagrams of a page (Material's own icons are inline SVG too)."""
    return [ET.fromstring(m.group(1)) for m in re.finditer(r'<div class="tcpdiagram[^"]*">(<svg\b.*?</svg>)', page, re.S)]


def test_a_course_site_builds_with_two_fences_and_a_light_dark_pair(tmp_path: Path) -> None:
    root = course(tmp_path)
    done = mkdocs_build(root)
    assert done.returncode == 0, done.stderr
    zh = (root / "site" / "index.html").read_text("utf-8")
    en = (root / "site" / "en" / "index.html").read_text("utf-8")
    zh_svgs = svgs(zh)
    assert len(zh_svgs) == 3  # the chart, and the path diagram as a light/dark pair
    titles = [s.find(SVG + "title").text for s in zh_svgs]  # type: ignore[union-attr]
    assert titles[0] == "Simultaneous close"  # lang: en on a Chinese page
    assert titles[1] == titles[2] and re.search("[\u4e00-\u9fff]", titles[1] or "")  # the page's language: zh
    assert zh.count('class="tcpdiagram tcpdiagram-light"') == 1 and zh.count('class="tcpdiagram tcpdiagram-dark"') == 1
    assert '[data-md-color-scheme="slate"] .tcpdiagram-dark{display:block}' in zh
    ids = [el.get("id") for s in zh_svgs for el in s.iter() if el.get("id")]
    assert len(ids) == len(set(ids)) and ids, "ids must be unique on a page with several diagrams"
    for s in zh_svgs:  # every internal reference points at an id of the same diagram
        mine = {el.get("id") for el in s.iter()}
        for el in s.iter():
            for ref in (el.get("aria-labelledby") or "").split():
                assert ref in mine
    assert "nope" in zh and "tcpdiagram-error" not in zh  # the fence inside another code block stayed code
    assert not [el for s in zh_svgs for el in s.iter() if el.tag in (SVG + "script", SVG + "foreignObject")]
    light, dark = svgs(en)  # theme: both is the default; inside an admonition
    assert re.search(r'<div class="admonition note">.*?<div class="tcpdiagram tcpdiagram-light"><svg', en, re.S)
    assert "TIME-WAIT" in ET.tostring(light, encoding="unicode")  # naming: rfc, English from the page
    assert "tcpdiagram-dark" in en and light.find(SVG + "title").get("id") != dark.find(SVG + "title").get("id")  # type: ignore[union-attr]


@pytest.mark.parametrize(("fence", "line", "message"), [
    ("scenario: simultaneous_clos", 9,
     "unknown scenario 'simultaneous_clos' (did you mean 'simultaneous_close'?)"),
    ("senario: simultaneous_close", 9, "unknown key 'senario' (did you mean 'scenario'?)"),
    ("view: full\ntheme: dim", 10, "unknown theme 'dim'; use one of: light, dark, both"),
    ("view: state:TIME_WAT", 9, "unknown state 'TIME_WAT' (did you mean 'TIME_WAIT'?)"),
])
def test_a_bad_fence_fails_strict_with_page_line_and_value(tmp_path: Path, fence: str, line: int,
                                                           message: str) -> None:
    page = f"---\ntitle: x\n---\n# x\n\ntext\n\n```tcpdiagram\n{fence}\n```\n"
    root = course(tmp_path, zh=page)
    done = mkdocs_build(root)
    assert done.returncode != 0
    assert f"zh/index.md:{line}: tcpdiagram block: {message}" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
