"""The layer's verdict on the mentions of one sentence: factuality first, then time.

Triggers, scope ends and time anchors are read from the sentence once, and only when a mention
needs them: most sentences hold no trigger, and a mention that is negated or wished is never
dated.
"""

from __future__ import annotations

from workers.classify.factuality import (
    ASSERTED_FACT,
    Factuality,
    Trigger,
    find_triggers,
    judge_factuality,
    scope_ends,
)
from workers.classify.scan import Scan
from workers.classify.sentence_events import Found
from workers.classify.taxonomy import TYPES
from workers.classify.temporal import Anchor, Reference, find_anchors
from workers.classify.timeline import When, judge_time, time_ends

STANDING = frozenset({"rejected", "stalled"})  # a refusal or a halt is itself the news
PROPOSED = "proposed"  # called for, offered or threatened, and still the event: no status


class SentenceJudge:
    """Judges the mentions of one sentence against its triggers and temporal expressions."""

    __slots__ = ("_anchors", "_dating", "_ends", "_triggers", "ref", "scan", "starts")

    def __init__(self, scan: Scan, ref: Reference, starts: list[tuple[str, int]]) -> None:
        """``starts``: the type and first token of every mention of the sentence."""
        self.scan, self.ref, self.starts = scan, ref, starts
        self._triggers: list[Trigger] | None = None
        self._anchors: list[Anchor] | None = None
        self._ends: frozenset[int] | None = None
        self._dating: frozenset[int] | None = None

    @property
    def ends(self) -> frozenset[int]:
        if self._ends is None:
            self._ends = scope_ends(self.scan)
        return self._ends

    def factuality(self, f: Found) -> Factuality:
        """The mention's factuality, with the type rules over trigger scopes: a refused or
        halted negotiation is news in itself, and proposed or threatened sanctions are
        sanctions (docs/events.md)."""
        if self._triggers is None:
            self._triggers = find_triggers(self.scan)
        if not self._triggers:
            fact = ASSERTED_FACT
        else:
            others = [start for t, start in self.starts if t != f.event.type]
            fact = judge_factuality(self.scan, f.anchor, self._triggers, self.ends, others)
        if fact.emitted:
            return fact
        if f.event.status in STANDING:
            return ASSERTED_FACT
        if fact.value in TYPES[f.event.type].irrealis_counts:
            return Factuality(PROPOSED, fact.trigger)
        return fact

    def time(self, f: Found) -> When:
        """The mention's time relative to the article's news."""
        if self._anchors is None:
            self._anchors = find_anchors(self.scan, self.ref)
            self._dating = time_ends(self.scan, self.ends) if self._anchors else frozenset()
        return judge_time(self.scan, f.anchor, self._anchors, self._dating or frozenset())
