"""Every diagram the build makes: stable file names, what each shows, and which formats it ships in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from .. import words
from ..errors import UsageError
from ..model import RASTER_FORMATS, THEMES, Lang, Spec, Text, Theme

if TYPE_CHECKING:
    from .linux import Linux

Kind = Literal["state", "scenario", "observed", "capture"]
# SVG in both themes (the site pairs them with #only-light / #only-dark). PNG and PDF are made from the
# light SVG only: they go into slides, documents and LaTeX, usually light; dark pages take the dark SVG
# (current Office inserts SVG too). Each PNG costs rsvg ~0.3 s, so this halves a cold build.
RASTER_THEMES: tuple[Theme, ...] = ("light",)


@dataclass(frozen=True)
class Diagram:
    """One picture of the build, before language and theme are chosen."""

    name: str  # file stem: state-full, state-time_wait, path-normal_close, scenario-normal_close, observed-normal_close
    kind: Kind  # "state": Graphviz state diagram; "scenario": our sequence chart; "observed": the Linux run's chart
    view: str  # state views: full | state:<ID> | scenario:<ID>; charts (both kinds): the scenario id
    title: Text

    def file(self, theme: Theme, fmt: str) -> str:
        return f"{self.name}{'-dark' if theme == 'dark' else ''}.{fmt}"

    def files(self) -> list[tuple[Theme, str]]:
        """Every (theme, format) this diagram ships in, in a stable order."""
        out: list[tuple[Theme, str]] = [(theme, "svg") for theme in THEMES]
        return out + [(theme, fmt) for theme in RASTER_THEMES for fmt in RASTER_FORMATS]


FULL_TITLE = words.text("full_diagram")


def _title(kind: str, **values: object) -> Text:
    """A diagram's title from `download.<kind>`; a Text value is filled in the language being written."""
    entry = words.text(f"download.{kind}")

    def one(lang: Lang) -> str:
        return entry.get(lang).format(**{k: v.get(lang) if isinstance(v, Text) else v for k, v in values.items()})

    return Text(one("zh"), one("en"))


def catalog(spec: Spec, linux: Linux | None = None) -> tuple[Diagram, ...]:
    """The diagrams of a spec in a stable order: full view, one per state, per scenario path, per chart, and the
    chart of each recorded Linux run that still agrees with the spec (`linux`, the build's record)."""
    out = [Diagram("state-full", "state", "full", FULL_TITLE)]
    for s in spec.states:
        out.append(Diagram(f"state-{s.id.lower()}", "state", f"state:{s.id}",
                           _title("state", id=s.id, label=s.label)))
    for sc in spec.scenarios:
        out.append(Diagram(f"path-{sc.id.lower()}", "state", f"scenario:{sc.id}",
                           _title("path", title=sc.title)))
    for sc in spec.scenarios:
        out.append(Diagram(f"scenario-{sc.id.lower()}", "scenario", sc.id,
                           _title("chart", title=sc.title)))
    if linux is not None:
        v = linux.version
        for sid in linux.shown:
            sc = spec.scenario(sid)
            out.append(Diagram(f"observed-{sid.lower()}", "observed", sid,
                               _title("observed", title=sc.title, v=v)))
    from ..capture.site import CAPTURES

    for c in CAPTURES:  # the "Real captures" page: public captures traced through the spec
        if any(x.id == c.scenario for x in spec.scenarios):
            out.append(Diagram(f"capture-{c.key}", "capture", c.key,
                               _title("capture", file=c.file)))
    seen: dict[str, str] = {}
    for d in out:
        if d.name in seen:
            raise UsageError(f"two diagrams would share the file name {d.name!r} ({seen[d.name]} and {d.view}); rename an id")
        seen[d.name] = d.view
    return tuple(out)


def by_view(diagrams: tuple[Diagram, ...], view: str) -> Diagram:
    return next(d for d in diagrams if d.view == view and d.kind == "state")


def chart(diagrams: tuple[Diagram, ...], scenario: str) -> Diagram:
    return next(d for d in diagrams if d.kind == "scenario" and d.view == scenario)


def observed(diagrams: tuple[Diagram, ...], scenario: str) -> Diagram | None:
    """The chart of the scenario's recorded Linux run, when the build shows one."""
    return next((d for d in diagrams if d.kind == "observed" and d.view == scenario), None)


def page_name(ident: str) -> str:
    """A page file stem from a spec id (ids are `[A-Za-z][A-Za-z0-9_]*`, unique after casefold)."""
    return ident.lower()

