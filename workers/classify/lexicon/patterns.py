"""Cue patterns: the small matching language the per-language YAML files are written in.

A pattern is one or more space-separated token patterns. A token pattern is a word that must
equal the token or its lemma, or carries ``*`` at the start and/or end for a suffix, prefix or
infix match on the surface form (Dutch compounds: ``*aanval*`` matches ``raketaanvallen``).
``...`` between token patterns allows a gap of up to ``GAP`` tokens, for Dutch separable verbs
("vuurde ... af"). Every pattern compiles once, when its language loads; each distinct token
is then looked up once per process (lemma and wildcards included) and its entry cached, so a
sentence costs one dictionary lookup per token plus the phrases its tokens can start.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from workers.classify.lexicon.phrases import BREAK, COMMA, Match, Phrase, extend_phrase, phrases_at

GAP = "..."
GAPPED = "+gapped"  # index() also lists each split phrase's span under this label
BREAK_TOKENS = frozenset({";", ":", "—", "–", "(", ")", "?", "!", '"', "“", "”"})
CACHE_LIMIT = 200_000

Labels = AbstractSet[str]  # the labels on one token


def _token_regex(word: str) -> str:
    body = re.escape(word.strip("*"))
    head = r"\w*" if word.startswith("*") else ""
    tail = r"\w*" if word.endswith("*") else ""
    return f"{head}{body}{tail}"


@dataclass(frozen=True, slots=True)
class Entry:
    """One token's cached lookup: everything matching needs, computed once per token.

    ``tight`` indexes the phrases this token starts by their second part (no gap allowed),
    so a phrase is only tried when the next token can continue it; ``loose`` holds those
    whose second part may come after a gap. Each phrase keeps its rank in ``starts`` so the
    spans come out in one fixed order whatever the index.
    """

    labels: frozenset[str]  # every label, internal phrase-part ids included
    plain: tuple[str, ...]  # the public single-token labels, sorted
    spanned: tuple[str, ...]  # those of them that ``index`` lists as spans (not token-only)
    plain_set: Labels  # the same as a set, shared by every sentence the token occurs in
    tight: dict[str, tuple[tuple[int, Phrase], ...]]
    tight_keys: frozenset[str]  # the same keys, for one set intersection per token
    loose: tuple[tuple[int, Phrase], ...]
    key: bool  # a key label on its own (see PatternSet.compile)
    key_phrases: tuple[Phrase, ...]  # phrases it starts whose label is a key label


class PatternSet:
    """All patterns of one language, compiled; labels sentences token by token."""

    def __init__(self, lemmatize: Callable[[str], str]) -> None:
        self._lemmatize = lemmatize
        self._exact: dict[str, set[str]] = {}
        self._wild_src: dict[str, list[str]] = {}
        self._wild: list[tuple[re.Pattern[str], str]] = []
        self._phrases: list[Phrase] = []
        self._starts: dict[str, list[Phrase]] = {}  # first part's label -> its phrases
        self._cache: dict[str, Entry] = {}
        self._prefixed: dict[str, tuple[str, ...]] = {}
        self._keys: tuple[str, ...] = ()
        self._token_only: frozenset[str] = frozenset()

    def add(self, label: str, patterns: Iterable[str]) -> None:
        """Register patterns under ``label`` (one label may hold many patterns)."""
        for pattern in patterns:
            words = str(pattern).lower().split()
            if len(words) == 1:
                self._add_token(words[0], label)
            else:
                self._add_phrase(label, words)

    def add_regex(self, label: str, regex: str) -> None:
        """A label for every token that fully matches ``regex`` as written (no lemma)."""
        self._wild_src.setdefault(label, []).append(f"(?:{regex})")

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
        phrase = Phrase(label, tuple(parts), tuple(gaps))
        self._phrases.append(phrase)
        self._starts.setdefault(parts[0], []).append(phrase)

    def compile(self, keys: Iterable[str] = (), token_only: Iterable[str] = ()) -> None:
        """Join each label's wildcards into one regex: one test per label per new token.

        ``keys`` are label prefixes a sentence must hold to matter at all (see ``has_key``).
        ``token_only`` labels are only ever asked of a token ("is this a function word?"):
        ``index`` gives them no spans when they sit on a single token, which saves most of
        its work, since they are the commonest labels by far.
        """
        self._wild = [(re.compile("|".join(src)), label) for label, src in self._wild_src.items()]
        self._keys = tuple(keys)
        self._token_only = frozenset(token_only)
        self._cache.clear()

    def entry(self, token: str) -> Entry:
        """The cached entry of one lower-cased token (exact/lemma hits plus wildcard hits)."""
        found = self._cache.get(token)
        if found is None:
            if len(self._cache) >= CACHE_LIMIT:
                self._cache.clear()
            found = self._cache[token] = self._lookup(token)
        return found

    def labels_with_prefix(self, prefix: str) -> tuple[str, ...]:
        """Every public label that starts with ``prefix`` ("weapon:"), looked up once."""
        found = self._prefixed.get(prefix)
        if found is None:
            names = {lb for labels in self._exact.values() for lb in labels}
            names |= set(self._wild_src) | {p.label for p in self._phrases}
            found = self._prefixed[prefix] = tuple(sorted(
                lb for lb in names if lb.startswith(prefix) and not lb.startswith("#")))
        return found

    def labels(self, token: str) -> frozenset[str]:
        """The labels of one lower-cased token, internal phrase-part ids included."""
        return self.entry(token).labels

    def _lookup(self, token: str) -> Entry:
        hits = set(self._exact.get(token, ()))
        lemma = self._lemmatize(token)
        if lemma != token:
            hits.update(self._exact.get(lemma, ()))
        hits.update(label for rx, label in self._wild if rx.fullmatch(token))
        if token in BREAK_TOKENS:
            hits.add(BREAK)
        elif token == ",":
            hits.add(COMMA)
        # Sorted, so results never depend on hash order; phrase starts resolved once.
        plain = tuple(sorted(label for label in hits if not label.startswith("#")))
        starts = [p for label in sorted(hits) for p in self._starts.get(label, ())]
        tight: dict[str, list[tuple[int, Phrase]]] = {}
        loose = []
        for rank, phrase in enumerate(starts):
            if len(phrase.parts) < 2 or phrase.gaps[1]:
                loose.append((rank, phrase))
            else:
                tight.setdefault(phrase.parts[1], []).append((rank, phrase))
        return Entry(
            labels=frozenset(hits), plain=plain, plain_set=frozenset(plain),
            spanned=tuple(label for label in plain if label not in self._token_only),
            tight={k: tuple(v) for k, v in tight.items()}, tight_keys=frozenset(tight),
            loose=tuple(loose),
            key=any(label.startswith(self._keys) for label in plain) if self._keys else False,
            key_phrases=tuple(p for p in starts if self._keys and p.label.startswith(self._keys)),
        )

    def entries(self, tokens: Sequence[str]) -> list[Entry]:
        """The entries of a lower-cased token list."""
        cache = self._cache
        return [cache.get(t) or self.entry(t) for t in tokens]

    def has_key(self, entries: Sequence[Entry]) -> bool:
        """Whether any key label (a prefix given to ``compile``) matches in the sentence."""
        labels = None
        for i, e in enumerate(entries):
            if e.key:
                return True
            for phrase in e.key_phrases:
                labels = labels or [x.labels for x in entries]
                if extend_phrase(phrase, labels, i + 1, 1) is not None:
                    return True
        return False

    def first_span(self, entries: Sequence[Entry], label: str) -> Match | None:
        """The first span labelled ``label``, without labelling the whole sentence."""
        labels = None
        for i, e in enumerate(entries):
            if label in e.plain_set:
                return Match(label, i, i + 1)
            if not (e.loose or e.tight):
                continue
            phrases = [p for _, p in e.loose] + [p for v in e.tight.values() for _, p in v]
            for phrase in phrases:
                if phrase.label == label:
                    labels = labels or [x.labels for x in entries]
                    end = extend_phrase(phrase, labels, i + 1, 1)
                    if end is not None:
                        return Match(label, i, end)
        return None

    def match(self, tokens: Sequence[str]) -> list[Match]:
        """Every labelled span in a lower-cased token list (single tokens and phrases)."""
        entries = self.entries(tokens)
        token_labels = [e.labels for e in entries]
        out: list[Match] = []
        for i, e in enumerate(entries):
            out.extend([Match(label, i, i + 1) for label in e.plain])
            out.extend(m for m, _ in phrases_at(e, token_labels, i))
        return out

    def index(self, entries: Sequence[Entry]) -> tuple[dict[str, list[Match]], list[Labels]]:
        """The spans of a sentence by label, and the labels covering each token.

        The spans of ``match`` in the same order, built in one pass, less the single-token
        spans of token-only labels; a token that no phrase covers shares its cached label
        set instead of copying it.
        """
        token_labels = [e.labels for e in entries]
        by_label: dict[str, list[Match]] = {}
        at_token: list[Labels] = [e.plain_set for e in entries]
        for i, e in enumerate(entries):
            for label in e.spanned:
                _add(by_label, _match(Match, (label, i, i + 1)))
            if e.loose or e.tight:
                for m, parts in phrases_at(e, token_labels, i):
                    _add(by_label, m)
                    if m.end - m.start > parts:  # a split phrase: "raakten ... gewond"
                        _add(by_label, Match(GAPPED, m.start, m.end))
                    for j in range(m.start, m.end):
                        at_token[j] = at_token[j] | {m.label}
        return by_label, at_token


_match = tuple.__new__  # Match(...) without the named tuple's own __new__: spans by the thousand


def _add(by_label: dict[str, list[Match]], m: Match) -> None:
    spans = by_label.get(m.label)
    if spans is None:
        by_label[m.label] = [m]
    else:
        spans.append(m)
