"""`render state` as one pipeline: dot starts first, the spec loads meanwhile, the simulations run while dot lays out.

The same steps as render_state (specfile's checks, make_view, state_dot.build, the layout cache, postprocess,
convert), in another order: dot's start-up and the diagram's layout overlap our own work on the other core.
The result is published only once every check of load_checked has passed; any error is raised as it is.
"""

from __future__ import annotations

from pathlib import Path

from .dot_run import DotPipe

PIPED_FORMATS = ("svg", "png", "pdf")  # the formats dot draws (the text formats need no dot)


def render_state_piped(spec_arg: Path | None, view: str, lang: str, naming: str, layers: str, theme: str,
                       fmt: str, code: str | None = None) -> bytes:
    """render_state(load_checked(spec_arg), view, …, fmt) for fmt in PIPED_FORMATS, the same bytes, sooner
    (`code`: code_fingerprint() when the caller has it)."""
    from ..specfile import load_staged

    if fmt not in PIPED_FORMATS:
        raise ValueError(f"not a format dot draws: {fmt!r}")
    pipe = DotPipe()
    try:
        spec, finish = load_staged(spec_arg, code=code)
        if finish is not None and view.startswith("scenario:"):  # a scenario's path is simulated: sound specs only
            finish()
            finish = None
        from ..cache.layout import open_layout_cache
        from .state import make_view
        from .state_dot import build

        diagram = build(spec, make_view(spec, view, lang, naming, layers, theme))
        cache = open_layout_cache(pipe.version())
        svg = cache.get(diagram)
        if svg is None:
            pipe.send([diagram.source])
        if finish is not None:
            finish()  # the scenario simulations, while dot works
        if svg is None:
            from .svg_post import postprocess

            svg = postprocess(pipe.result()[0], diagram.title, diagram.desc, diagram.titles)
            cache.put(diagram, svg)
    finally:
        pipe.close()
    if fmt == "svg":
        return svg.encode("utf-8")
    from ..convert import svg_to

    return svg_to(svg, fmt)
