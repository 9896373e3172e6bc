"""Which event types a sentence states, and the attributes read around them.

A cue is a span labelled ``cue:<type>`` (or ``noun:<type>``). It is dropped when its scope says
the event did not or may not happen: a negation just before it ("geen doden", "no casualties"),
a hypothetical marker earlier in its clause ("if", "eventueel"), or an exclusion context for
its type anywhere in the sentence (traffic deaths, a missile test, a trade truce).
"""

from __future__ import annotations

from dataclasses import dataclass

from workers.classify.lexicon.patterns import Match
from workers.classify.scan import Scan
from workers.classify.taxonomy import AIRBORNE, STATUS_ORDER, TYPES

NEGATION_REACH = 3  # tokens between a negation and the cue it cancels


@dataclass(frozen=True, slots=True)
class Cue:
    """A cue for one event type at tokens [start, end)."""

    type: str
    start: int
    end: int


def _blocked(scan: Scan, m: Match) -> bool:
    for neg in scan.by_label.get("negation", ()):
        before = neg.end <= m.start and m.start - neg.end <= NEGATION_REACH
        inside = m.start < neg.start and neg.end <= m.end  # "raakte niemand gewond"
        if before or inside:
            return True
    clause = scan.clause_start(m.start)
    hypotheticals = scan.by_label.get("hypothetical", ())
    return any(clause <= h.start and h.end <= m.start for h in hypotheticals)


def _airborne_weapon(scan: Scan) -> bool:
    return any(scan.has(f"weapon:{kind}") for kind in AIRBORNE)


@dataclass(frozen=True, slots=True)
class _TypeLabels:
    """The label names one type is read from, built once instead of per sentence."""

    cue: str
    noun: str
    exclude: str
    requires: str


LABELS = {
    name: _TypeLabels(f"cue:{name}", f"noun:{name}", f"exclude:{name}", f"requires:{name}")
    for name in TYPES
}


def find_cues(scan: Scan) -> list[Cue]:
    """Unblocked cues of the sentence, in token order."""
    cues: list[Cue] = []
    by_label = scan.by_label
    for name, rule in TYPES.items():
        labels = LABELS[name]
        spans = list(by_label.get(labels.cue, ()))
        if not rule.noun_needs_cue:
            spans += by_label.get(labels.noun, ())
        if not spans or labels.exclude in by_label:
            continue
        if rule.needs_weapon and not _airborne_weapon(scan):
            continue
        if name in scan.lexicon.required and labels.requires not in by_label:
            continue
        cues.extend(Cue(name, m.start, m.end) for m in spans if not _blocked(scan, m))
    cues.sort(key=lambda c: (c.start, c.end))
    return _drop_nested(cues)


def _drop_nested(cues: list[Cue]) -> list[Cue]:
    """A cue inside a longer cue of the same type is the same cue ("air strike" / "strike")."""
    out = []
    for c in cues:
        inside = any(o.type == c.type and o is not c and o.start <= c.start and c.end <= o.end
                     and (o.end - o.start) > (c.end - c.start) for o in cues)
        if not inside:
            out.append(c)
    return out


def read_status(scan: Scan, event_type: str) -> str | None:
    """The status a sentence gives a negotiation/ceasefire/exchange, strongest first."""
    for status in STATUS_ORDER:
        if scan.has(f"status:{event_type}:{status}"):
            return status
    return None


def nearest_label(scan: Scan, prefix: str, pos: int, reach: int = 99) -> str | None:
    """The kind (text after ``prefix``) of the labelled span nearest token ``pos``."""
    best: tuple[int, str] | None = None
    for label, spans in scan.by_label.items():
        if not label.startswith(prefix):
            continue
        for m in spans:
            dist = min(abs(m.start - pos), abs(m.end - 1 - pos))
            if dist <= reach and (best is None or dist < best[0]):
                best = (dist, label[len(prefix):])
    return best[1] if best else None


def read_location(scan: Scan) -> str | None:
    """The first capitalised name after a location preposition ("in Kharkiv")."""
    tokens = scan.sentence.tokens
    for m in scan.by_label.get("location_prepositions", ()):
        j = m.end
        words = []
        while j < len(tokens) and tokens[j][:1].isupper() and tokens[j].isalpha():
            words.append(tokens[j])
            j += 1
        if words and not (m.start == 0 and len(words) == 1 and j == 1):
            return " ".join(words)
    return None
