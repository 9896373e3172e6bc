"""Cue patterns: the small matching language the per-language YAML files are written in.

A pattern is one or more space-separated token patterns. A token pattern is a word that must
equal the token or its lemma, or carries ``*`` at the start and/or end for a suffix, prefix or
infix match on the surface form (Dutch compounds: ``*aanval*`` matches ``raketaanvallen``).
``...`` between token patterns allows a gap of up to ``GAP`` tokens, for Dutch separable verbs
("vuurde ... af"). Every pattern compiles once, when its language loads; matching a sentence
is then dictionary lookups on a per-token label cache, so per-article work stays cheap.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

GAP = "..."
MAX_GAP = 6
CACHE_LIMIT = 200_000


@dataclass(frozen=True, slots=True)
class Match:
    """A labelled span of tokens [start, end) in one sentence."""

    label: str
    start: int
    end: int


def _token_regex(word: str) -> str:
    body = re.escape(word.strip("*"))
    head = r"\w*" if word.startswith("*") else ""
    tail = r"\w*" if word.endswith("*") else ""
    return f"{head}{body}{tail}"


@dataclass(frozen=True, slots=True)
class _Phrase:
    """A multi-token pattern: the label ids of its parts, with gap flags."""

    label: str
    parts: tuple[str, ...]  # internal labels, one per token pattern
    gaps: tuple[bool, ...]  # gaps[i]: a gap is allowed before parts[i]


class PatternSet:
    """All patterns of one language, compiled; labels sentences token by token."""

    def __init__(self, lemmatize: Callable[[str], str]) -> None:
        self._lemmatize = lemmatize
        self._exact: dict[str, set[str]] = {}
        self._wild_src: dict[str, list[str]] = {}
        self._wild: list[tuple[re.Pattern[str], str]] = []
        self._phrases: list[_Phrase] = []
        self._starts: dict[str, list[_Phrase]] = {}  # first part's label -> its phrases
        self._cache: dict[str, frozenset[str]] = {}
        self._split: dict[str, tuple[tuple[str, ...], tuple[_Phrase, ...]]] = {}

    def add(self, label: str, patterns: Iterable[str]) -> None:
        """Register patterns under ``label`` (one label may hold many patterns)."""
        for pattern in patterns:
            words = str(pattern).lower().split()
            if len(words) == 1:
                self._add_token(words[0], label)
            else:
                self._add_phrase(label, words)

    def _add_token(self, word: str, label: str) -> None:
        if "*" in word:
            self._wild_src.setdefault(label, []).append(_token_regex(word))
        else:
            self._exact.setdefault(word, set()).add(label)

    def _add_phrase(self, label: str, words: list[str]) -> None:
        parts: list[str] = []
        gaps: list[bool] = []
        gap = False
        for word in words:
            if word == GAP:
                gap = True
                continue
            part = f"#{len(self._phrases)}:{len(parts)}"
            self._add_token(word, part)
            parts.append(part)
            gaps.append(gap)
            gap = False
        phrase = _Phrase(label, tuple(parts), tuple(gaps))
        self._phrases.append(phrase)
        self._starts.setdefault(parts[0], []).append(phrase)

    def compile(self) -> None:
        """Join each label's wildcards into one regex: one test per label per new token."""
        self._wild = [(re.compile("|".join(src)), label) for label, src in self._wild_src.items()]
        self._cache.clear()
        self._split.clear()

    def labels(self, token: str) -> frozenset[str]:
        """The labels of one lower-cased token: exact/lemma hits plus wildcard hits, cached."""
        found = self._cache.get(token)
        if found is not None:
            return found
        hits = set(self._exact.get(token, ()))
        lemma = self._lemmatize(token)
        if lemma != token:
            hits.update(self._exact.get(lemma, ()))
        hits.update(label for rx, label in self._wild if rx.fullmatch(token))
        found = frozenset(hits)
        if len(self._cache) >= CACHE_LIMIT:
            self._cache.clear()
            self._split.clear()
        self._cache[token] = found
        # Sorted, so results never depend on hash order; phrase starts resolved once.
        plain = tuple(sorted(label for label in found if not label.startswith("#")))
        starts = tuple(p for label in sorted(found) for p in self._starts.get(label, ()))
        self._split[token] = (plain, starts)
        return found

    def match(self, tokens: Sequence[str]) -> list[Match]:
        """Every labelled span in a lower-cased token list (single tokens and phrases)."""
        token_labels = [self.labels(t) for t in tokens]
        out: list[Match] = []
        for i, token in enumerate(tokens):
            plain, starts = self._split[token]
            out.extend(Match(label, i, i + 1) for label in plain)
            for phrase in starts:
                end = _extend(phrase, token_labels, i + 1, 1)
                if end is not None:
                    out.append(Match(phrase.label, i, end))
        return out


def _extend(phrase: _Phrase, token_labels: list[frozenset[str]], pos: int, k: int) -> int | None:
    """Match parts[k:] from token ``pos``; returns the end of the span, or None."""
    if k == len(phrase.parts):
        return pos
    reach = MAX_GAP if phrase.gaps[k] else 0
    for j in range(pos, min(pos + reach + 1, len(token_labels))):
        if phrase.parts[k] in token_labels[j]:
            return _extend(phrase, token_labels, j + 1, k + 1)
    return None
