"""Cue words in another sense: the words right next to a cue can say it is not the event.

"captured civilians" takes people, not ground; "an anti-aircraft battle" is interception, not
ground combat; "air defence was deployed" moves no troops; "tortured with electricity" is no
damage to the grid. Each type's ``other_sense`` in the language file lists, per side, the words
(or ``@marker`` lists) that do this. Only the nearest content words count: function words,
numbers and names are read past; a coordinator or clause break stops the look, so "deployed
troops and missiles" still deploys troops, and so does the agent of a passive or an "of"
("surrounded by tanks", "the withdrawal of troops"), which is no object of the cue.
"""

from __future__ import annotations

from collections.abc import Iterator

from workers.classify.lexicon.patterns import Labels
from workers.classify.scan import CLAUSE_BREAKS, COMMA, Scan

CONTENT_WORDS = 2  # content tokens read on each side of a cue
MAX_STEPS = 5  # tokens looked at on each side, skipped ones included
SKIPPED = frozenset({"function_words", "approx"})


def _has(labels: Labels, wanted: tuple[str, ...]) -> bool:
    """A label of ``wanted`` on the token; one ending in ":" matches a family ("weapon:")."""
    return any(
        (w in labels) if not w.endswith(":") else any(lb.startswith(w) for lb in labels)
        for w in wanted
    )


def _neighbours(scan: Scan, start: int, end: int, forward: bool) -> Iterator[int]:
    """The content tokens next to tokens [start, end) on one side, nearest first."""
    toks, words = scan.tokens, scan.sentence.tokens
    step = 1 if forward else -1
    i = end if forward else start - 1
    content = steps = 0
    while 0 <= i < len(toks) and content < CONTENT_WORDS and steps < MAX_STEPS:
        tok, labels = toks[i], scan.at_token[i]
        if tok in CLAUSE_BREAKS or tok == COMMA or "coordinators" in labels:
            return
        if forward and ("agent" in labels or tok in scan.lexicon.numbers.of_words):
            return  # "surrounded by tanks", "withdrawal of troops": no object of the cue
        steps += 1
        skip = (labels & SKIPPED or tok[0].isdigit() or scan.lexicon.numbers.is_word(tok)
                or words[i][:1].isupper() or not tok[0].isalnum())
        if not skip:
            content += 1
            yield i
        i += step


def _present(scan: Scan, wanted: tuple[str, ...]) -> bool:
    return any(scan.has(w) if not w.endswith(":") else scan.has_prefix(w) for w in wanted)


def other_sense(scan: Scan, event_type: str, start: int, end: int) -> str | None:
    """The word next to a cue of ``event_type`` at [start, end) that gives it another sense."""
    refs = scan.lexicon.sense_labels.get(event_type, {})
    for side, forward in (("after", True), ("before", False)):
        wanted = (f"sense:{event_type}:{side}", *refs.get(side, ()))
        if not _present(scan, wanted):
            continue
        for i in _neighbours(scan, start, end, forward):
            if _has(scan.at_token[i], wanted):
                return scan.sentence.tokens[i]
    return None
