"""`tcpdiagram init DIR` from an installed wheel, in an empty folder: then check and build use the new project."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.dot


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The wheel built from this checkout and installed (pip --target); its environment for subprocesses."""
    tmp = tmp_path_factory.mktemp("wheel")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                           "-w", str(tmp / "dist"), str(ROOT)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    (wheel,) = (tmp / "dist").glob("tcpdiagram-*.whl")
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(tmp / "lib"),
                           str(wheel)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return dict(os.environ, PYTHONPATH=str(tmp / "lib"), NO_MKDOCS_2_WARNING="1")


def tcpdiagram(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tcpdiagram", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600, check=False)


def test_init_check_build_in_an_empty_folder(installed: dict[str, str], tmp_path: Path) -> None:
    where = tcpdiagram(["check"], tmp_path, installed)
    assert "/lib/tcpdiagram/data/bundled/spec/tcp.yaml: ok" in where.stdout, "not the installed wheel"
    done = tcpdiagram(["init", "course"], tmp_path, installed)
    assert done.returncode == 0, done.stderr
    project = tmp_path / "course"
    spec = project / "spec" / "tcp.yaml"
    pointer = spec.read_text("utf-8").splitlines()[0]
    assert pointer == "# yaml-language-server: $schema=spec.schema.json"
    schema = json.loads((spec.parent / pointer.split("=", 1)[1]).read_text("utf-8"))  # the pointer resolves
    assert schema["title"] == "tcpdiagram spec" and "Spec" in schema["$defs"]
    assert (project / "spec" / "linux-record.json").is_file() and (project / "site" / "mkdocs.yml").is_file()
    assert tcpdiagram(["check"], project, installed).stdout.startswith("spec/tcp.yaml: ok: ")
    # An edit in the new project is what check and build then see.
    spec.write_text(spec.read_text("utf-8").replace("to: LAST_ACK", "to: LAST_ACKK", 1), "utf-8")
    bad = tcpdiagram(["check"], project, installed)
    assert bad.returncode == 1 and bad.stderr.startswith("spec/tcp.yaml:") and "LAST_ACKK" in bad.stderr
    spec.write_text(spec.read_text("utf-8").replace("to: LAST_ACKK", "to: LAST_ACK", 1), "utf-8")
    page = project / "site" / "docs" / "en" / "index.md"
    page.write_text(page.read_text("utf-8") + "\nOur course notes.\n", "utf-8")
    built = tcpdiagram(["build", "--quiet"], project, installed)
    assert built.returncode == 0, built.stderr
    assert "warning" not in built.stderr
    assert "Our course notes." in (project / "build" / "site" / "en" / "index.html").read_text("utf-8")
    # A spec with no Linux record beside it: one warning says the observed runs are left out.
    (project / "spec" / "linux-record.json").unlink()
    built = tcpdiagram(["build", "--quiet"], project, installed)
    assert built.returncode == 0, built.stderr
    assert built.stderr.count("no Linux record at spec/linux-record.json") == 1, built.stderr
    assert "observed" in built.stderr


def test_init_refuses_to_overwrite(installed: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "course").mkdir()
    (tmp_path / "course" / "notes.md").write_text("mine", "utf-8")
    done = tcpdiagram(["init", "course"], tmp_path, installed)
    assert done.returncode == 2 and "never overwrites" in done.stderr
    assert [p.name for p in (tmp_path / "course").iterdir()] == ["notes.md"]
    assert [p.name for p in tmp_path.iterdir()] == ["course"]  # no temporary folder left behind
