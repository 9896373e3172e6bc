"""Time of an event mention: the news of the article, its background, or still to come.

The temporal expressions of the sentence (``temporal``) are resolved against the reference
date; the one nearest the mention in its clause decides, else one that opens the sentence ("In
2022, ..."). With none, a past perfect near the mention ("had captured") ties it to a
background time elsewhere in the sentence, unless the sentence reports speech, where English
and Dutch shift the tense back ("officials said the army had shot down 40 drones" is today's
news). Cumulative anchors ("since 2022", "so far") make an ongoing toll the news.
"""

from __future__ import annotations

from typing import NamedTuple

from workers.classify.scan import CLAUSE_BREAKS, Scan
from workers.classify.temporal import (
    BACKGROUND,
    NEWS,
    SINCE_REACH,
    Anchor,
    words_of,
)

PLUPERFECT_REACH = 6  # tokens between the auxiliary and the event words


class When(NamedTuple):
    """A mention's time and the words that decided it (None: nothing said, so the news)."""

    time: str
    words: str | None = None


WHEN_NEWS = When(NEWS)


def time_ends(scan: Scan, ends: frozenset[int]) -> frozenset[int]:
    """Clause ends for dating: the trigger scope ends plus the words opening a relative clause
    ("the truce that was agreed in September": September dates the agreeing, not the truce)."""
    relative = scan.where("time:relative")
    return ends | frozenset(relative) if relative else ends


def _clause(ends: frozenset[int], span: tuple[int, int], size: int) -> tuple[int, int]:
    lo = max((i + 1 for i in ends if i < span[0]), default=0)
    hi = min((i for i in ends if i >= span[1]), default=size)
    return lo, hi


def _gap(a: Anchor, span: tuple[int, int]) -> int:
    return max(a.start - span[1], span[0] - a.end, 0)


def judge_time(
    scan: Scan, span: tuple[int, int], anchors: list[Anchor], ends: frozenset[int]
) -> When:
    """The time of the mention at ``span`` (see the module docstring); ``ends`` from
    ``time_ends``."""
    comparison = scan.by_label.get("time:comparison") or scan.by_label.get("background")
    if comparison:
        m = comparison[0]
        return When(BACKGROUND, words_of(scan, m.start, m.end))
    if not anchors:
        return WHEN_NEWS  # most sentences date nothing: spare the clause arithmetic
    lo, hi = _clause(ends, span, len(scan.tokens))
    near = [a for a in anchors if a.end > lo and a.start < hi and not _starts(scan, a, span)]
    if not near and lo - 1 in scan.where("time:relative"):
        # "the attack of 7 October, in which 1,200 were killed": the noun's time
        near = sorted((a for a in anchors if a.end <= lo), key=lambda a: a.end)[-1:]
    elif not near:  # an opening adverbial dates the sentence: "In 2022, ..."
        first_end = min(ends, default=len(scan.tokens))
        near = [a for a in anchors if a.end <= first_end + 1 and a.end <= span[0]
                and not any(t in CLAUSE_BREAKS for t in scan.tokens[a.end : span[0]])]
    if near:
        best = min(near, key=lambda a: _gap(a, span))
        return When(best.time, best.words)
    return _pluperfect(scan, span, lo, hi, anchors)


def _starts(scan: Scan, a: Anchor, span: tuple[int, int]) -> bool:
    """A "since" just before the mention names where a running time starts ("since Russia
    launched its invasion"): it makes a count after it news, but does not date that start.
    Right before the event word it is the adverb ("has since killed"), which does."""
    return (a.time == NEWS and 1 <= span[0] - a.end <= SINCE_REACH
            and any(m.start == a.start for m in scan.by_label.get("time:since", ())))


def _pluperfect(
    scan: Scan, span: tuple[int, int], lo: int, hi: int, anchors: list[Anchor]
) -> When:
    """A past perfect near the mention puts it before a time the sentence gives elsewhere:
    background when that time is. (Alone it is no sign: news tells recent events in the past
    perfect too, and reported speech shifts every tense back.)"""
    past = next((a for a in anchors if a.time == BACKGROUND), None)
    if past is None or scan.where("time:reporting"):
        return When(NEWS)
    for m in scan.by_label.get("time:pluperfect", ()):
        if lo <= m.start < hi and _gap(Anchor(m.start, m.end, "", ""), span) <= PLUPERFECT_REACH:
            return When(BACKGROUND, f"{words_of(scan, m.start, m.end)} ... {past.words}")
    return When(NEWS)
