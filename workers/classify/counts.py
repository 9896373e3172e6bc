"""Tie numbers to events: "261 gevechten", "72 drones neergehaald", "killed at least 40 people".

A number counts an event when its head noun says so: a count noun of a type ("doden",
"clashes"), or a carrier noun (people, drones) claimed by the nearest cue of a type that takes
such carriers. A bare number ("killed 40") is claimed by a cue just before it. Numbers whose
head is a unit (hours, percent, villages) or that are parts of a stated total count nothing.
"""

from __future__ import annotations

from typing import NamedTuple

from workers.classify.cues import Cue
from workers.classify.heads import Head, find_head
from workers.classify.numbers import Mention
from workers.classify.scan import CLAUSE_BREAKS, Scan
from workers.classify.taxonomy import CARRIER_REACH, MUNITIONS, TYPES

SWAP_REACH = 3  # from a swap's "for" to the number of the other side ("for some 19")
COORDINATING = frozenset({"coordinators", "approx"})  # "60 missiles and around ten drones"


class Count(NamedTuple):
    """An event count read from a sentence; ``anchor`` is the span of the words that made it
    that type's count (the cue, or the count noun), which the factuality layer judges."""

    type: str
    mention: Mention
    head: Head
    anchor: tuple[int, int]


Claims = list[dict[str, tuple[int, int]]]  # per mention: type -> anchor span


def _distance(scan: Scan, cue: Cue, m: Mention, head: Head) -> int:
    if cue.start < m.start and cue.end > m.start:
        return 0  # a split cue around the number: "raakten zeker drie mensen gewond"
    if cue.end <= m.start:
        return m.start - cue.end
    if cue.start > head.at:
        return cue.start - head.at - 1 - _aside_length(scan, head.at + 1, cue.start)
    return 0 if cue.start >= m.start else 99


def _aside_length(scan: Scan, lo: int, hi: int) -> int:
    """The tokens of a breakdown set off by commas between a head and its cue ("10 people,
    including two women and three children, were wounded"): they part neither."""
    for m in scan.by_label.get("part_before", ()):
        if lo <= m.start - 1 < hi and scan.tokens[m.start - 1] == ",":
            end = next((i for i in range(m.end, hi) if scan.tokens[i] == ","), None)
            if end is not None:
                return end + 1 - (m.start - 1)
    return 0


def _eligible(scan: Scan, cue: Cue, m: Mention, head: Head) -> bool:
    rule = TYPES[cue.type]
    if not rule.counted or m.upper or head.kind == "unit":
        return False
    if m.part and not rule.takes_parts:
        return False
    if head.kind == "times":  # "struck energy sites 217 times", "drie keer aangevallen"
        return rule.counts_times and not _crosses_break(scan, cue, m) and (
            0 <= m.start - cue.end <= CARRIER_REACH or 0 <= cue.start - head.at - 1 <= 1)
    if head.kind in rule.carriers or (m.part and rule.takes_parts):
        return _distance(scan, cue, m, head) <= CARRIER_REACH and not _crosses_break(scan, cue, m)
    if head.kind == "none":
        if cue.start < m.start < cue.end:
            return True
        if m.end <= cue.start:  # auxiliaries between do not count: "35 had been shot down"
            between = range(m.end, cue.start)
            gap = sum(1 for i in between if "function_words" not in scan.at_token[i])
            return rule.headless_after >= 0 and gap <= rule.headless_after
        reach = CARRIER_REACH if "toll" in scan.at_token[cue.start] else rule.headless_reach
        return cue.end <= m.start and m.start - cue.end <= reach and not _crosses_break(
            scan, cue, m
        )
    return False


def _crosses_break(scan: Scan, cue: Cue, m: Mention) -> bool:
    """A clause break between the cue and the number, or a comma that opens a new clause
    (", and 31 were injured": "killed" before it does not reach 31)."""
    lo, hi = sorted((cue.start, m.start))
    toks = scan.tokens
    if any(lo <= i < hi for i in scan.where("ctx:end")):
        return True  # "no answer on casualties, but two sources said ...": another clause
    return any(t in CLAUSE_BREAKS or (t == "," and i + 1 < len(toks)
                                      and "coordinators" in scan.at_token[i + 1]
                                      and toks[i + 1] != ",")
               for i, t in enumerate(toks[lo:hi], lo))


