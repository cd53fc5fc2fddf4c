"""Every choice is declared once, in the model: the CLI, the renderers, the schema and the site read it there."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tcpdiagram import model
from tcpdiagram.entry import parse_build
from tcpdiagram.schema import json_schema
from tcpdiagram.specfile import load_checked

if TYPE_CHECKING:
    from conftest import Cli

ROOT = Path(__file__).resolve().parent.parent


def test_naming_profiles_agree_everywhere() -> None:
    """A profile added to NamingProfile must also be a Names field and have a title; the schema requires it."""
    assert [f.name for f in dataclasses.fields(model.Names)] == list(model.NAMINGS)
    assert list(model.NAMING_TITLES) == list(model.NAMINGS)
    names = json_schema()["$defs"]["Names"]
    # netstat may be left out: it is then the kernel name without TCP_, which is what net-tools prints
    assert sorted(names["required"]) == sorted(p for p in model.NAMINGS if p != "netstat")


def test_the_cli_offers_the_models_choices(cli: Cli) -> None:
    rc, state, _ = cli(["render", "state", "--help"])
    assert rc == 0
    assert f"[{'|'.join(model.NAMINGS)}]" in state and f"[{'|'.join(model.STATE_FORMATS)}]" in state
    assert f"[{'|'.join(model.LANGS)}]" in state and f"[{'|'.join(model.THEMES)}]" in state
    assert ",".join(model.LAYERS) in "".join(state.split())
    _, chart, _ = cli(["render", "scenario", "--help"])
    assert f"[{'|'.join(model.CHART_FORMATS)}]" in chart
    _, simulate, _ = cli(["simulate", "--help"])
    assert f"[{'|'.join(model.TRACE_FORMATS)}]" in simulate


def test_the_fast_paths_default_languages_are_the_models() -> None:
    """entry.py spells the default out (importing the model would cost the no-change path its dataclasses)."""
    default = parse_build([])
    assert default is not None and default.langs == model.LANGS


@pytest.mark.parametrize("naming", model.NAMINGS)
def test_every_naming_profile_renders(naming: model.NamingProfile, cli: Cli) -> None:
    """`--naming ss` was refused by the CLI although the model and the spec have it."""
    spec = load_checked(ROOT / "spec" / "tcp.yaml")
    rc, out, err = cli(["render", "state", "--spec", str(ROOT / "spec" / "tcp.yaml"), "--view", "state:SYN_RCVD",
                        "--format", "dot", "--naming", naming])
    assert (rc, err) == (0, "")
    assert f'id="state-SYN_RCVD", label="{spec.state("SYN_RCVD").names.get(naming)}\\n' in out
