"""Score predicted events against gold labels, exactly as shared/tools/score-events does.

Per article: the set of event types (micro-averaged P/R/F1 over all articles, and per type),
and the multiset of (type, count) pairs of counted events. Articles missing from the
predictions predict nothing. The misses are kept so ``newsmonitor eval`` can print them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

Events = list[dict[str, Any]]


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall, F1; 0.0 where undefined, as the reference scorer does."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


@dataclass
class Miss:
    """One disagreement: an article, what kind (type or count), and the item."""

    article: str
    kind: str  # "type-fn", "type-fp", "count-fn", "count-fp"
    item: str


@dataclass
class Score:
    """The reference scorer's numbers, rounded to 3 places like it prints them."""

    articles: int
    type_f1: float
    type_precision: float
    type_recall: float
    count_f1: float
    per_type: dict[str, tuple[float, float, float]]
    misses: list[Miss] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "articles": self.articles, "type_f1": self.type_f1,
            "type_precision": self.type_precision, "type_recall": self.type_recall,
            "count_f1": self.count_f1,
            "per_type": {t: list(v) for t, v in self.per_type.items()},
        }


def _pairs(events: Iterable[Mapping[str, Any]]) -> Counter[tuple[Any, Any]]:
    return Counter((e.get("type"), e.get("count")) for e in events if e.get("count") is not None)


def score(gold: Mapping[str, Events], pred: Mapping[str, Events]) -> Score:
    """Compare predictions with gold, article by article."""
    per_type: dict[Any, list[int]] = defaultdict(lambda: [0, 0, 0])  # keys as the reference
    pairs = [0, 0, 0]
    misses: list[Miss] = []
    for aid, gevents in gold.items():
        pevents = pred.get(aid, [])
        gt = {e["type"] for e in gevents}
        pt = {e.get("type") for e in pevents}
        for t in gt | pt:
            per_type[t][0] += t in gt and t in pt
            per_type[t][1] += t in pt and t not in gt
            per_type[t][2] += t in gt and t not in pt
        misses += [Miss(aid, "type-fn", t) for t in sorted(gt - pt)]
        misses += [Miss(aid, "type-fp", str(t)) for t in sorted(pt - gt, key=str)]
        gc, pc = _pairs(gevents), _pairs(pevents)
        tp = sum((gc & pc).values())
        pairs[0] += tp
        pairs[1] += sum(pc.values()) - tp
        pairs[2] += sum(gc.values()) - tp
        misses += [Miss(aid, "count-fn", f"{t} {c}") for (t, c) in sorted((gc - pc).elements())]
        misses += [Miss(aid, "count-fp", f"{t} {c}") for (t, c) in sorted((pc - gc).elements())]
    micro = [sum(v[i] for v in per_type.values()) for i in range(3)]
    p, r, f = prf(*micro)
    return Score(
        articles=len(gold), type_f1=round(f, 3), type_precision=round(p, 3),
        type_recall=round(r, 3), count_f1=round(prf(*pairs)[2], 3),
        per_type={t: _rounded(prf(*v)) for t, v in sorted(per_type.items())},
        misses=misses,
    )


def _rounded(values: tuple[float, float, float]) -> tuple[float, float, float]:
    p, r, f = values
    return round(p, 3), round(r, 3), round(f, 3)


def format_score(result: Score) -> str:
    """The reference scorer's text report."""
    lines = [f"{'type':20} {'P':>6} {'R':>6} {'F1':>6}"]
    for t, (p, r, f) in result.per_type.items():
        lines.append(f"{t:20} {p:6.3f} {r:6.3f} {f:6.3f}")
    lines.append(
        f"articles={result.articles} type_f1={result.type_f1} "
        f"(P={result.type_precision} R={result.type_recall}) count_f1={result.count_f1}"
    )
    return "\n".join(lines)
