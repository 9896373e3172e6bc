"""Split an article into sentences and sentences into tokens.

Every event keeps the sentence it was read from as its evidence, so a liveblog's items (one a
line) never lend each other their numbers: lines are split first, then sentences inside a line.
The rules here are typographic (punctuation, capitals, digits), not language knowledge.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# A sentence ends at . ! ? (optionally followed by a closing quote) before a space and a
# capital, digit or opening quote. "1.351" and "U.S." do not match: no space, or an initial.
_END = re.compile(r"(?<=[.!?…])[\"'”’»]?\s+(?=[\"'“‘„«(]?[^\W\d_a-zß-ÿ]|\d)")
_INITIAL = re.compile(r"(?:^|\s)(?:[A-Z]\.)+$|\b(?:[A-Z][a-z]{0,2})\.$")
_TOKEN = re.compile(
    r"[^\W\d_]+\d\w*|\d+(?:[.,:]\d+)*|[^\W\d_]+(?:[-'’][^\W\d_]+)*|\w+|[^\w\s]"
)
MAX_SENTENCE = 1000  # characters; longer runs are cut so one bad page cannot stall a worker


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence with its tokens (original case), their lower-case forms and char offsets."""

    text: str
    tokens: tuple[str, ...]
    lower: tuple[str, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def glued(self, i: int) -> str:
        """The character right after token i when no space separates it ("57th", "45-")."""
        end = self.ends[i]
        return self.text[end] if end < len(self.text) else ""


def tokenize(text: str) -> Sentence:
    """Tokens with offsets; numbers stay whole ("1.351", "2,5") for the number reader."""
    found = list(_TOKEN.finditer(text))
    tokens = tuple(m.group() for m in found)
    return Sentence(
        text=text,
        tokens=tokens,
        lower=tuple(t.lower() for t in tokens),
        starts=tuple(m.start() for m in found),
        ends=tuple(m.end() for m in found),
    )


def _split_line(line: str) -> Iterator[str]:
    start = 0
    for m in _END.finditer(line):
        piece = line[start : m.start()]
        if _INITIAL.search(piece):
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
