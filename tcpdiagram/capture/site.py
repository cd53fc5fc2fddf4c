"""The site's "Real captures" page: which captures it traces, where each comes from, the scenario it resembles."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import HeldSignals
from ..model import Lang, Spec, Text, Theme
from ..words import text, texts

FOLDER = Path(__file__).resolve().parent.parent / "data" / "captures"


@dataclass(frozen=True)
class SiteCapture:
    key: str  # the diagram's view and file stem: capture-<key>
    file: str
    scenario: str  # the simulated scenario it resembles
    source: Text
    url: str
    licence: str
    shows: Text


# Where each comes from and what it shows are in the one catalogue: capture_source.<key>, capture_shows.<key>.
CAPTURES: tuple[SiteCapture, ...] = (
    SiteCapture(
        "dns_tcp", "dns_tcp.pcap", "normal_close", text("capture_source.dns_tcp"),
        "https://github.com/the-tcpdump-group/tcpdump/blob/master/tests/dns_tcp.pcap", "BSD-3-Clause",
        text("capture_shows.dns_tcp")),
    SiteCapture(
        "handshake_reorder", "handshake-reorder.pcap", "fin_ack_close", text("capture_source.handshake_reorder"),
        "https://github.com/zeek/zeek/blob/master/testing/btest/Traces/tcp/handshake-reorder.pcap", "BSD-3-Clause",
        text("capture_shows.handshake_reorder")),
    SiteCapture(
        "verify_simultaneous_close", "verify-simultaneous_close.pcap", "simultaneous_close",
        text("capture_source.verify_simultaneous_close"), "", "MIT", text("capture_shows.verify_simultaneous_close")),
)


def site_capture(key: str) -> SiteCapture:
    return next(c for c in CAPTURES if c.key == key)


def capture_chart_svg(spec: Spec, key: str, lang: Lang, theme: Theme) -> str:
    """The traced chart of one of the page's captures (its only connection)."""
    from .chart import conn_svg
    from .read import read

    sc = site_capture(key)
    with HeldSignals():  # compiled code (errors.HeldSignals)
        cap = read(FOLDER / sc.file, spec, lambda _i, _e: True)
        return conn_svg(spec, cap.connections[0], sc.file, lang, theme)


def capture_states(spec: Spec, key: str) -> list[tuple[str, str, list[str]]]:
    """(address, role, states) of each endpoint of the capture's connection, for the page's table."""
    from .read import read

    with HeldSignals():  # compiled code (errors.HeldSignals)
        s = read(FOLDER / site_capture(key).file, spec).connections[0].summary()
    return [(e["addr"], e["role"], e["states"]) for e in s["endpoints"]]


PAGE: dict[str, Text] = texts("captures")  # the page's own words, from the one catalogue


def page_rows(spec: Spec, lang: Lang) -> list[dict[str, object]]:
    """What the captures page shows for each capture whose scenario the spec has."""
    rows: list[dict[str, object]] = []
    for c in CAPTURES:
        if not any(x.id == c.scenario for x in spec.scenarios):
            continue
        rows.append({"capture": c, "source": c.source.get(lang), "shows": c.shows.get(lang),
                     "endpoints": capture_states(spec, c.key)})
    return rows
