"""Phrase matching: whether a multi-token pattern continues from a token, gaps included.

The hot inner loop of labelling a sentence (``PatternSet.index`` and friends in patterns.py):
a phrase is tried only where the next token can continue it, and a gap ("vuurde ... af")
never crosses the end of a clause.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from workers.classify.lexicon.patterns import Entry

MAX_GAP = 6
BREAK = "#break"  # an internal label on punctuation that ends a clause: no gap crosses it
COMMA = "#comma"  # a comma ends a clause where a function word follows ("kwamen, om ...")


class Match(NamedTuple):
    """A labelled span of tokens [start, end) in one sentence (a tuple: made by the thousand)."""

    label: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Phrase:
    """A multi-token pattern: the label ids of its parts, with gap flags."""

    label: str
    parts: tuple[str, ...]  # internal labels, one per token pattern
    gaps: tuple[bool, ...]  # gaps[i]: a gap is allowed before parts[i]


def phrases_at(
    e: Entry, token_labels: list[frozenset[str]], i: int
) -> list[tuple[Match, int]]:
    """The phrases that start at token i and match, in their fixed order, with their number
    of parts (a span longer than that used a gap)."""
    nxt = token_labels[i + 1] if i + 1 < len(token_labels) else frozenset()
    if not e.loose and e.tight_keys.isdisjoint(nxt):
        return []  # the usual case: the next word continues no phrase this one starts
    tried = list(e.loose)
    for label in e.tight_keys.intersection(nxt):
        tried.extend(e.tight[label])
    if len(tried) > 1:
        tried.sort(key=_rank)
    out = []
    third = token_labels[i + 2] if i + 2 < len(token_labels) else frozenset()
    for _, phrase in tried:
        parts = phrase.parts
        if len(parts) > 2 and not phrase.gaps[1] and not phrase.gaps[2] \
                and parts[2] not in third:
            continue  # "in the event of" after "in the": the third word decides, cheaply
        end = extend_phrase(phrase, token_labels, i + 1, 1)
        if end is not None:
            out.append((Match(phrase.label, i, end), len(phrase.parts)))
    return out


def _rank(item: tuple[int, Phrase]) -> int:
    return item[0]


def extend_phrase(
    phrase: Phrase, token_labels: list[frozenset[str]], pos: int, k: int
) -> int | None:
    """Match parts[k:] from token ``pos``; returns the end of the span, or None."""
    if k == len(phrase.parts):
        return pos
    reach = MAX_GAP if phrase.gaps[k] else 0
    for j in range(pos, min(pos + reach + 1, len(token_labels))):
        if phrase.parts[k] in token_labels[j]:
            return extend_phrase(phrase, token_labels, j + 1, k + 1)
        labels = token_labels[j]
        if BREAK in labels or (COMMA in labels and j + 1 < len(token_labels)
                               and "function_words" in token_labels[j + 1]):
            return None  # a split phrase stays in its clause: "kwamen, om hen uit te dagen"
    return None
