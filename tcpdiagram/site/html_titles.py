"""Page titles are HTML: mark them so for the theme's templates, so every use escapes spec text exactly once.

MkDocs (1.6) takes a page's title from its first heading as HTML with the tags stripped and the character
references kept: a label `</title><script>` arrives as `&lt;/title&gt;&lt;script&gt;`. Material's templates run
without autoescaping and treat that value three ways: raw in the navigation and headers (right for HTML),
`| e` in the footer's aria-label (escaped a second time: `&amp;lt;`), and `| striptags` in `<title>`, where
Jinja's striptags decodes the references and hands back plain text, which then lands in the page raw: a
live `<script>`. Two changes make every one of those uses right at once, in every template:

- each page's title becomes `Markup` (what it is: HTML), re-escaped whole (quotes too, so it is safe in an
  attribute: MkDocs leaves `"` bare in heading text), so `| e` leaves it alone;
- `striptags` keeps its result HTML: the tags go, the text stays escaped.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape


def striptags(value: Any) -> Markup:
    """Jinja's `striptags` (tags removed, whitespace collapsed) whose result is still HTML, escaped once."""
    html = value.__html__() if hasattr(value, "__html__") else str(value)
    return escape(Markup(html).striptags())  # noqa: S704 - Markup only strips tags here; its text is escaped


def plugin() -> Any:
    """The MkDocs plugin applying both changes (built on demand: MkDocs is imported only for a build)."""
    from mkdocs.plugins import BasePlugin

    class HtmlTitles(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
        """Marks page titles as HTML and makes the theme's striptags keep text escaped."""

        def on_env(self, env: Any, *, config: Any, files: Any) -> Any:
            env.filters["striptags"] = striptags
            return env

        def on_page_content(self, html: str, *, page: Any, config: Any, files: Any) -> str:
            if page.title is not None:
                page.title = striptags(page.title)  # MkDocs' title is a weak property: assignment overrides it
            return html

    return HtmlTitles()
