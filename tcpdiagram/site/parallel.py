"""A plain build's second language in a process of its own, beside the first: MkDocs is the longest step of a
build and runs on one core; the i18n plugin builds the languages one after the other.

Before MkDocs starts, the build forks. The child builds the second language (`en/…`) exactly as the i18n
plugin's loop would (its language current, the plugin marked as building), into a folder of its own, and
hands back what that build leaves beyond its folder: its search entries, the root files the last language's
build writes (`404.html`, `sitemap.xml`), and its warnings. The parent builds the default language; where the
i18n loop would build the second one, it takes the child's instead: the folder renamed into the site, the root
files written, the entries and warnings added in the loop's order. tests/test_serve_memo.py compares such
builds with serve's memoized ones byte for byte. Under `serve` the child builds through the memo it inherited
(site/memo.py) and hands back what it added to it (PageMemo.since), which the parent merges, so the next
rebuild reuses the second language's pages as it would had one process built both. Off without fork
(Windows) and for one language.
"""

from __future__ import annotations

import ctypes
import gc
import os
import pickle
import shutil
import signal
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from .reuse import ROOT_FILES, put_roots

if TYPE_CHECKING:
    from .memo import PageMemo


def _die_with_parent() -> None:
    """Linux: the child is killed when the build process dies (a killed build leaves no writer behind)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _child(config: Any, i18n: Any, lang: str, aside: Path, records: list[str],
           memo: PageMemo | None) -> tuple[object, ...]:
    import mkdocs_static_i18n.plugin as i18n_plugin

    i18n.current_language = lang
    i18n.building = True  # as inside the i18n plugin's loop: its on_post_build does not start another loop
    config["site_dir"] = str(aside)
    mark = None
    if memo is not None:
        memo.site_dir = aside  # what it links and places is relative to the folder it builds into
        mark = memo.fork_point()
    before, said = len(i18n.search_entries), len(records)
    i18n_plugin.build(config)  # what the i18n loop calls (the memo's, under serve)
    roots = {name: (aside / name).read_bytes() for name in ROOT_FILES if (aside / name).is_file()}
    return ("ok", i18n.search_entries[before:], roots, records[said:], memo.since(mark) if memo is not None and mark is not None else None)


def _payload(result: tuple[object, ...]) -> bytes:
    """The child's result pickled; without the memo's part when that cannot be (the memo is only a speed-up)."""
    try:
        return pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return pickle.dumps((*result[:-1], None), protocol=pickle.HIGHEST_PROTOCOL)


@contextmanager
def second_language_aside(config: Any, langs: list[str], records: list[str],
                          memo: PageMemo | None = None) -> Iterator[None]:
    """Inside: MkDocs' build of `config` with the second of `langs` built by a child process (see the module
    docstring). `records` is the list the build's warnings go to; `memo`: serve's, active around this."""
    i18n = config.plugins.get("i18n")
    if i18n is None or len(langs) != 2 or not hasattr(os, "fork"):
        yield
        return
    import mkdocs_static_i18n.plugin as i18n_plugin
    from mkdocs.exceptions import Abort

    other = langs[1]
    site = Path(config["site_dir"])
    aside = site.with_name(f"{site.name}.{other}")
    read_end, write_end = os.pipe()
    gc.freeze()  # the child's collector leaves the objects it inherits alone: no copy of every page they fill
    pid = os.fork()
    if pid != 0:
        gc.unfreeze()
    if pid == 0:  # the child: build, report, leave at once (no exit handlers: they are the parent's)
        os.close(read_end)
        _die_with_parent()
        code = 0
        try:
            result = _child(config, i18n, other, aside, records, memo)
        except BaseException as e:  # noqa: BLE001 - whatever it is, the parent raises it
            result, code = ("error", f"{e}" or type(e).__name__), 1
        try:
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(_payload(result))
        finally:
            os._exit(code)
    os.close(write_end)
    reaped = False

    def take() -> tuple[object, ...]:
        nonlocal reaped
        with os.fdopen(read_end, "rb", closefd=False) as pipe:
            data = pipe.read()
        os.waitpid(pid, 0)
        reaped = True
        if not data:
            raise Abort(f"the build of the {other!r} pages stopped")
        result: tuple[object, ...] = pickle.loads(data)  # noqa: S301 - our own child's bytes
        return result

    plain_build = i18n_plugin.build

    def language_build(cfg: Any, dirty: bool = False) -> None:
        if str(i18n.current_language) != other:
            plain_build(cfg, dirty=dirty)
            return
        result = take()
        if result[0] != "ok":
            raise Abort(str(result[1]))
        _, entries, roots, said, delta = result
        os.rename(aside / other, site / other)
        put_roots(site, roots)  # type: ignore[arg-type]
        i18n.search_entries.extend(entries)
        records.extend(said)  # type: ignore[arg-type]
        if memo is not None and delta is not None:
            memo.merge(delta)  # type: ignore[arg-type]

    setattr(i18n_plugin, "build", language_build)  # noqa: B010 - the i18n plugin's loop, for this build only
    try:
        yield
    finally:
        setattr(i18n_plugin, "build", plain_build)  # noqa: B010
        if not reaped:  # the default language failed first: the child's work is not wanted
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)
        os.close(read_end)
        shutil.rmtree(aside, ignore_errors=True)
