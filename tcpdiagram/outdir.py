"""The --out checks: only a missing or empty folder, or an earlier build (its marker), not holding the working
folder, may be replaced; the build and the console script's up-to-date answer share them."""

from __future__ import annotations

import os
from pathlib import Path

from .stamp import MARKER

TYPE_CHECKING = False  # not typing's: the up-to-date path (entry.py) imports little
if TYPE_CHECKING:
    from typing import NoReturn


def guard(out: Path) -> None:
    """Refuse to replace anything that is not an earlier build: a link, a file, or a non-empty folder without
    the marker. The build and the console script's up-to-date answer (entry.py) both call this."""
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        _refuse(f"--out {str(out)!r} exists and is not a folder; refusing to replace it")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        _refuse(
            f"--out {str(out)!r} is not empty and has no {MARKER} marker, so it was not made by tcpdiagram; "
            "refusing to replace it (choose another --out, or empty it yourself)"
        )


def refuse_cwd(out: Path) -> None:
    """Refuse an --out that is, or holds, the working folder: the build replaces its --out whole."""
    full = Path(os.path.abspath(out))
    if Path.cwd().resolve().is_relative_to(full.resolve()):
        _refuse(
            f"--out {str(out)!r} is the folder you are in (or holds it): a build replaces its --out whole, which "
            "would leave you in a removed folder; choose a folder of its own, e.g. --out build"
        )


def _refuse(message: str) -> NoReturn:
    from .errors import UsageError  # only now: errors imports dataclasses, which the up-to-date path need not

    raise UsageError(message)


def split_langs(text: str) -> tuple[str, ...]:
    """`--lang zh,en` → ('zh', 'en'), as typed (pipeline.check_langs then checks and dedupes them)."""
    return tuple(x.strip() for x in text.split(",") if x.strip())
