"""One event across the article: the headline, the lead and the body repeat it.

Mentions of the same type and count are one event (docs/events.md rule 5), and its evidence is
the body sentence that states it: the headline only when the body never does. Counts that are
a form of another figure (a vague or rounded restatement, a part, an earlier figure; see
``merge``) are no events of their own, and an uncounted mention of a type the article counts
adds nothing. Distinct tolls stay distinct: another count, another status, another event.
A shoot-down implies a launch, so an interception brings an (uncounted) attack with it.
"""

from __future__ import annotations

from monitor.models import Event
from workers.classify.merge import part_reason, same_kind
from workers.classify.outcome import Dropped
from workers.classify.sentence_events import Found
from workers.classify.sums import lead_parts, summed_parts

PROPOSED = "proposed"  # the factuality of a truce called for or sanctions threatened

Key = tuple[str, int | None, str | None]


def _key(e: Event) -> Key:
    return (e.type, e.count, e.status if e.count is None else None)


def merge_mentions(
    mentions: list[tuple[Found, bool, str]]
) -> tuple[list[Event], list[Dropped]]:
    """Events in text order (headline first), and the counted mentions folded into others.
    Each mention comes with whether it is the headline's and its factuality."""
    found = [f for f, _, _ in mentions]
    counted_types = {f.event.type for f in found if f.event.count is not None}
    counts = [f for f in found if f.event.count is not None]  # all a count can be part of
    reasons = [part_reason(f, counts) for f in found]
    standing = {k for k, why in enumerate(reasons) if why is None}
    sums = summed_parts(found, same_kind) | lead_parts(found, same_kind, standing)
    out: list[Event] = []
    from_title: list[bool] = []
    at: dict[Key, int] = {}
    written: dict[Key, tuple[str, int]] = {}  # where each kept count is written
    merged: list[Dropped] = []
    for k, (f, title, factuality) in enumerate(mentions):
        e = f.event
        why = reasons[k] or (f"part of the total of {sums[k]} it belongs to"
                             if k in sums else None)
        if why:
            merged.append(Dropped(e, "one event", why, title))
            continue
        if e.count is None and e.type in counted_types:
            continue
        if factuality == PROPOSED:
            e = e.replace(status=None)  # a truce called for has no status yet
        key = _key(e)
        if key in written and _another_number(written[key], f):
            key = (*key[:2], f"{e.evidence}#{f.number_at}")  # "a missile and a drone": two
        if key not in at:
            written[key] = (e.evidence, f.number_at)
            at[key] = len(out)
            out.append(e if e.factuality == factuality else e.replace(factuality=factuality))
            from_title.append(title)
        elif from_title[at[key]] and not title:
            body = _with_body_evidence(out[at[key]], e, factuality)
            out[at[key]], from_title[at[key]] = body, False
    if any(e.type == "interception" for e in out) and not any(e.type == "attack" for e in out):
        first = next(e for e in out if e.type == "interception")
        out.append(first.replace(type="attack", count=None, approx=False, side=None, noun=None))
    return out, merged


def _another_number(first: tuple[str, int], f: Found) -> bool:
    """The same figure written twice in one sentence is two things ("shot down a missile and
    a drone"); across sentences it is the same thing told again."""
    return f.number_at >= 0 and first == (f.event.evidence, first[1]) and first[1] != f.number_at


def _with_body_evidence(head: Event, body: Event, factuality: str) -> Event:
    """The body's sentence as evidence, with what the headline said that the body did not."""
    return body.replace(
        weapon=body.weapon or head.weapon, side=body.side or head.side,
        location=body.location or head.location, factuality=factuality,
    )
