"""Parts and restatements: counts that are a form of another figure the article states.

docs/events.md ("One event, many mentions") and the annotation notes: exact restatements
collapse; a vague figure gives way to a precise one of the same order ("Tientallen doden"
beside "44 doden" is one toll, 44) unless it names a different side (dozens of soldiers beside
forty dead is a second toll) or another incident's figure;
a shoot-down implies a launch, so an interception brings an (uncounted) attack with it.

Parts of a figure the same article states are not events of their own (see ``_part``):
munitions that hit, out of a larger salvo; shoot-downs over one place, beside a larger
count of the same weapon for none or another place (unless they name another owner: each
side reports its own); a figure given "earlier" that a larger one replaced;
a rounded figure ("ruim vijfhonderd") beside the exact one (502); "as many as N" beside a
lower figure of the same type.
"""

from __future__ import annotations

from workers.classify.sentence_events import Found

VAGUE_SPAN = 10  # a precise count within [v, 10 v) supersedes a vague count v
ROUNDING = 0.1  # an approximate count within 10% of a precise one restates it
CEILING_SPAN = 2  # "as many as N" is an alternative to a figure at least half of N
# Shoot-downs are reported as a total, then region by region (docs/events.md, hard cases). Tolls are
# not: a place's toll beside a larger one is as often another incident as a part of it.
PLACE_PARTS = frozenset({"interception"})


def _superseded(f: Found, found: list[Found]) -> bool:
    if not f.vague or f.event.count is None:
        return False
    v = f.event.count
    side = f.event.side
    return any(
        o.event.type == f.event.type and not o.vague and o.event.count is not None
        and v <= o.event.count < v * VAGUE_SPAN and (side is None or side == o.event.side)
        and not o.additional  # another incident's figure ("then", "also") restates nothing
        for o in found
    )


def _doubled(f: Found, found: list[Found]) -> bool:
    """314 beside "157 each": the total of a per-side count is not another event."""
    c = f.event.count
    return c is not None and any(
        o.each and o.event.type == f.event.type and o.event.count == c / 2 for o in found
    )


def same_kind(a: Found, b: Found) -> bool:
    """Two counts of one type that could be a part and its whole: weapons agree, and both
    count the dead or both the wounded."""
    ea, eb = a.event, b.event
    return ea.type == eb.type and eb.count is not None and a.wounded == b.wounded and (
        ea.weapon is None or eb.weapon is None or ea.weapon == eb.weapon)


def _framed(f: Found, o: Found) -> bool:
    """'Among the dead were seven children' beside a toll of 20: a breakdown of it."""
    return f.frame and not o.frame and _larger(o, f)


def _hit_subset(f: Found, o: Found) -> bool:
    return f.impact and not o.impact and _larger(o, f)


def _place_part(f: Found, o: Found) -> bool:
    loc = f.event.location
    return (loc is not None and f.event.type in PLACE_PARTS and o.event.location != loc
            and f.owner == o.owner and _larger(o, f))


def _replaced(f: Found, o: Found) -> bool:
    return f.earlier and not o.earlier and _larger(o, f)


def _rounded(f: Found, o: Found) -> bool:
    """'ruim vijfhonderd drones' beside '502 drones', 'bijna honderd' beside 'minstens 95'."""
    c, oc = f.event.count or 0, o.event.count or 0
    return (f.event.approx and not f.vague and abs(oc - c) <= ROUNDING * c
            and _zeros(oc) < _zeros(c))


def _zeros(n: int) -> int:
    """Trailing zeros: how round a figure is (500 -> 2, 502 -> 0)."""
    k = 0
    while n and n % 10 == 0:
        n, k = n // 10, k + 1
    return k


def _above(f: Found, o: Found) -> bool:
    """'sent 10,000 troops ... as many as 12,000', 'the toll is 120 ... some reports suggest as
    many as 200': an upper bound beside a figure the article gives."""
    c, oc = f.event.count or 0, o.event.count or 0
    return f.ceiling and not o.ceiling and oc < c <= CEILING_SPAN * oc


def _larger(a: Found, b: Found) -> bool:
    return (a.event.count or 0) > (b.event.count or 0)


PART_RULES = (
    (_framed, "a breakdown of victims counted in a larger figure"),
    (_hit_subset, "munitions that hit, out of a larger salvo"),
    (_place_part, "one place's share of a larger count"),
    (_replaced, "an earlier figure that a larger one replaced"),
    (_rounded, "a rounded form of a precise figure"),
    (_above, "an upper bound beside a figure given"),
)


def part_reason(f: Found, found: list[Found]) -> str | None:
    """Why ``f``'s count is no event of its own: a vague, doubled, partial, earlier or rounded
    form of another figure the article states; None when it stands."""
    if f.event.count is None:
        return None
    if _superseded(f, found):
        return "a vague figure beside a precise one"
    if _doubled(f, found):
        return "the total of a per-side count"
    others = [o for o in found if o is not f and same_kind(f, o)]
    for rule, reason in PART_RULES:
        if any(rule(f, o) for o in others):
            return reason
    return None
