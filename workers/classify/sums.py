"""Parts that add up to a stated total: "5 killed in Jabla ... 7 in Ariha" beside "12 killed".

Reports give a total, then break it down by place, incident or group, often in sentences of
their own where no "of whom" marks them (docs/events.md: parts of a stated total are no events
of their own). When two or more counts of one kind add up exactly to another count of the
article, they are its parts. Two distinct tolls stay two: only an exact sum joins them.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import combinations

from workers.classify.sentence_events import Found

MAX_PARTS = 6  # counts tried as parts of one total; articles rarely list more
MAX_ITEMS = 12  # counts of one kind considered at all (keeps the search small)


def summed_parts(found: list[Found], same_kind: Callable[[Found, Found], bool]) -> dict[int, int]:
    """Index of each count that is a part -> the total it adds up to."""
    counted = [k for k, f in enumerate(found) if f.event.count is not None and not f.vague]
    parts: dict[int, int] = {}
    for t in sorted(counted, key=lambda k: -(found[k].event.count or 0)):
        if t in parts:
            continue
        total = found[t].event.count or 0
        pool = [k for k in counted if k not in parts and k != t
                and same_kind(found[k], found[t]) and (found[k].event.count or 0) < total
                and not _other_owner(found[k], found[t])]
        subset = _adding_up(found, _distinct(found, pool)[:MAX_ITEMS], total)
        for k in subset:
            parts[k] = total
    return parts


def _other_owner(part: Found, total: Found) -> bool:
    """'9 Russian prisoners' is no part of '19 Ukrainian crew members': another side's."""
    return bool(part.owner and total.owner and part.owner != total.owner)


def _distinct(found: list[Found], pool: list[int]) -> list[int]:
    """One mention per value: a restated figure is one part, not two."""
    seen: dict[int | None, int] = {}
    for k in pool:
        seen.setdefault(found[k].event.count, k)
    return list(seen.values())


def _adding_up(found: list[Found], pool: list[int], total: int) -> tuple[int, ...]:
    for size in range(2, min(MAX_PARTS, len(pool)) + 1):
        for combo in combinations(pool, size):
            if sum(found[k].event.count or 0 for k in combo) == total:
                return combo
    return ()


# Types whose first stated count is the story's total and later smaller ones its breakdown.
LEAD_TOTALS = frozenset({"casualties", "interception", "attack"})


def lead_parts(
    found: list[Found], same_kind: Callable[[Found, Found], bool], standing: set[int]
) -> dict[int, int]:
    """'18 dead after strikes across Ukraine ... In Kharkiv, seven people were killed': a toll
    first given for the whole story is broken down later by place or group. Index of each such
    later, smaller count -> the total, unless its sentence adds to the toll ("also killed"),
    or it counts another side or another named people ("Palestinians" / "an Israeli").
    Only counts in ``standing`` (no restatements or parts already) can be the total."""
    parts: dict[int, int] = {}
    for t, first in enumerate(found):
        if (first.event.type not in LEAD_TOTALS or first.event.count is None or first.vague
                or t not in standing):
            continue
        if any(same_kind(found[k], first) for k in range(t) if k in standing):
            continue  # not the first count of its kind
        for k in range(t + 1, len(found)):
            if _breaks_down(found[k], first, same_kind):
                parts[k] = first.event.count
    return parts


def _breaks_down(f: Found, total: Found, same_kind: Callable[[Found, Found], bool]) -> bool:
    e, t = f.event, total.event
    if e.count is None or t.count is None or e.count >= t.count or f.additional:
        return False
    if e.evidence == t.evidence and f.number_at != total.number_at:
        return False  # "60 cruise missiles and ten Kinzhals": a list, no breakdown
    if f.dated and total.dated and f.dated != total.dated:
        return False  # "on February 3 ... 71 missiles", "on February 6 ... 39": two strikes
    if not same_kind(f, total) or (t.side is not None and e.side not in (None, t.side)):
        return False
    if f.owner and f.owner != total.owner:
        return False  # "20 Ukrainian drones" beside "138 drones": the other side's report
    named = [n for n in (e.noun, t.noun) if n and n[:1].isupper()]
    return not (len(named) == 2 and named[0] != named[1])
