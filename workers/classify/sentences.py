"""Split an article into sentences and sentences into tokens.

Every event keeps the sentence it was read from as its evidence, so a liveblog's items (one a
line) never lend each other their numbers: lines are split first, then sentences inside a line.
The rules here are typographic (punctuation, capitals, digits), not language knowledge.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# A sentence ends at . ! ? (optionally followed by a closing quote) before a space and a
# capital, digit or opening quote; markdown emphasis may wrap it ("**Strikes hit Kyiv.** The").
# "1.351" and "U.S." do not match: no space, or an initial.
# Group 1 is the gap dropped between two sentences.
_END = re.compile(r"[.!?…]([\"'”’»]?\**\s+)(?=[\"'“‘„«(*]*[^\W\d_a-zß-ÿ]|\d)")
# Read on the last word only: "U.S." (initials) or "Mr." / "Gen." (a short capitalised word).
_INITIAL = re.compile(r"(?:[A-Z]\.)+|.*\b[A-Z][a-z]{0,2}\.")
# Words (with inner hyphens/apostrophes, or glued digits: "57th", "kh101"), numbers kept whole,
# other word characters, single punctuation marks. Written so that a word is read in one pass.
_TOKEN = re.compile(r"[^\W\d_]+(?:\d\w*|(?:[-'’][^\W\d_]+)*)|\d+(?:[.,:]\d+)*|\w+|[^\w\s]")
MAX_SENTENCE = 1000  # characters; longer runs are cut so one bad page cannot stall a worker


class Sentence:
    """A sentence with its tokens (original case), their lower-case forms and char offsets.

    Offsets are only needed to read numbers, which most sentences never reach, so they are
    computed on first use.
    """

    __slots__ = ("_spans", "lower", "text", "tokens")

    def __init__(self, text: str, tokens: tuple[str, ...], lower: tuple[str, ...]) -> None:
        self.text = text
        self.tokens = tokens
        self.lower = lower
        self._spans: tuple[tuple[int, ...], tuple[int, ...]] | None = None

    def _offsets(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        if self._spans is None:
            # tokens cover the text in order with only whitespace between them, so each one
            # is found where the search for it starts, or after some spaces
            starts, ends, pos, find = [], [], 0, self.text.find
            for token in self.tokens:
                pos = find(token, pos)
                starts.append(pos)
                pos += len(token)
                ends.append(pos)
            self._spans = tuple(starts), tuple(ends)
        return self._spans

    @property
    def starts(self) -> tuple[int, ...]:
        return self._offsets()[0]

    @property
    def ends(self) -> tuple[int, ...]:
        return self._offsets()[1]

    def glued(self, i: int) -> str:
        """The character right after token i when no space separates it ("57th", "45-")."""
        end = self.ends[i]
        return self.text[end] if end < len(self.text) else ""


def tokenize(text: str) -> Sentence:
    """Tokens; numbers stay whole ("1.351", "2,5") for the number reader."""
    tokens = tuple(_tokens(text))
    return Sentence(text, tokens, tuple(map(str.lower, tokens)))


def _tokens(text: str) -> list[str]:
    """The same tokens as ``_TOKEN.findall(text)``, in a third of the time.

    No token spans whitespace, so each whitespace-separated chunk is tokenised alone, and a
    chunk that is one word, or one word and a final mark ("Kyiv,"), needs no regex at all.
    """
    out: list[str] = []
    for chunk in text.split():
        if chunk.isalpha():
            out.append(chunk)
            continue
        head, last = chunk[:-1], chunk[-1]
        if head.isalpha() and not last.isalnum() and last != "_":
            out += (head, last)
        else:
            out += _TOKEN.findall(chunk)
    return out


def _ends_in_initial(piece: str) -> bool:
    """Whether the full stop that ends ``piece`` belongs to an initial or abbreviation."""
    if not piece.endswith("."):
        return False
    words = piece.rsplit(None, 1)
    return bool(words) and _INITIAL.fullmatch(words[-1]) is not None


def _split_line(line: str) -> Iterator[str]:
    start = 0
    for m in _END.finditer(line):
        piece = line[start : m.start(1)]
        if _ends_in_initial(piece):
            continue
        yield piece
        start = m.end()
    yield line[start:]


def split_sentences(text: str) -> Iterator[str]:
    """Sentences of a text, line by line, stripped and non-empty."""
    for line in text.splitlines():
        for piece in _split_line(line):
            piece = piece.strip()
            while len(piece) > MAX_SENTENCE:
                yield piece[:MAX_SENTENCE]
                piece = piece[MAX_SENTENCE:]
            if piece:
                yield piece