def _accepts_weak(head: Head, event_type: str) -> bool:
    """'een persoon', 'a drone': 1 for one victim or munition, never for 'een aanval'."""
    if head.kind == "weapon":
        return head.weapon in MUNITIONS
    return head.kind == "person" or (head.kind == event_type == "casualties")


def find_counts(scan: Scan, mentions: list[Mention], cues: list[Cue]) -> list[Count]:
    """Every (type, number) pair the sentence states."""
    if not mentions:
        return []
    cue_types = {c.type for c in cues}
    heads = [find_head(scan, m, cue_types) for m in mentions]
    for k, m in enumerate(mentions):
        if m.whole is not None:
            heads[k] = heads[m.whole]  # "41 van de 80 drones": the part counts drones too
    claimed: Claims = [{} for _ in mentions]
    for k, (m, h) in enumerate(zip(mentions, heads, strict=True)):
        weak_ok = not m.weak or _accepts_weak(h, h.kind)
        if h.kind in cue_types and not (m.upper or m.part) and weak_ok:
            claimed[k].setdefault(h.kind, (h.at, h.at + 1))
    headless: dict[int, tuple[int, Cue]] = {}
    closest: dict[tuple[int, str], int] = {}  # (mention, type) -> distance of its claimer
    own = {(h.kind, h.at) for k, h in enumerate(heads) if claimed[k]}
    for cue in cues:
        if (cue.type, cue.end - 1) in own:
            continue  # "311 gewonden": the noun counts its own number, no other one
        nearest = _nearest_mention(scan, cue, mentions, heads, closest)
        if nearest is None:
            continue
        k = nearest
        if heads[k].kind == "none":
            d = _distance(scan, cue, mentions[k], heads[k])
            if k not in headless or d < headless[k][0]:
                headless[k] = (d, cue)
                closest[(k, cue.type)] = d
            continue
        claimed[k].setdefault(cue.type, (cue.start, cue.end))
        d = _distance(scan, cue, mentions[k], heads[k])
        closest[(k, cue.type)] = min(d, closest.get((k, cue.type), d))
        _claim_coordinated(scan, k, cue, mentions, heads, claimed)
    for k, (_, cue) in headless.items():
        claimed[k].setdefault(cue.type, (cue.start, cue.end))
    _claim_wholes(mentions, heads, claimed, cue_types)
    _claim_each(scan, mentions, claimed)
    _claim_swapped_for(scan, cues, mentions, heads, claimed)
    _claim_risen_toll(scan, mentions, claimed, cue_types)
    return [
        Count(t, mentions[k], heads[k], claimed[k][t])
        for k in range(len(mentions)) for t in sorted(claimed[k])
    ]


def _claim_coordinated(
    scan: Scan, k: int, cue: Cue, mentions: list[Mention], heads: list[Head], claimed: Claims,
) -> None:
    """'downed 382 drones and 24 missiles', 'zeven militairen en 35 burgers om het leven':
    the cue covers every number coordinated with the one it claimed, after it or before."""
    for step in (1, -1):
        j = k
        while 0 <= j + step < len(mentions):
            a, b = (j, j + step) if step == 1 else (j + step, j)
            between = range(heads[a].at + 1, mentions[b].start)
            if not between or not all(scan.at_token[i] & COORDINATING for i in between):
                break
            nxt = mentions[j + step]
            if heads[j + step].kind != heads[j].kind or nxt.part or nxt.upper:
                break
            j += step
            claimed[j].setdefault(cue.type, (cue.start, cue.end))


