"""Markdown pages per language from the spec, through Jinja2 templates that escape every value."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

import jinja2

from ..glossary import TERMS, Term
from ..model import NAMING_TITLES, NAMINGS, Lang, NamingProfile, Reference, Scenario, Spec, State, Text, Transition
from ..trace import Trace
from . import strings
from .catalog import Diagram, by_view, catalog, chart, observed, page_name
from .cite import resolve
from .mdtext import Md, anchor, code, link, md
from .snippets import snippets
from .steps import StepRow, step_rows

if TYPE_CHECKING:
    from .linux import Linux

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _finalize(value: object) -> str:
    """Every `{{ … }}` is user text unless it is Md (Markdown we built): escaped by default."""
    if isinstance(value, Md):
        return str(value)
    if isinstance(value, Text):
        raise TypeError("a Text reached a template unresolved; use |t")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        return md(value)
    raise TypeError(f"template value of type {type(value).__name__} has no Markdown form")


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=False,  # noqa: S701 - Markdown, not HTML: _finalize escapes for Markdown instead
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["code"] = lambda s: Md(code(str(s)))
    env.filters["anchor"] = lambda s: Md(anchor(str(s)))
    return env


class Helpers:
    """What templates call: links between pages, diagram pairs, citation links, labels in the language."""

    def __init__(self, spec: Spec, lang: Lang, diagrams: tuple[Diagram, ...], depth: int) -> None:
        self.spec = spec
        self.lang: Lang = lang
        self.diagrams = diagrams
        self.base = "../" * depth

    namings = NAMINGS  # every naming profile, in the model's order

    def naming_title(self, profile: NamingProfile) -> Md:
        """The name of a naming profile (RFC 9293, Stevens / netstat, …): the model's, trusted."""
        return Md(NAMING_TITLES[profile])

    def t(self, key: str) -> Md:
        """A UI string: our own trusted Markdown."""
        return Md(strings.t(self.lang, key))

    def names_table_all(self) -> Md:
        """Every state's names: a row per state (linked to its page), a column per naming profile."""
        heads = [md(strings.t(self.lang, "state")), *(md(NAMING_TITLES[p]) for p in NAMINGS)]
        rows = ["| " + " | ".join([self.state(s.id), *(code(s.names.get(p)) for p in NAMINGS)]) + " |"
                for s in self.spec.states]
        return Md("\n".join(["| " + " | ".join(heads) + " |", "|" + "---|" * len(heads), *rows]))

    def terms(self) -> list[Term]:
        """The glossary's terms, in its order."""
        return list(TERMS.values())

    def text(self, value: Text | None) -> str:
        return value.get(self.lang) if value is not None else ""

    def page(self, path: str, label: str, anchor: str = "") -> Md:
        return Md(f"[{md(label)}]({self.base}{path}{'#' + anchor if anchor else ''})")

    def state(self, sid: str) -> Md:
        return self.page(f"states/{page_name(sid)}.md", sid)

    def scenario(self, scid: str) -> Md:
        return self.page(f"scenarios/{page_name(scid)}.md", self.spec.scenario(scid).title.get(self.lang))

    def event(self, eid: str) -> Md:
        return self.page("glossary.md", self.spec.event(eid).label.get(self.lang), anchor=f"event-{eid}")

    def actions(self, t: Transition) -> Md:
        if not t.actions:
            return Md("—")
        sep = strings.t(self.lang, "diagram.action_sep")
        return Md(sep.join(
            self.page("glossary.md", self.spec.action(a).label.get(self.lang), anchor=f"action-{a}") for a in t.actions
        ))

    def condition(self, t: Transition) -> str:
        return self.spec.condition(t.when).label.get(self.lang) if t.when else ""

    def cites(self, t: Transition) -> Md:
        links = [resolve(self.spec, c, self.lang) for c in t.cite]
        return Md("<br>".join(link(c.text, c.url) for c in links))

    def layer(self, t: Transition) -> str:
        return self.layer_name(t.layer)

    def group(self, group: str) -> str:
        return strings.GROUPS[self.lang][group]

    def path(self, t: Transition) -> str:
        return strings.ROLES[self.lang][t.path] if t.path else ""

    def role(self, role: str) -> str:
        return strings.ROLES[self.lang][role]

    def figure(self, d: Diagram) -> Md:
        """The light and the dark file of a diagram; Material shows the one matching the palette."""
        alt_md = md(d.title.get(self.lang))
        src = f"{self.base}diagrams/"
        return Md(
            f"![{alt_md}]({src}{d.file('light', 'svg')}#only-light){{ .tcp-diagram }}\n"
            f"![{alt_md}]({src}{d.file('dark', 'svg')}#only-dark){{ .tcp-diagram }}"
        )

    def state_diagram(self, view: str) -> Diagram:
        return by_view(self.diagrams, view)

    def chart(self, scid: str) -> Diagram:
        return chart(self.diagrams, scid)

    def observed(self, scid: str) -> Diagram | None:
        return observed(self.diagrams, scid)

    def sentences(self, *parts: Md) -> Md:
        """Sentences in a row: Chinese sets none of the space English puts after a full stop."""
        return Md(("" if self.lang == "zh" else " ").join(parts))

    @property
    def colon(self) -> Md:
        return Md("：" if self.lang == "zh" else ": ")

    def layer_name(self, layer: str) -> str:
        return strings.LAYERS[self.lang][layer]

    def event_kind(self, kind: str) -> str:
        return strings.EVENT_KINDS[self.lang][kind]

    def action_kind(self, kind: str) -> str:
        return strings.ACTION_KINDS[self.lang][kind]

    def scenario_kind(self, kind: str) -> str:
        return strings.SCENARIO_KINDS[self.lang][kind]

    def state_path(self, states: tuple[str, ...]) -> Md:
        return Md(" → ".join(self.state(s) for s in states))

    def reference(self, ref: Reference) -> Md:
        return Md(link(ref.title.get(self.lang), ref.url))

    def diagram_group(self, kind: str) -> list[Diagram]:
        """full | state: | scenario: (state diagrams by view prefix) | chart (sequence charts) | observed (Linux runs)."""
        if kind == "chart":
            return [d for d in self.diagrams if d.kind == "scenario"]
        if kind == "observed":
            return [d for d in self.diagrams if d.kind == "observed"]
        return [d for d in self.diagrams if d.kind == "state" and d.view.startswith(kind)]

    def state_tags(self, state: State) -> Md:
        from .search_terms import keywords, state_terms

        return keywords(state_terms(self.spec, state))

    def scenario_tags(self, scenario: Scenario) -> Md:
        from .search_terms import keywords, scenario_terms

        return keywords(scenario_terms(scenario))

    def row_anchor(self, ident: str) -> Md:
        """An empty element a table row can be linked to (`#tr-…`, from the site's diagrams)."""
        return Md(f'<span class="tcp-anchor" id="{anchor(ident)}"></span>')

    def player(self, spec: Spec, trace: Trace, rows: list[StepRow]) -> Md:
        """The scenario player's mount point and its data (the build's own trace), escaped for a <script>."""
        from .inline import data_labels
        from .player import script_json, steps

        keys = ("player", "player_prev", "player_next", "player_reset", "player_all", "player_start", "player_step")
        labels = data_labels({k: strings.SITE_UI[self.lang][k] for k in keys})
        data = script_json(steps(spec, trace, [r.time for r in rows]))
        return Md(f'<div class="tcp-player" hidden{labels}></div>\n\n'
                  f'<script type="application/json" id="tcp-player-data">{data}</script>')

    def snippets(self, d: Diagram) -> Md:
        return Md(snippets(d, self.lang))

    def downloads_matter(self) -> Md:
        """The downloads page stays out of the search index: its 33 near-identical cards buried the real pages."""
        from .search_terms import front_matter

        return front_matter(exclude=True)

    def card(self, d: Diagram) -> Md:
        """One diagram of the downloads grid: light and dark thumbnails, its files, a folded snippet per format."""
        from .snippets import folded

        ui = strings.SITE_UI[self.lang]
        alt = md(d.title.get(self.lang))
        thumbs = "".join(
            f'[![{alt} ({ui[theme]})]({self.base}diagrams/{d.file(theme, "svg")}){{ loading=lazy }}]'
            f'({self.base}diagrams/{d.file(theme, "svg")}){{ .tcp-thumb .tcp-on-{theme} }}'
            for theme in ("light", "dark")
        )
        return Md(
            f'<div class="tcp-card" markdown>\n\n<div class="tcp-thumbs" markdown>{thumbs}</div>\n\n'
            f"**{alt}**\n{{ .tcp-card-title }}\n\n{self.files(d)}\n{{ .tcp-files }}\n\n"
            f'<div class="tcp-folds" markdown>\n\n{folded(d, self.lang)}\n\n</div>\n\n</div>\n'
        )

    def files(self, d: Diagram) -> Md:
        """Download links for every file of a diagram."""
        parts = []
        for theme, fmt in d.files():
            name = d.file(theme, fmt)
            parts.append(f"[{md(name)}]({self.base}diagrams/{name})")
        return Md(" · ".join(parts))


