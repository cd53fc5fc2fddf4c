"""Search keywords for generated pages (Material indexes front-matter `tags` with a high boost, shows none)."""

from __future__ import annotations

import json
import logging
import re
from typing import Iterable

from ..model import Scenario, Spec, State
from .mdtext import Md
from .strings import SEARCH_ALIASES


def state_terms(spec: Spec, state: State) -> list[str]:
    """Every spelling of a state: RFC, Stevens, Linux and ss names, the labels in both languages, the names
    with spaces (`time wait`), and the timers that end it (2MSL)."""
    names = [state.names.get(n) for n in ("rfc", "stevens", "linux", "ss")]
    spaced = state.names.get("stevens").replace("_", " ").replace("-", " ").lower()
    timers = [spec.event(t.event).duration for t in spec.transitions
              if t.source == state.id and spec.event(t.event).kind == "timer"]
    return _unique([*names, spaced, state.label.zh, *_segmented(state.label.zh), *(x for x in timers if x)])


def _segmented(text: str) -> list[str]:
    """`时间 等待` for 时间等待: the words jieba finds (Material splits Chinese the same way), when it is there."""
    try:
        import jieba
    except ImportError:
        return []
    from ..cache.store import ensure, folder
    from .mkdocs_run import _quiet_jieba

    _quiet_jieba(ensure(folder()))  # the dictionary MkDocs' search loads later, cached as it does
    jieba.setLogLevel(logging.CRITICAL)  # an unwritable cache is the build's one warning, not jieba's traceback
    try:
        words = [w for w in jieba.cut(text) if w.strip()]
    finally:
        jieba.setLogLevel(logging.WARNING)
    return [" ".join(words)] if len(words) > 1 else []


def scenario_terms(scenario: Scenario) -> list[str]:
    """Only the other names readers use: a title that names a state (TIME_WAIT) must not outrank its page."""
    return _unique(SEARCH_ALIASES.get(scenario.id, ()))


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(x.strip() for x in items if x and x.strip()))


KEYWORDS = re.compile(r"^<!-- tcpdiagram-search-keywords: (\[.*\]) -->\n\n", re.M)


def keywords(tags: list[str]) -> Md:
    """Keywords for the search index, as a comment site_plugin turns into the page's `tags` (front matter
    would do, but a page with any front matter gets its <title> escaped differently by MkDocs). JSON with
    `-` and `>` escaped, so nothing in it can end the comment."""
    if not tags:
        return Md("")
    text = json.dumps(tags, ensure_ascii=False).replace("-", "\\u002d").replace(">", "\\u003e")
    return Md(f"<!-- tcpdiagram-search-keywords: {text} -->\n\n")


def front_matter(tags: list[str] | None = None, boost: float | None = None, exclude: bool = False) -> Md:
    """A YAML front matter block; every value is a JSON string (valid YAML, spec text cannot break out)."""
    lines = ["---"]
    if tags:
        lines.append("tags: [" + ", ".join(json.dumps(t, ensure_ascii=False) for t in tags) + "]")
    if exclude:
        lines.append("search: {exclude: true}")
    elif boost is not None:
        lines.append(f"search: {{boost: {boost:g}}}")
    lines.append("---")
    return Md("\n".join(lines) + "\n\n")
