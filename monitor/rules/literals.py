"""The literal terms a regex needs, so a rule's regex runs only on articles that hold one.

A match of ``(?i)oekra|ukrain`` contains "oekra" or "ukrain"; an article holding neither cannot
match, and the regex need not run. ``required_literals`` reads such terms from the parsed
pattern (ASCII only, case-folded, at least MIN_LITERAL long); patterns without any always run.
All terms of a ruleset are found in an article in one pass (Aho-Corasick), or by a substring
search each when they are few.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from re import _parser as sre  # type: ignore[attr-defined]
from typing import Any

import ahocorasick

MIN_LITERAL = 3  # shorter terms are in nearly every text: no use as a filter
FEW_TERMS = 32  # up to this many, a substring search per term beats the automaton's per-hit cost


def required_literals(pattern: str) -> frozenset[str] | None:
    """Lower-case ASCII terms one of which every match of ``pattern`` contains; None when no
    such set is known (then the regex always runs)."""
    try:
        parsed = sre.parse(pattern)
    except (re.error, ValueError, TypeError):
        return None
    return _seq_literals(list(parsed))


def _seq_literals(items: list[tuple[Any, Any]]) -> frozenset[str] | None:
    best: frozenset[str] | None = None
    run: list[str] = []

    def consider(found: frozenset[str] | None) -> None:
        nonlocal best
        if found and (best is None or min(map(len, found)) > min(map(len, best))):
            best = found

    for op, arg in items:
        if op is sre.LITERAL and arg < 128:
            run.append(chr(arg).lower())
            continue
        if len(run) >= MIN_LITERAL:
            consider(frozenset({"".join(run)}))
        run = []
        if op is sre.SUBPATTERN:
            consider(_seq_literals(list(arg[-1])))
        elif op is sre.BRANCH:
            alts = [_seq_literals(list(branch)) for branch in arg[1]]
            if all(alts):
                consider(frozenset().union(*alts))  # type: ignore[arg-type]
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and arg[0] >= 1:
            consider(_seq_literals(list(arg[2])))
    if len(run) >= MIN_LITERAL:
        consider(frozenset({"".join(run)}))
    return best


class LiteralFilter:
    """Which of a ruleset's regexes could match a text, from the terms they need."""

    def __init__(self, patterns: Iterable[str]) -> None:
        self.needs = {p: required_literals(p) for p in patterns}
        self.terms = frozenset(t for terms in self.needs.values() for t in terms or ())
        self.automaton = ahocorasick.Automaton()
        for term in self.terms:
            self.automaton.add_word(term, term)
        if self.terms:
            self.automaton.make_automaton()

    def terms_in(self, text: str) -> set[str]:
        """The terms the text holds (case-folded)."""
        if not self.terms:
            return set()
        folded = text.casefold()
        if len(self.terms) <= FEW_TERMS:
            return {term for term in self.terms if term in folded}
        return {term for _, term in self.automaton.iter(folded)}

    def could_match(self, text: str) -> Callable[[str], bool]:
        """For this text: could a pattern match (False only when it holds none of its terms)?"""
        found = self.terms_in(text)

        def could(pattern: str) -> bool:
            needed = self.needs.get(pattern)
            return needed is None or not needed.isdisjoint(found)

        return could
