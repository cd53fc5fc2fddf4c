"""For the benchmark's floor: keep a build's generated pages, an equivalent mkdocs.yml and its DOT sources."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Sequence

from ..model import Lang, Spec

ENV = "TCPDIAGRAM_KEEP_WORK"


def wanted() -> Path | None:
    """The folder named by $TCPDIAGRAM_KEEP_WORK, if set (bench/run.py sets it; users never need it)."""
    value = os.environ.get(ENV)
    return Path(value).resolve() if value else None


def keep(target: Path, spec: Spec, langs: Sequence[Lang], site: Path, docs: Path, generated: Sequence[str]) -> None:
    """Write target/docs (the pages MkDocs built), target/mkdocs.yml (plain `mkdocs build` of the same
    site, by INHERIT of the site's config) and target/dot/NNN.dot (every state diagram of the build)."""
    import yaml

    from ..render.state import make_view
    from ..render.state_dot import build
    from ..model import THEMES
    from .catalog import catalog
    from .mkdocs_run import _loader, expand_nav

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
                source = build(spec, make_view(spec, d.view, lang=lang, theme=theme)).source
                (dot / f"{n:03d}.dot").write_text(source, encoding="utf-8")
