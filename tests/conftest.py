"""Shared fixtures: the bundled spec, golden files (--update-golden), markers for system tools, a private cache."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Callable, Iterator

import pytest

from tcpdiagram.loader import load_bytes
from tcpdiagram.model import Spec

ROOT = Path(__file__).resolve().parent.parent
SPEC_PATH = ROOT / "spec" / "tcp.yaml"
GOLDEN = Path(__file__).resolve().parent / "golden"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite golden files from current output")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip_dot = pytest.mark.skip(reason="Graphviz 'dot' is not installed (make test installs it)")
    for item in items:
        if "dot" in item.keywords and shutil.which("dot") is None:
            item.add_marker(skip_dot)


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Every build of the session (and every CLI subprocess, through the environment) uses a cache of its own,
    never the user's ~/.cache/tcpdiagram; the session's builds share it, so only the first one is cold."""
    folder = tmp_path_factory.mktemp("tcpdiagram-cache")
    old = os.environ.get("TCPDIAGRAM_CACHE")
    os.environ["TCPDIAGRAM_CACHE"] = str(folder)
    yield folder
    if old is None:
        os.environ.pop("TCPDIAGRAM_CACHE", None)
    else:
        os.environ["TCPDIAGRAM_CACHE"] = old


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The one full build of the test session (both languages, --strict), shared by every test module."""
    from tcpdiagram.pipeline import build

    out = tmp_path_factory.mktemp("session") / "build"
    result = build(SPEC_PATH, out=out, strict=True, quiet=True, site=ROOT / "site")
    assert result.warnings == ()
    return out


Cli = Callable[[list[str]], tuple[int, str, str]]


@pytest.fixture()
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    """Run `tcpdiagram ARGS` in-process as the console script does (entry.main, its fast paths included);
    returns (exit code, stdout, stderr)."""
    from tcpdiagram.entry import main

    def run(args: list[str]) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "argv", ["tcpdiagram", *args])
        code: object = 0
        try:
            main()
        except SystemExit as e:
            code = e.code
        out, err = capsys.readouterr()
        return (code if isinstance(code, int) else 0), out, err

    return run


@pytest.fixture(scope="session")
def spec() -> Spec:
    return load_bytes(SPEC_PATH.read_bytes(), "spec/tcp.yaml")


class Golden:
    """Compare output with tests/golden/<name> byte for byte, or rewrite it under --update-golden."""

    def __init__(self, update: bool) -> None:
        self.update = update

    def check(self, name: str, actual: str | bytes) -> None:
        path = GOLDEN / name
        data = actual.encode("utf-8") if isinstance(actual, str) else actual
        if self.update or not path.exists():
            if not self.update:
                pytest.fail(f"golden file {path} is missing; run pytest --update-golden and review it")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            return
        expected = path.read_bytes()
        assert data == expected, f"output differs from golden file {path} (pytest --update-golden to accept)"


@pytest.fixture(scope="session")
def golden(request: pytest.FixtureRequest) -> Golden:
    return Golden(bool(request.config.getoption("--update-golden")))
