"""Events of one sentence: cues give the types, counts give the numbers and attributes."""

from __future__ import annotations

from dataclasses import dataclass

from monitor.models import Event
from workers.classify.counts import Count, find_counts
from workers.classify.cues import Cue, find_cues, nearest_label, read_location, read_status
from workers.classify.numbers import find_mentions
from workers.classify.scan import Scan
from workers.classify.taxonomy import TYPES

SIDE_REACH = 6  # tokens around a casualty count that may name the victims' side
WEAPON_TYPES = frozenset({"attack", "interception"})


@dataclass(frozen=True, slots=True)
class Found:
    """An event plus what the article-level merge needs to know about its count."""

    event: Event
    vague: bool = False
    each: bool = False  # a per-side count ("157 each"): a total of twice it is the same swap
    impact: bool = False  # munitions that hit ("25 drones hit nine sites"): maybe a subset
    earlier: bool = False  # a figure given earlier ("said earlier that 54"): maybe superseded
    ceiling: bool = False  # "as many as 12,000": an alternative to a lower figure, if any
    owner: tuple[str, ...] = ()  # capitalised modifiers: "57 Ukrainian drones" -> ("ukrainian",)


def sentence_events(scan: Scan, lang: str) -> list[Found]:
    """All events one sentence states; none for excluded or background sentences."""
    if scan.has("exclude") or scan.has("background"):
        return []
    cues = find_cues(scan)
    if not cues:
        return []
    counts = find_counts(scan, find_mentions(scan), cues)
    location = read_location(scan)
    found = [_counted(scan, lang, c, location) for c in counts]
    counted = {c.type for c in counts}
    for cue in _first_per_type(cues):
        if cue.type not in counted:
            found.append(Found(_event(scan, lang, cue.type, cue.start, location)))
    return found


def _first_per_type(cues: list[Cue]) -> list[Cue]:
    seen: dict[str, Cue] = {}
    for cue in cues:
        seen.setdefault(cue.type, cue)
    return list(seen.values())


def _event(scan: Scan, lang: str, event_type: str, pos: int, location: str | None) -> Event:
    weapon = nearest_label(scan, "weapon:", pos) if event_type in WEAPON_TYPES else None
    status = read_status(scan, event_type) if TYPES[event_type].has_status else None
    return Event(type=event_type, evidence=scan.sentence.text, lang=lang, weapon=weapon,
                 location=location, status=status)


def _counted(scan: Scan, lang: str, c: Count, location: str | None) -> Found:
    event = _event(scan, lang, c.type, c.head.index, location)
    side = None
    if c.type == "casualties":
        side = nearest_label(scan, "side:", c.head.index, SIDE_REACH)
    weapon = c.head.weapon if c.type in WEAPON_TYPES and c.head.weapon else event.weapon
    event = event.replace(count=c.mention.value, approx=c.mention.approx, side=side,
                          weapon=weapon)
    each = scan.starting_at("each_side", c.head.index + 1) is not None or scan.starting_at(
        "each_side", c.mention.end) is not None
    impact = c.type == "attack" and c.head.kind == "weapon" and scan.has("impact")
    ceiling = scan.ending_at("ceiling", c.mention.start) is not None
    return Found(event, vague=c.mention.vague, each=each, impact=impact,
                 earlier=scan.has("earlier"), ceiling=ceiling, owner=_owner(scan, c))


def _owner(scan: Scan, c: Count) -> tuple[str, ...]:
    """Proper adjectives between a number and its head say whose they are ("Russian")."""
    words = scan.sentence.tokens[c.mention.end : c.head.index]
    return tuple(w.lower() for w in words if w[:1].isupper())