def render(template: str, helpers: Helpers, **context: Any) -> str:
    text = environment().get_template(template).render(h=helpers, spec=helpers.spec, lang=helpers.lang, **context)
    return text.rstrip("\n") + "\n"


def site_pages(spec: Spec, lang: Lang, traces: Mapping[str, Trace], linux: Linux | None = None) -> dict[str, str]:
    """Every generated page of one language: path relative to the language folder → Markdown.

    `linux` is the build's Linux record: scenario pages whose recorded run still agrees show it.
    """
    from .linux import ANCHOR, run

    diagrams = catalog(spec, linux)
    top = Helpers(spec, lang, diagrams, 0)
    sub = Helpers(spec, lang, diagrams, 1)
    pages: dict[str, str] = {
        "overview.md": render("overview.md.j2", top),
        "transitions.md": render("transitions.md.j2", top),
        "glossary.md": render("glossary.md.j2", top),
        "downloads.md": render("downloads.md.j2", top),
        "sources.md": render(f"sources.{lang}.md.j2", top),
        "states/index.md": render("states_index.md.j2", sub),
        "scenarios/index.md": render("scenarios_index.md.j2", sub),
    }
    from ..capture.site import PAGE, page_rows

    if capture_rows := page_rows(spec, lang):  # real captures traced through the spec (tcpdiagram trace)
        pages["captures.md"] = render("captures.md.j2", top, rows=capture_rows, ui={k: v.get(lang) for k, v in PAGE.items()},
                                      pictures={d.view: d for d in diagrams if d.kind == "capture"},
                                      tab=lambda m: Md(str(m).replace("\n", "\n    ")), link=lambda t, u: Md(link(t, u)))
    for s in spec.states:
        through = [sc for sc in spec.scenarios if any(s.id in p.states for p in traces[sc.id].peers)]
        pages[f"states/{page_name(s.id)}.md"] = render("state.md.j2", sub, state=s, through=through)
    for sc in spec.scenarios:
        rows = step_rows(spec, traces[sc.id], lang)
        pages[f"scenarios/{page_name(sc.id)}.md"] = render("scenario.md.j2", sub, scenario=sc, rows=rows,
                                                           trace=traces[sc.id],
                                                           linux=run(spec, linux, sc.id, lang), linux_anchor=ANCHOR)
    return pages
