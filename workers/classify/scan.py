"""One sentence, labelled once: the view every later step (numbers, cues, counts) reads.

Labelling is the only per-token work; everything after it is integer comparisons on spans.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from workers.classify.lexicon.loader import Lexicon
from workers.classify.lexicon.patterns import Match
from workers.classify.sentences import Sentence, tokenize

# Tokens that end a clause for scope rules (hypotheticals, negation) and count windows.
CLAUSE_BREAKS = frozenset({";", ":", "—", "–", "(", ")", "?"})
COMMA = ","


@dataclass(slots=True)
class Scan:
    """A tokenised sentence with its label spans, indexed by label and by token."""

    sentence: Sentence
    lexicon: Lexicon
    matches: list[Match]
    by_label: dict[str, list[Match]] = field(default_factory=dict)
    at_token: list[set[str]] = field(default_factory=list)

    @property
    def tokens(self) -> tuple[str, ...]:
        return self.sentence.lower

    def has(self, label: str) -> bool:
        return label in self.by_label

    def has_prefix(self, prefix: str) -> bool:
        return any(label.startswith(prefix) for label in self.by_label)

    def ending_at(self, label: str, pos: int) -> Match | None:
        """A ``label`` span that ends exactly at token ``pos`` (just before it)."""
        return next((m for m in self.by_label.get(label, ()) if m.end == pos), None)

    def starting_at(self, label: str, pos: int) -> Match | None:
        return next((m for m in self.by_label.get(label, ()) if m.start == pos), None)

    def labels_with(self, i: int, prefix: str) -> list[str]:
        return [label for label in self.at_token[i] if label.startswith(prefix)]

    def clause_start(self, pos: int, commas: bool = True) -> int:
        """First token of the clause holding token ``pos``."""
        for i in range(pos - 1, -1, -1):
            tok = self.tokens[i]
            if tok in CLAUSE_BREAKS or (commas and tok == COMMA):
                return i + 1
        return 0


def scan_sentence(text: str, lexicon: Lexicon) -> Scan:
    """Tokenise and label one sentence."""
    sentence = tokenize(text)
    matches = lexicon.patterns.match(sentence.lower)
    by_label: dict[str, list[Match]] = defaultdict(list)
    at_token: list[set[str]] = [set() for _ in sentence.tokens]
    for m in matches:
        by_label[m.label].append(m)
        for i in range(m.start, m.end):
            at_token[i].add(m.label)
    return Scan(sentence, lexicon, matches, dict(by_label), at_token)
