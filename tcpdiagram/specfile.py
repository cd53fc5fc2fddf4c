"""Find the spec and site to use (argument, ./spec/tcp.yaml, ./site, or the bundled copies) and load the spec checked."""

from __future__ import annotations

from pathlib import Path

TYPE_CHECKING = False  # not typing's: stamp.py resolves paths through here and imports only what it must
if TYPE_CHECKING:
    from collections.abc import Callable

    from .model import Spec

PACKAGE = Path(__file__).resolve().parent


def bundled(relative: str) -> Path:
    """Return a file shipped with tcpdiagram: inside the wheel, or in the source checkout."""
    inside = PACKAGE / "data" / "bundled" / relative
    return inside if inside.exists() else PACKAGE.parent / relative


def resolve_spec(arg: Path | None) -> Path:
    if arg is not None:
        return arg
    local = Path("spec/tcp.yaml")
    return local if local.is_file() else bundled("spec/tcp.yaml")


def site_source() -> Path:
    """The MkDocs project: ./site (with a mkdocs.yml) of the working directory, else the bundled copy."""
    local = Path("site")
    return local if (local / "mkdocs.yml").is_file() else bundled("site")


def load_checked(arg: Path | None, use_cache: bool = True, code: str | None = None) -> Spec:
    """Load and validate; raise SpecError carrying every problem of both phases.

    A spec whose exact bytes already loaded and validated cleanly with this very code comes from the
    user cache (cache/spec.py), which skips YAML, loading, validation and the scenario simulations. `code`:
    cache.fingerprint.code_fingerprint() when the caller has it already.
    """
    spec, finish = load_staged(arg, use_cache, code)
    if finish is not None:
        finish()
    return spec


def load_staged(arg: Path | None, use_cache: bool = True,
                code: str | None = None) -> tuple[Spec, Callable[[], None] | None]:
    """load_checked in two steps: the spec once loaded and statically checked (SpecError), and `finish`, which
    runs the scenario simulations (SpecError with their problems) and caches the checked spec; None when the
    spec came checked from the cache. A caller may render from the spec before `finish`, never publish."""
    from .errors import FileUnreadable, SpecError

    path = resolve_spec(arg)
    display = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise FileUnreadable(f"{display}: cannot read the spec: {e.strerror}") from None
    if use_cache:
        from .cache import spec as speccache
        from .cache.fingerprint import code_fingerprint

        code = code_fingerprint() if code is None else code  # once: get and put key on it
        cached = speccache.get(data, display, code)
        if cached is not None:
            return cached, None
    from .loader import load_bytes
    from .validate import simulation_issues, static_issues

    spec = load_bytes(data, display)
    issues = static_issues(spec)
    if issues:
        raise SpecError(issues)

    def finish() -> None:
        found = simulation_issues(spec)
        if found:
            raise SpecError(found)
        if use_cache:
            speccache.put(data, display, spec, code)

    return spec, finish
