"""Benchmark aid: a `tcpdiagram build` that also keeps its generated pages, an equivalent mkdocs.yml and its DOT.

bench/run.py runs `python bench/keep_work.py OUT KEEP` in a project folder to measure the floors (plain
`mkdocs build` of the same pages, `dot` on the same graphs). Users never need it: it writes outside OUT.
"""

from __future__ import annotations

import shutil
import sys
from functools import partial
from pathlib import Path
from typing import Sequence

import yaml

from tcpdiagram.model import THEMES, Lang, Spec
from tcpdiagram.pipeline import build
from tcpdiagram.render.state import make_view
from tcpdiagram.render.state_dot import build as build_dot
from tcpdiagram.site.catalog import catalog
from tcpdiagram.site.mkdocs_run import _loader, expand_nav


def keep(target: Path, spec: Spec, langs: Sequence[Lang], site: Path, docs: Path, generated: Sequence[str]) -> None:
    """Write target/docs (the pages MkDocs built), target/mkdocs.yml (plain `mkdocs build` of the same
    site, by INHERIT of the site's config) and target/dot/NNN.dot (every state diagram of the build)."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(docs, target / "docs")
    config = site.resolve() / "mkdocs.yml"
    raw = yaml.load(config.read_text(encoding="utf-8"), Loader=_loader())  # noqa: S506 - the site's own config
    effective: dict[str, object] = {
        "INHERIT": str(config),
        "docs_dir": str(target / "docs"),
        "site_dir": str(target / "site"),
        "nav": expand_nav(raw.get("nav", []), generated),
    }
    custom = (raw.get("theme") or {}).get("custom_dir")
    if custom:  # relative paths resolve against the config file, which is now elsewhere
        effective["theme"] = {"custom_dir": str((config.parent / custom).resolve())}
    (target / "mkdocs.yml").write_text(yaml.safe_dump(effective, allow_unicode=True, sort_keys=False), encoding="utf-8")
    dot = target / "dot"
    dot.mkdir()
    n = 0
    for lang in langs:
        for d in catalog(spec):
            if d.kind != "state":
                continue
            for theme in THEMES:
                n += 1
                source = build_dot(spec, make_view(spec, d.view, lang=lang, theme=theme)).source
                (dot / f"{n:03d}.dot").write_text(source, encoding="utf-8")


def main(argv: list[str]) -> int:
    """`keep_work.py OUT KEEP`: build the project in the working directory into OUT, keeping its work in KEEP."""
    out, target = (Path(a) for a in argv)
    build(None, out=out, quiet=True, keep_work=partial(keep, target.resolve()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
