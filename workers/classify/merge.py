"""Article-level merge: the same event stated twice in one article is listed once.

EVENTS.md rule 5 and the annotation notes: exact restatements collapse; a vague figure gives
way to a precise one of the same order ("Tientallen doden" beside "44 doden" is one toll, 44)
unless it names a different side (dozens of soldiers beside forty dead is a second toll);
a shoot-down implies a launch, so an interception brings an (uncounted) attack with it.
"""

from __future__ import annotations

from monitor.models import Event
from workers.classify.extract import Found

VAGUE_SPAN = 10  # a precise count within [v, 10 v) supersedes a vague count v


def _superseded(f: Found, found: list[Found]) -> bool:
    if not f.vague or f.event.count is None:
        return False
    v = f.event.count
    side = f.event.side
    return any(
        o.event.type == f.event.type and not o.vague and o.event.count is not None
        and v <= o.event.count < v * VAGUE_SPAN and (side is None or side == o.event.side)
        for o in found
    )


def _doubled(f: Found, found: list[Found]) -> bool:
    """314 beside "157 each": the total of a per-side count is not another event."""
    c = f.event.count
    return c is not None and any(
        o.each and o.event.type == f.event.type and o.event.count == c / 2 for o in found
    )


def merge_events(found: list[Found]) -> list[Event]:
    """Deduplicated events in text order."""
    out: list[Event] = []
    seen: set[tuple[str, int | None, str | None]] = set()
    counted_types = {f.event.type for f in found if f.event.count is not None}
    for f in found:
        e = f.event
        if _superseded(f, found) or _doubled(f, found):
            continue
        if e.count is None and e.type in counted_types:
            continue
        key = (e.type, e.count, e.status if e.count is None else None)
        if key not in seen:
            seen.add(key)
            out.append(e)
    if any(e.type == "interception" for e in out) and not any(e.type == "attack" for e in out):
        first = next(e for e in out if e.type == "interception")
        out.append(first.replace(type="attack", count=None, approx=False, side=None))
    return out
