"""The benchmark's bigger specs: the bundled spec with its scenarios repeated (copies get ids `<id>_c<n>`)."""

from __future__ import annotations

import re

_ID = re.compile(r"^( +- id: )([A-Za-z][A-Za-z0-9_]*)$", re.M)  # scenarios and their linux_rules
_TITLE = re.compile(r"^(    title: \{zh: )([^,\"]*)(, en: )([^}\"]*)\}$", re.M)  # plain scalars only


def with_scenarios(text: str, times: int) -> str:
    """`text` (spec/tcp.yaml) with every scenario present `times` times: the same steps, new ids and titles."""
    head, sep, rest = text.partition("\nscenarios:\n")
    block, sep2, tail = rest.partition("\nlinux_rules:")
    assert sep and sep2, "bench/scale_spec.py: spec/tcp.yaml has no scenarios: section before linux_rules:"
    copies = [block]
    for n in range(2, times + 1):
        copy = _ID.sub(lambda m: f"{m.group(1)}{m.group(2)}_c{n}", block)
        copies.append(_TITLE.sub(lambda m: f"{m.group(1)}{m.group(2)} {n}{m.group(3)}{m.group(4)} {n}}}", copy))
    return head + sep + "\n".join(copies) + sep2 + tail
