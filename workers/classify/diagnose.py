"""Why the classifier disagrees with gold labels, by kind: where the next round of work starts.

Each false positive and each miss of ``newsmonitor eval`` is put in one kind: the seven kinds
of mistake the factuality, time and identity layer is about (background, irrealis, negation,
generic, attribute numbers, another sense, one event told many times), plus "missing cue"
(nothing in the text was read as the event) and "wrong count" (the event was found with
another number). A miss takes the kind of the reason its mention was dropped for; a false
positive the kind of the strongest sign in its evidence sentence that it should have been.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from monitor.models import Event
from workers.classify.lexicon.loader import Lexicon
from workers.classify.outcome import Dropped, Reading
from workers.classify.scan import Scan, scan_sentence
from workers.classify.temporal import BACKGROUND, Reference, find_anchors

KINDS = ("background", "irrealis", "negation", "generic", "attribute number", "other sense",
         "one event", "missing cue", "wrong count")
# Signs in a sentence, strongest first, and the kind each points to.
SIGNS = (
    (("time:background", "time:comparison", "time:pluperfect", "background"), "background"),
    (("ctx:hypothetical:before", "ctx:hypothetical:after", "ctx:wished:before",
      "ctx:wished:after", "hypothetical"), "irrealis"),
    (("ctx:negated:before", "ctx:negated:after", "ctx:uncertain:before",
      "ctx:uncertain:after", "negation"), "negation"),
    (("ctx:generic:before", "ctx:generic:after"), "generic"),
)
ATTRIBUTE_SIGNS = frozenset({"attribute", "units", "months"})


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """One disagreement: the article, false positive or miss, its kind, the item, a detail."""

    article: str
    error: str  # "false positive" or "miss"
    kind: str
    item: str  # "attack" or "casualties 40"
    detail: str

    def to_dict(self) -> dict[str, str]:
        return {"article": self.article, "error": self.error, "kind": self.kind,
                "item": self.item, "detail": self.detail}


def _sign_kind(scan: Scan, ref: Reference) -> str | None:
    for labels, kind in SIGNS:
        if any(scan.has(label) for label in labels):
            return kind
    if any(a.time == BACKGROUND for a in find_anchors(scan, ref)):
        return "background"
    return None


def _attribute_near(scan: Scan, count: int) -> bool:
    """Whether the number ``count`` sits next to a word that makes it describe, not count."""
    for i, tok in enumerate(scan.tokens):
        if tok.replace(".", "").replace(",", "") != str(count):
            continue
        near = [scan.at_token[j] for j in (i - 1, i + 1) if 0 <= j < len(scan.tokens)]
        if any(labels & ATTRIBUTE_SIGNS for labels in near):
            return True
    return False


def _counts(events: Iterable[Mapping[str, Any]]) -> Counter[tuple[Any, Any]]:
    return Counter((e.get("type"), e.get("count")) for e in events if e.get("count") is not None)


def diagnose(
    article: str, gold: list[dict[str, Any]], reading: Reading, lexicon: Lexicon,
    ref: Reference,
) -> list[Diagnosis]:
    """Every false positive and miss of one article, each with its kind."""
    pred = [e.to_dict() for e in reading.events]
    gold_types, pred_types = {e["type"] for e in gold}, {e["type"] for e in pred}
    gold_counts, pred_counts = _counts(gold), _counts(pred)
    out: list[Diagnosis] = []
    for t in sorted(pred_types - gold_types):
        e = next(x for x in reading.events if x.type == t)
        out.append(_false_positive(article, t, e, lexicon, ref, "other sense"))
    matched = {t for (t, _c) in (pred_counts & gold_counts)}
    for (t, c) in sorted((pred_counts - gold_counts).elements(), key=str):
        e = next(x for x in reading.events if (x.type, x.count) == (t, c))
        # beside a right count of its type, an extra one is the same event told again
        fallback = "one event" if t in matched else "wrong count"
        out.append(_false_positive(article, f"{t} {c}", e, lexicon, ref, fallback, c))
    for t in sorted(gold_types - pred_types):
        out.append(_miss(article, t, [d for d in reading.dropped if d.event.type == t]))
    for (t, c) in sorted((gold_counts - pred_counts).elements(), key=str):
        dropped = [d for d in reading.dropped if (d.event.type, d.event.count) == (t, c)]
        if not dropped and t in pred_types:
            out.append(Diagnosis(article, "miss", "wrong count", f"{t} {c}",
                                 "found with another count, or none"))
        else:
            out.append(_miss(article, f"{t} {c}", dropped))
    return out


def _false_positive(
    article: str, item: str, e: Event, lexicon: Lexicon, ref: Reference, fallback: str,
    count: int | None = None,
) -> Diagnosis:
    scan = scan_sentence(e.evidence, lexicon)
    kind = _sign_kind(scan, ref)
    if kind is None and count is not None and _attribute_near(scan, count):
        kind = "attribute number"
    return Diagnosis(article, "false positive", kind or fallback, item,
                     " ".join(e.evidence.split())[:200])


def _miss(article: str, item: str, dropped: list[Dropped]) -> Diagnosis:
    if not dropped:
        return Diagnosis(article, "miss", "missing cue", item, "no mention read as it")
    d = dropped[0]
    return Diagnosis(article, "miss", d.kind, item,
                     f"{d.reason} — {' '.join(d.event.evidence.split())[:160]}")


def by_kind(diagnoses: Iterable[Diagnosis]) -> dict[str, list[Diagnosis]]:
    """The diagnoses grouped by kind, in the order of KINDS (empty kinds included)."""
    groups: dict[str, list[Diagnosis]] = {kind: [] for kind in KINDS}
    for d in diagnoses:
        groups.setdefault(d.kind, []).append(d)
    return groups
