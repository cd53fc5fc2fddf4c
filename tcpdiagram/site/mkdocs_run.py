"""Run MkDocs in-process on a prepared docs folder; collect its warnings; cache compiled templates and jieba."""

from __future__ import annotations

import logging
import os
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from .. import words
from ..cache.store import ensure
from ..errors import TcpDiagramError
from ..model import LANGS

if TYPE_CHECKING:
    from .memo import PageMemo

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # Material 9.8's banner about MkDocs 2 is not a warning


class SiteBuildFailed(TcpDiagramError):
    """MkDocs could not build the site, or `--strict` met a warning."""


class Captured(logging.Handler):
    """Keeps every WARNING and ERROR record MkDocs and its plugins log."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        level = "" if record.levelno == logging.WARNING else f"{record.levelname.lower()}: "
        self.records.append(f"mkdocs: {level}{record.getMessage()}")


def _cache_plugin(cache_dir: Path) -> Any:
    import jinja2
    from jinja2 import FileSystemBytecodeCache
    from mkdocs.plugins import BasePlugin

    class SafeBytecodeCache(FileSystemBytecodeCache):
        """Jinja2's cache (atomic writes, checked against each template's source) where a bad entry is a miss."""

        def load_bytecode(self, bucket: Any) -> None:
            try:
                super().load_bytecode(bucket)
            except Exception:  # noqa: BLE001 - a corrupt entry (bad pickle, truncated file) is recompiled
                bucket.reset()

        def dump_bytecode(self, bucket: Any) -> None:
            try:
                super().dump_bytecode(bucket)
            except OSError:
                pass

    class JinjaCache(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
        """Compiled theme templates on disk: the build spends ~40 % compiling them otherwise."""

        def on_env(self, env: Any, *, config: Any, files: Any) -> Any:
            folder = cache_dir / "jinja" / f"jinja2-{jinja2.__version__}-{sys.implementation.cache_tag}-{_env_key(env)}"
            if ensure(folder) is not None:
                env.bytecode_cache = SafeBytecodeCache(str(folder))
            return env

    return JinjaCache()


def _env_key(env: Any) -> str:
    """What of a Jinja2 environment shapes compiled code: Jinja2 checks each entry only against its template's
    source, so environments that differ (syntax, extensions, the filters and tests known at compile time)
    get folders of their own."""
    import hashlib

    plain = (str, int, float, bool, type(None))
    parts = [
        env.block_start_string, env.block_end_string, env.variable_start_string, env.variable_end_string,
        env.comment_start_string, env.comment_end_string, env.line_statement_prefix, env.line_comment_prefix,
        env.trim_blocks, env.lstrip_blocks, env.newline_sequence, env.keep_trailing_newline, env.optimized,
        env.is_async, repr(env.autoescape) if isinstance(env.autoescape, bool) else "callable",
        env.finalize is not None, sorted(env.extensions), sorted(env.filters), sorted(env.tests),
        sorted((k, v) for k, v in env.policies.items() if isinstance(v, plain)),
    ]
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()[:16]


def _languages(plugin_config: dict[str, Any], langs: Sequence[str]) -> None:
    """Build only `langs`; the first of them becomes the default language (served at `/`)."""
    known = {entry["locale"]: entry for entry in plugin_config.get("languages", [])}
    chosen = []
    for i, lang in enumerate(langs):
        entry = dict(known.get(lang, {"locale": lang, "name": lang}))
        entry["default"] = i == 0
        entry["build"] = True
        for known_lang in LANGS:  # the footer in the page's language, from the catalogue (Material's is English)
            if lang == known_lang:
                entry.setdefault("copyright", words.t(known_lang, "footer"))
        chosen.append(entry)
    plugin_config["languages"] = chosen


def build_site(
    config_file: Path,
    docs_dir: Path,
    site_dir: Path,
    *,
    langs: Sequence[str],
    generated: Sequence[str],
    cache_dir: Path | None,
    site_url: str | None = None,
    memo: PageMemo | None = None,
) -> list[str]:
    """Build the site; return the warnings MkDocs logged (strictness is the caller's decision).

    `cache_dir` (the user cache; None for none) keeps compiled Jinja2 templates and jieba's dictionary.
    `site_url` (from `build --site-url`) replaces mkdocs.yml's `site_url`; with neither, every link is relative
    and no sitemap is written. `memo` (serve's, kept across its rebuilds): pages whose inputs did not change
    reuse an earlier build's Markdown conversion and search entries (site/memo.py).

    MkDocs' own `strict` stays off: a strict abort would hide the later warnings, and we want them all.
    """
    import yaml
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    from .site_plugin import plugin as site_plugin

    _quiet_jieba(cache_dir)
    text = config_file.read_text(encoding="utf-8")
    raw = yaml.load(text, Loader=_loader())  # noqa: S506 - the site's own config
    nav = expand_nav(raw.get("nav", []), generated)
    if memo is not None:
        memo.context, memo.docs_dir, memo.site_dir = repr((text, tuple(langs), site_url, nav)), docs_dir, site_dir
    plugins = raw.get("plugins", [])
    for item in plugins:
        if isinstance(item, dict) and "i18n" in item:
            _languages(item["i18n"], langs)
    extra = dict(raw.get("extra") or {})
    extra.setdefault("generator", False)  # Material's "Made with Material for MkDocs" is English only
    logger = logging.getLogger("mkdocs")
    handler = Captured()
    old_propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False  # no second copy on stderr through the root logger
    one_line = CacheTraceback()
    logging.getLogger("jieba").addFilter(one_line)
    try:
        config = load_config(
            config_file=str(config_file),
            docs_dir=str(docs_dir),
            site_dir=str(site_dir),
            plugins=plugins,
            nav=nav,
            extra=extra,
            strict=False,
            **({"site_url": site_url} if site_url else {}),
        )
        config.plugins["tcpdiagram-site"] = site_plugin(memo)
        if cache_dir is not None:
            config.plugins["tcpdiagram-jinja-cache"] = _cache_plugin(cache_dir)
        from . import html_titles

        config.plugins["tcpdiagram-html-titles"] = html_titles.plugin()
        from .parallel import second_language_aside

        with memo.active() if memo is not None else nullcontext(), \
                second_language_aside(config, list(langs), handler.records, memo):
            build(config)
    except MkDocsException as e:
        raise SiteBuildFailed(f"MkDocs failed: {e}" + "".join(f"\n  {r}" for r in handler.records)) from e
    finally:
        logger.removeHandler(handler)
        logger.propagate = old_propagate
        logging.getLogger("jieba").removeFilter(one_line)
    return handler.records


class CacheTraceback(logging.Filter):
    """jieba logs a traceback when it cannot write its dictionary cache (a full disk, a read-only home):
    print one line instead, once. A cache is a speed-up, so this is no site warning (`--strict` ignores it)."""

    said = False

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.exc_info:
            return True
        if not CacheTraceback.said:
            error = record.exc_info[1]
            reason = (error.strerror if isinstance(error, OSError) else None) or str(error) or type(error).__name__
            sys.stderr.write(f"warning: jieba's dictionary cache not written ({reason}); the build goes on\n")
            CacheTraceback.said = True
        return False


def expand_nav(nav: list[Any], generated: Sequence[str]) -> list[Any]:
    """Fill each section listing only `<folder>/index.md` with the generated pages of that folder, in order."""
    out: list[Any] = []
    for item in nav:
        if isinstance(item, dict) and len(item) == 1:
            title, value = next(iter(item.items()))
            if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str) and value[0].endswith("/index.md"):
                folder = value[0][: -len("index.md")]
                pages = [p for p in dict.fromkeys(generated) if p.startswith(folder) and p != value[0]]
                item = {title: [value[0], *pages]}
            elif isinstance(value, list):
                item = {title: expand_nav(value, generated)}
        out.append(item)
    return out


def _loader() -> Any:
    """MkDocs' own YAML loader (it understands !!python/name tags such as pymdownx.slugs.slugify)."""
    from mkdocs.utils.yaml import get_yaml_loader

    return get_yaml_loader()


def _quiet_jieba(cache_dir: Path | None) -> None:
    """jieba logs its dictionary loading at INFO and caches it in /tmp: quiet it, and cache it with ours."""
    try:
        import jieba
    except ImportError:
        return
    jieba.setLogLevel(logging.WARNING)
    if cache_dir is not None:
        folder = ensure(cache_dir / "jieba" / f"jieba-{jieba.__version__}-{sys.implementation.cache_tag}")
        if folder is not None:
            jieba.dt.tmp_dir = str(folder)