def _nearest_mention(
    scan: Scan, cue: Cue, mentions: list[Mention], heads: list[Head],
    closest: dict[tuple[int, str], int],
) -> int | None:
    """The nearest number the cue can claim; one that a closer cue of its type already
    claimed is left to it ("killing 18 people and injuring 130": "injuring" takes 130)."""
    taken = {k for (k, t) in closest if t == cue.type}
    taken |= {w for k in taken if (w := mentions[k].whole) is not None}
    best: tuple[int, int] | None = None
    free_after: tuple[int, int] | None = None  # the nearest unclaimed number after the cue
    for k, (m, h) in enumerate(zip(mentions, heads, strict=True)):
        if (h.kind in TYPES and not m.part) or (m.weak and not _accepts_weak(h, cue.type)):
            continue  # "5 attacks" counts its own noun; "102 of the 127 missiles" is free
        if not _eligible(scan, cue, m, h):
            continue
        d = _distance(scan, cue, m, h)
        if closest.get((k, cue.type), d + 1) < d:
            continue
        if best is None or d < best[0]:
            best = (d, k)
        if k not in taken and m.start >= cue.end and (free_after is None or d < free_after[0]):
            free_after = (d, k)
    if best is not None and best[1] in taken and free_after is not None:
        return free_after[1]  # "killed 50,000 and wounded 113,000": its own object
    return best[1] if best else None


def _claim_each(scan: Scan, mentions: list[Mention], claimed: Claims) -> None:
    """'314 prisoners exchanged - 157 from each side': the per-side figure of the swap.

    It sits past a clause break, out of every cue's reach, but half a claimed total with an
    ``each_side`` marker after it can only be that total's share per side.
    """
    for k, m in enumerate(mentions):
        if claimed[k] or not scan.starting_at("each_side", m.end):
            continue
        for other, got in zip(mentions, claimed, strict=True):
            if other.value == 2 * m.value:
                claimed[k].update({t: a for t, a in got.items() if t not in claimed[k]})


def _claim_swapped_for(
    scan: Scan, cues: list[Cue], mentions: list[Mention], heads: list[Head], claimed: Claims,
) -> None:
    """'11 seamen were exchanged for 19 crew members': a swap counts the people on both sides
    of its "for", though the cue already took the number before it."""
    swapped_for = scan.where("swapped_for")
    if not swapped_for:
        return
    for cue in cues:
        if cue.type != "prisoner_exchange" or cue.end not in swapped_for:
            continue
        for k, (m, h) in enumerate(zip(mentions, heads, strict=True)):
            if 0 < m.start - cue.end <= SWAP_REACH and h.kind == "person" and not m.part:
                claimed[k].setdefault(cue.type, (cue.start, cue.end))
                break


def _claim_wholes(
    mentions: list[Mention], heads: list[Head], claimed: Claims, cue_types: set[str]
) -> None:
    """'downed 17 of 19 drones': the whole is launched (attack); a launched salvo with an
    attack or interception cue in its sentence is an attack count even when no cue claims it."""
    for m, got in zip(mentions, claimed, strict=True):
        if m.whole is not None and "interception" in got:
            claimed[m.whole].setdefault("attack", got["interception"])
    for m, h, got in zip(mentions, heads, claimed, strict=True):
        if h.kind == "weapon" and not got and not (m.part or m.upper):
            if m.weak and not _accepts_weak(h, "attack"):
                continue
            if cue_types & {"attack", "interception"}:
                got.setdefault("attack", (h.at, h.at + 1))


def _claim_risen_toll(
    scan: Scan, mentions: list[Mention], claimed: Claims, cue_types: set[str]
) -> None:
    """'The death toll from the strike on Sumy two weeks ago rose to 31': a number right after
    "rose to" is the toll the sentence names, however far the toll word is."""
    toll = next(iter(scan.by_label.get("toll", ())), None)
    if toll is None or "casualties" not in cue_types:
        return
    for k, m in enumerate(mentions):
        if not claimed[k] and not m.upper and scan.ending_at("rise", m.start) is not None:
            claimed[k]["casualties"] = (toll.start, toll.end)
