"""One sentence, labelled once: the view every later step (numbers, cues, counts) reads.

Labelling is the only per-token work; everything after it is integer comparisons on spans.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from workers.classify.lexicon.loader import NUMBER_WORD, Lexicon
from workers.classify.lexicon.patterns import Entry, Labels, Match
from workers.classify.sentences import Sentence, tokenize

Looked = tuple[Sentence, list[Entry]]  # a sentence whose tokens were looked up, no more

# Token-only labels asked of most scans (``Scan.where``); the commonest ones, function words and
# coordinators, are read token by token instead.
GATHERED = frozenset({"ctx:end", NUMBER_WORD, "states", "agent", "time:reporting",
                      "time:relative", "swapped_for", "additional"})

# Tokens that end a clause for scope rules (hypotheticals, negation) and count windows.
CLAUSE_BREAKS = frozenset({";", ":", "—", "–", "(", ")", "?"})
COMMA = ","


@dataclass(slots=True)
class Scan:
    """A tokenised sentence with its label spans, indexed by label and by token."""

    sentence: Sentence
    lexicon: Lexicon
    by_label: dict[str, list[Match]] = field(default_factory=dict)
    at_token: list[Labels] = field(default_factory=list)  # read-only: shared with the cache
    _families: dict[str, list[Match]] = field(default_factory=dict)  # see ``family``
    _tokens_with: dict[str, tuple[int, ...]] = field(default_factory=dict)  # see ``where``
    previous: Scan | None = None  # the sentence right before, when it holds a key label too
    tokens: tuple[str, ...] = ()  # the lower-cased tokens (``sentence.lower``), read everywhere

    def has(self, label: str) -> bool:
        return label in self.by_label

    def has_prefix(self, prefix: str) -> bool:
        return bool(self.family(prefix))

    def where(self, label: str) -> tuple[int, ...]:
        """The tokens that carry ``label``: how token-only labels are read. The rarer ones
        are all gathered in one pass on the first question."""
        found = self._tokens_with.get(label)
        if found is None:
            if not self._tokens_with and label in GATHERED:
                self._gather()
                return self._tokens_with.get(label, ())
            found = self._tokens_with[label] = tuple(
                [i for i, labels in enumerate(self.at_token) if label in labels])
        return found

    def _gather(self) -> None:
        seen: dict[str, list[int]] = {}
        for i, labels in enumerate(self.at_token):
            if not GATHERED.isdisjoint(labels):
                for label in GATHERED.intersection(labels):
                    seen.setdefault(label, []).append(i)
        self._tokens_with.update({label: tuple(seen.get(label, ())) for label in GATHERED})

    def family(self, prefix: str) -> list[Match]:
        """Every span whose label starts with ``prefix`` ("weapon:"), gathered once."""
        found = self._families.get(prefix)
        if found is None:
            by_label = self.by_label
            found = self._families[prefix] = [
                m for label in self.lexicon.patterns.labels_with_prefix(prefix)
                for m in by_label.get(label, ())
            ]
        return found

    def ending_at(self, label: str, pos: int) -> Match | None:
        """A ``label`` span that ends exactly at token ``pos`` (just before it)."""
        for m in self.by_label.get(label, ()):
            if m.end == pos:
                return m
        return None

    def starting_at(self, label: str, pos: int) -> Match | None:
        for m in self.by_label.get(label, ()):
            if m.start == pos:
                return m
        return None

    def labels_with(self, i: int, prefix: str) -> list[str]:
        return [label for label in self.at_token[i] if label.startswith(prefix)]


def scan_sentence(text: str, lexicon: Lexicon) -> Scan:
    """Tokenise and label one sentence."""
    sentence = tokenize(text)
    return _labelled(sentence, lexicon, lexicon.patterns.entries(sentence.lower))


def scan_key_sentences(
    pieces: Iterable[str], lexicon: Lexicon, rest: list[Looked] | None = None
) -> list[Scan]:
    """Scans of the sentences that hold a key label (a cue, a count noun, a conflict marker).

    The others can neither yield an event nor open the conflict gate, so their labelling
    stops after the per-token lookup: most sentences of an article end there.
    """
    patterns = lexicon.patterns
    out: list[Scan] = []
    previous = None
    for text in pieces:
        sentence = tokenize(text)
        entries = patterns.entries(sentence.lower)
        if patterns.has_key(entries):
            scan = _labelled(sentence, lexicon, entries)
            scan.previous, previous = previous, scan
            out.append(scan)
        else:
            previous = None
            if rest is not None:
                rest.append((sentence, entries))  # looked up, not labelled: see ``find_label``
    return out


def _labelled(sentence: Sentence, lexicon: Lexicon, entries: list[Entry]) -> Scan:
    by_label, at_token = lexicon.patterns.index(entries)
    return Scan(sentence, lexicon, by_label, at_token, tokens=sentence.lower)


def find_label(looked: Iterable[Looked], lexicon: Lexicon, label: str) -> str | None:
    """The words of the first span labelled ``label`` in sentences that were looked up but
    not labelled, or None: a cheap look for one label where labelling would be waste."""
    for sentence, entries in looked:
        m = lexicon.patterns.first_span(entries, label)
        if m is not None:
            return " ".join(sentence.tokens[m.start : m.end])
    return None
