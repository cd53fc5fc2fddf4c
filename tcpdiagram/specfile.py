"""Find the spec and site to use (argument, ./spec/tcp.yaml, ./site, or the bundled copies) and load the spec checked."""

from __future__ import annotations

from pathlib import Path

TYPE_CHECKING = False  # not typing's: stamp.py resolves paths through here and imports only what it must
if TYPE_CHECKING:
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


def load_checked(arg: Path | None) -> Spec:
    """Load and validate; raise SpecError carrying every problem of both phases."""
    from .errors import SpecError
    from .loader import load_spec
    from .validate import validate

    path = resolve_spec(arg)
    spec = load_spec(path, display=str(path))
    issues = validate(spec)
    if issues:
        raise SpecError(issues)
    return spec
