"""render_state: parse the view options, build the DOT, run dot once, post-process, convert."""

from __future__ import annotations

from typing import Iterable, Sequence

from ..errors import UsageError
from ..schema import suggest
from ..model import STATE_FORMATS as FORMATS
from ..model import DEFAULT_LAYERS, LANGS, LAYERS, NAMINGS, THEMES, Layer, PeerId, Spec
from .state_dot import Diagram, View, build
VIEW_FORMS = ("full", "scenario:<ID>", "state:<ID>")


def _suggest(value: str, known: Iterable[str]) -> str:
    return suggest(value, tuple(known))


def _choice(what: str, value: str, known: Sequence[str]) -> str:
    if value not in known:
        raise UsageError(f"unknown {what} {value!r}{_suggest(value, known)}; choose one of: {', '.join(known)}")
    return value


def check_choice(what: str, value: str, known: Sequence[str]) -> str:
    """`value` when it is one of `known`, else UsageError naming it, with a suggestion and the choices."""
    return _choice(what, value, known)


def parse_layers(layers: str | Sequence[str] | None) -> tuple[Layer, ...] | None:
    """`figure,note` → ('figure', 'note'); empty or None → None (the view's default)."""
    if layers is None:
        return None
    items = [x.strip() for x in layers.split(",")] if isinstance(layers, str) else [x.strip() for x in layers]
    items = [x.replace("-", "_") for x in items if x]
    if not items:
        return None
    for x in items:
        _choice("layer", x, LAYERS)
    return tuple(x for x in LAYERS if x in items)


def scenario_path(spec: Spec, scenario_id: str) -> dict[PeerId, tuple[str, ...]]:
    """The transitions each peer fires in a scenario, in order, as the simulator runs it."""
    from ..simulate import simulate

    trace = simulate(spec, scenario_id)
    path: dict[PeerId, list[str]] = {"A": [], "B": []}
    for change in trace.changes:
        path[change.peer].append(change.transition)
    return {pid: tuple(ids) for pid, ids in path.items()}


def make_view(
    spec: Spec,
    view: str = "full",
    lang: str = "zh",
    naming: str = "stevens",
    layers: str | Sequence[str] | None = None,
    theme: str = "light",
    highlight: dict[PeerId, tuple[str, ...]] | None = None,
) -> View:
    """Check every option against the spec and build a View; UsageError (exit 2) with suggestions."""
    lang_ = _choice("language", lang, LANGS)
    naming_ = _choice("naming profile", naming, NAMINGS)
    theme_ = _choice("theme", theme, THEMES)
    chosen = parse_layers(layers)
    kind, _, arg = view.partition(":")
    common = dict(lang=lang_, naming=naming_, theme=theme_)
    if kind == "full" and not arg:
        return View(kind="full", layers=chosen or DEFAULT_LAYERS, **common)  # type: ignore[arg-type]
    if kind == "scenario" and arg:
        _choice("scenario", arg, [s.id for s in spec.scenarios])
        hl = highlight if highlight is not None else scenario_path(spec, arg)
        pairs = tuple(sorted(hl.items()))
        return View(kind="scenario", scenario=arg, highlight=pairs, layers=chosen or DEFAULT_LAYERS, **common)  # type: ignore[arg-type]
    if kind == "state" and arg:
        _choice("state", arg, [s.id for s in spec.states])
        return View(kind="state", focus=arg, layers=chosen or LAYERS, **common)  # type: ignore[arg-type]
    raise UsageError(f"unknown view {view!r}{_suggest(kind, ('full', 'scenario', 'state'))}; "
                     f"use one of: {', '.join(VIEW_FORMS)}")


def finish(diagrams: Sequence[Diagram]) -> list[str]:
    """Lay out built diagrams in one dot process and post-process each SVG (the site's layout cache calls this)."""
    from .dot_run import run_dot
    from .svg_post import postprocess

    raw = run_dot([d.source for d in diagrams])
    return [postprocess(svg, d.title, d.desc, d.titles) for svg, d in zip(raw, diagrams)]


def _cached(diagrams: Sequence[Diagram]) -> list[str]:
    """Finished SVGs from the user's layout cache (the one builds use), laying out only what is new."""
    from ..cache.layout import open_layout_cache

    return open_layout_cache().svgs(diagrams, finish)


def cached_svg(spec: Spec, view: View) -> str:
    """One finished state diagram SVG, through the layout cache builds share."""
    return _cached([build(spec, view)])[0]


def render_state(
    spec: Spec,
    view: str = "full",
    lang: str = "zh",
    naming: str = "stevens",
    layers: str | None = None,
    theme: str = "light",
    fmt: str = "svg",
) -> bytes:
    """One state diagram as svg, png, pdf, dot, mermaid or plantuml bytes (through the public API)."""
    from ..api import state_diagram

    _choice("format", fmt, FORMATS)
    return state_diagram(view, lang, naming, layers, theme, spec=spec).to(fmt)
