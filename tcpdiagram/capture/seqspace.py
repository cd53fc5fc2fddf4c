"""Sequence-number arithmetic modulo 2**32 (RFC 9293 §3.4): comparisons that survive wrap-around."""

from __future__ import annotations

from typing import Final
MOD: Final = 1 << 32
HALF: Final = 1 << 31


def ge(a: int, b: int) -> bool:
    """a is at or after b."""
    return (a - b) % MOD < HALF


def gt(a: int, b: int) -> bool:
    return a != b and ge(a, b)


def add(a: int, n: int) -> int:
    return (a + n) % MOD


def rel(a: int, base: int) -> int:
    return (a - base) % MOD
