"""Factuality of an event mention: did the article say it happened, or only that it may?

Written after the ConText algorithm of clinical NLP (Harkema et al., 2009; NegEx before it):
trigger terms from the language file, each with a direction, give the mentions in their scope
a value; a scope ends at a clause boundary or a termination term, and "pseudo" terms that look
like triggers ("no fewer than") are not triggers. The values follow FactBank's distinctions:
asserted, announced/planned, negated, uncertain, hypothetical/conditional, wished/demanded and
generic. Only asserted and announced mentions become events (docs/events.md); the rest are kept
with the trigger that decided them, so an explanation can quote it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from workers.classify.lexicon.patterns import GAPPED
from workers.classify.lexicon.sections import DIRECTIONS, FACTUALITIES, trigger_label
from workers.classify.scan import CLAUSE_BREAKS, COMMA, Scan

ASSERTED = "asserted"
# "proposed": a type that counts calls and threats (truces, sanctions) keeps them as events
EMITTED = frozenset({ASSERTED, "announced", "proposed"})
NEGATION_REACH = 4  # a negation cancels words this close after it ("no one was killed")
AFTER_REACH = 3  # a trigger after the words reaches this far back ("talks could begin")
CLAUSE_REACH = 1000  # a closing condition reaches back to the start of its clause
# Marker names older language files used for two of the trigger lists.
LEGACY = (("negation", "negated"), ("hypothetical", "hypothetical"))
RANK = {value: i for i, value in enumerate(FACTUALITIES)}
TRIGGERS = tuple(((value, direction), trigger_label(value, direction))
                 for value in FACTUALITIES for direction in DIRECTIONS)
TRIGGER_LABELS = frozenset({label for _, label in TRIGGERS} | {m for m, _ in LEGACY})


class Trigger(NamedTuple):
    """A trigger term at tokens [start, end) and the factuality it gives."""

    value: str
    start: int
    end: int
    forward: bool  # a "before" trigger: its scope runs forward from its end
    reach: int = AFTER_REACH  # how far back an "after" trigger reaches


class Factuality(NamedTuple):
    """A mention's factuality and the trigger words that decided it (None: asserted)."""

    value: str
    trigger: str | None = None

    @property
    def emitted(self) -> bool:
        return self.value in EMITTED


ASSERTED_FACT = Factuality(ASSERTED)


def find_triggers(scan: Scan) -> list[Trigger]:
    """The triggers of a sentence; one that starts inside a pseudo-trigger is none ("no fewer
    than", "zoveel mogelijk")."""
    by_label = scan.by_label
    present = TRIGGER_LABELS.intersection(by_label)
    if not present:
        return []
    pseudo = by_label.get("ctx:pseudo", ())
    found = [
        Trigger(value, m.start, m.end, direction in ("before", "opening"),
                CLAUSE_REACH if direction == "closing" else AFTER_REACH)
        for (value, direction), label in TRIGGERS
        if label in present
        for m in by_label[label]
        if direction != "opening" or _opens_clause(scan, m.start)
    ]
    found += [Trigger(value, m.start, m.end, True)
              for marker, value in LEGACY for m in by_label.get(marker, ())]
    return [t for t in found if not any(p.start <= t.start < p.end for p in pseudo)]


BOUNDARIES = CLAUSE_BREAKS | {COMMA}


def _opens_clause(scan: Scan, i: int) -> bool:
    return i == 0 or scan.tokens[i - 1] in BOUNDARIES or scan.tokens[i - 1] in QUOTES


QUOTES = frozenset({'"', "“", "„", "'", "‘", "«"})


def scope_ends(scan: Scan) -> frozenset[int]:
    """Tokens where a trigger's scope stops: clause breaks, commas and termination terms."""
    ends = {i for i, tok in enumerate(scan.tokens) if tok in BOUNDARIES}
    ends.update(scan.where("ctx:end"))
    return frozenset(ends)


def covers(
    t: Trigger, span: tuple[int, int], ends: frozenset[int], split: bool = False
) -> bool:
    """Whether the mention at ``span`` lies in the trigger's scope; ``split``: the mention is
    a phrase with a gap, which a trigger inside it also covers ("raakte niemand gewond")."""
    start, end = span
    if t.forward:
        if start >= t.end:
            if t.value == "negated" and start - t.end > NEGATION_REACH:
                return False
            return not any(i in ends for i in range(t.end, start))
        return split and start < t.start and t.end <= end
    if end <= t.start <= end + t.reach:
        return not any(i in ends for i in range(end, t.start))
    return False


EPISTEMIC = frozenset({"negated", "uncertain"})


def _nearer_event(t: Trigger, span: tuple[int, int], others: Sequence[int]) -> bool:
    """Another event's words between a negation or a question and the mention: they are what
    it is about ("no casualties in the attack" denies casualties, not the attack; "whether
    anyone was hurt in the strike" asks about the hurt)."""
    return t.value in EPISTEMIC and t.forward and any(t.end <= o < span[0] for o in others)


def judge_factuality(
    scan: Scan, span: tuple[int, int], triggers: list[Trigger], ends: frozenset[int],
    others: Sequence[int] = (),
) -> Factuality:
    """The strongest trigger whose scope holds the mention, or asserted; ``others`` are the
    first tokens of the sentence's mentions of other types."""
    if not triggers:
        return ASSERTED_FACT
    split = any((m.start, m.end) == span for m in scan.by_label.get(GAPPED, ()))
    best: Trigger | None = None
    for t in triggers:
        if not covers(t, span, ends, split) or _nearer_event(t, span, others):
            continue
        if best is None or RANK[t.value] < RANK[best.value]:
            best = t
    if best is None:
        return ASSERTED_FACT
    return Factuality(best.value, " ".join(scan.sentence.tokens[best.start : best.end]))
