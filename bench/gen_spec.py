"""Generate a state-machine-like spec of N states (default 200) for the benchmark, deterministically."""

from __future__ import annotations

import random
import sys
from pathlib import Path

GROUPS = ("opening", "established", "active_close", "passive_close")


def generate(n: int = 200, seed: int = 42) -> str:
    """Return YAML text: states S000…, forward, back and hub edges in TCP's proportions (≈ 2.1 per state)."""
    rnd = random.Random(seed)
    out = [
        "meta:",
        "  id: bench",
        "  title: {zh: 基准测试状态机, en: Benchmark state machine}",
        "  summary: {zh: 生成的规格。, en: A generated spec.}",
        "  languages: [zh, en]",
        "  references:",
        "    - id: rfc9293",
        "      title: {zh: RFC 9293, en: RFC 9293}",
        "      url: https://www.rfc-editor.org/rfc/rfc9293",
        "states:",
    ]
    for i in range(n):
        group = "closed" if i == 0 else GROUPS[(i // 11) % len(GROUPS)]
        out += [
            f"  - id: S{i:03d}",
            f"    group: {group}",
            f"    names: {{rfc: S-{i:03d}, stevens: S_{i:03d}, linux: TCP_S{i:03d}, ss: S-{i:03d}}}",
            f"    label: {{zh: 状态{i}, en: State {i}}}",
            f"    summary: {{zh: 第 {i} 个状态。, en: State number {i}.}}",
            f"    description: {{zh: 生成的第 {i} 个状态。, en: The generated state number {i}.}}",
        ]
    events = [f"e{k}" for k in range(8)]
    out.append("events:")
    for e in events:
        out += [
            f"  - id: {e}",
            "    kind: app",
            f"    label: {{zh: 事件{e[1:]}, en: event {e[1:]}}}",
            f"    description: {{zh: 生成的事件 {e}。, en: Generated event {e}.}}",
        ]
    out += [
        "actions:",
        "  - id: act",
        "    kind: tcb",
        "    label: {zh: 动作, en: action}",
        "    description: {zh: 生成的动作。, en: A generated action.}",
        "transitions:",
    ]
    edges: list[tuple[int, int]] = []
    for i in range(n):
        edges.append((i, (i + 1) % n))  # keeps every state reachable and gives every state a way out
    while len(edges) < round(n * 23 / 11):
        i = rnd.randrange(n)
        r = rnd.random()
        if r < 0.70:
            j = min(n - 1, i + rnd.randint(2, 4))
        elif r < 0.85:
            j = max(0, i - rnd.randint(1, 8))
        else:
            j = (i // 11) * 11
        edges.append((i, j))
    used: dict[int, int] = {}
    for i, j in edges:
        k = used.get(i, 0)
        if k >= len(events):
            continue
        used[i] = k + 1
        out.append(f"  - {{from: S{i:03d}, event: {events[k]}, to: S{j:03d}, actions: [act], layer: figure, "
                   "cite: [rfc9293:fig5]}")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    target = Path(sys.argv[2]) if len(sys.argv) > 2 else None
    text = generate(n)
    if target:
        target.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
