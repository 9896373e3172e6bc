"""Bit sets over rule condition blocks: Python ints, one bit per block (monitor/rules/index.py).

A condition key's blocks are grouped by the value they require, so one test of a value
answers for every block that holds it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

Bits = int


class ValueGroups:
    """Blocks grouped by the value of one condition key: each value is tested once."""

    def __init__(self) -> None:
        self.unset: Bits = 0  # blocks without this key: it holds for them
        self.by_value: dict[Hashable, Bits] = {}

    def add(self, bit: int, value: Hashable | None) -> None:
        if value is None:
            self.unset |= 1 << bit
        else:
            self.by_value[value] = self.by_value.get(value, 0) | 1 << bit

    def holding(self, test: Callable[[Any], bool]) -> Bits:
        out = self.unset
        for value, bits in self.by_value.items():
            if test(value):
                out |= bits
        return out


class MemberGroups:
    """Blocks whose key lists allowed values (lang, weapon, side, status): value -> bits."""

    def __init__(self) -> None:
        self.unset: Bits = 0
        self.by_member: dict[str, Bits] = {}

    def add(self, bit: int, values: tuple[str, ...] | None) -> None:
        if values is None:
            self.unset |= 1 << bit
            return
        for v in values:
            self.by_member[v] = self.by_member.get(v, 0) | 1 << bit

    def holding(self, value: str) -> Bits:
        return self.unset | self.by_member.get(value, 0)


def any_of(per_event: list[Bits]) -> Bits:
    out = 0
    for bits in per_event:
        out |= bits
    return out



def set_bits(bits: Bits) -> list[int]:
    """The positions of the set bits, lowest first."""
    digits = bin(bits)[:1:-1]  # lowest bit first
    out, at = [], digits.find("1")
    while at >= 0:
        out.append(at)
        at = digits.find("1", at + 1)
    return out
