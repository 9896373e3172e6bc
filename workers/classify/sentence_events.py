"""Event mentions of one sentence: cues give the types, counts give the numbers and attributes.

These are candidates: the factuality and time layer (``reading.py``) still decides which of
them the article reports as happening now. Cues read in another sense, and every cue of a
sentence about another domain (sport, elections, weather), come back set aside with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from monitor.models import Event
from workers.classify.counts import Count, find_counts
from workers.classify.cues import (
    Cue,
    SetAside,
    find_cues,
    nearest_label,
    read_location,
    read_status,
)
from workers.classify.numbers import find_mentions
from workers.classify.scan import Scan
from workers.classify.taxonomy import TYPES

SIDE_REACH = 6  # tokens around a casualty count that may name the victims' side
WEAPON_TYPES = frozenset({"attack", "interception"})


class Found(NamedTuple):
    """An event mention plus what the layer and the article-level merge need to know."""

    event: Event
    anchor: tuple[int, int] = (0, 0)  # the tokens that name it: what factuality is judged on
    number_at: int = -1  # the token where its count is written (-1: uncounted)
    vague: bool = False
    each: bool = False  # a per-side count ("157 each"): a total of twice it is the same swap
    impact: bool = False  # munitions that hit ("25 drones hit nine sites"): maybe a subset
    earlier: bool = False  # a figure given earlier ("said earlier that 54"): maybe superseded
    ceiling: bool = False  # "as many as 12,000": an alternative to a lower figure, if any
    wounded: bool = False  # a toll of wounded, not of dead: another toll
    frame: bool = False  # its sentence breaks down victims counted elsewhere ("among the dead")
    additional: bool = False  # its sentence adds to a toll given before ("also", "another")
    owner: tuple[str, ...] = ()  # capitalised modifiers: "57 Ukrainian drones" -> ("ukrainian",)
    dated: str | None = None  # the date words that place it ("on February 3"), if any


@dataclass(frozen=True, slots=True)
class Aside:
    """A cue that names no event: its words are used in another sense or another domain."""

    event: Event
    kind: str  # "other sense" or "other domain"
    reason: str


class Stated(NamedTuple):
    """What one sentence states: its counted mentions, then the cues whose uncounted mention is
    made only when asked for (``uncounted``): a cue of a type already reported adds nothing."""

    counted: list[Found]
    cues: list[Cue]
    location: str | None = None
    plain: bool = False  # no numbers read: an article about another domain


NOTHING = Stated([], [])


def sentence_events(
    scan: Scan, lang: str, counted: bool = True, aside: bool = True
) -> tuple[Stated, list[Aside]]:
    """The event mentions one sentence states, and (with ``aside``) the cues it sets aside.
    ``counted=False`` reads no numbers: for an article that cannot report events, only the
    words matter."""
    cues, set_aside = find_cues(scan)
    if not cues and not (aside and set_aside):
        return NOTHING, []
    location = read_location(scan)
    asides = [_aside(scan, lang, a, location) for a in set_aside] if aside else []
    domain = scan.by_label.get("exclude")
    if domain and not aside:
        return NOTHING, []
    if domain:
        word = " ".join(scan.sentence.tokens[domain[0].start : domain[0].end])
        asides += [Aside(_plain(scan, lang, c.type, location), "other domain",
                         f"'{word}' is about another domain") for c in _first_per_type(cues)]
        return NOTHING, asides
    if not cues:
        return NOTHING, asides
    if not counted:
        return Stated([], _first_per_type(cues), location, plain=True), asides
    counts = find_counts(scan, find_mentions(scan), cues)
    return Stated([_counted(scan, lang, c, location) for c in counts], cues, location), asides


def uncounted(scan: Scan, lang: str, cue: Cue, stated: Stated) -> Found:
    """The uncounted mention a cue of ``stated`` makes."""
    event = _plain(scan, lang, cue.type, stated.location) if stated.plain else _event(
        scan, lang, cue.type, cue.start, stated.location)
    return Found(event, anchor=(cue.start, cue.end))


def _aside(scan: Scan, lang: str, a: SetAside, location: str | None) -> Aside:
    return Aside(_plain(scan, lang, a.cue.type, location), "other sense", a.reason)


def _plain(scan: Scan, lang: str, event_type: str, location: str | None) -> Event:
    """A mention that is no event, kept for explanations: its type, sentence and place."""
    return Event(type=event_type, evidence=scan.sentence.text, lang=lang, location=location)


def _first_per_type(cues: list[Cue]) -> list[Cue]:
    seen: dict[str, Cue] = {}
    for cue in cues:
        seen.setdefault(cue.type, cue)
    return list(seen.values())


ASSERTED = "asserted"  # what a mention is until the layer says otherwise (``verdict``)


def _event(scan: Scan, lang: str, event_type: str, pos: int, location: str | None) -> Event:
    weapon = nearest_label(scan, "weapon:", pos) if event_type in WEAPON_TYPES else None
    status = read_status(scan, event_type) if TYPES[event_type].has_status else None
    return Event(type=event_type, evidence=scan.sentence.text, lang=lang, weapon=weapon,
                 location=location, status=status, factuality=ASSERTED)


def _counted(scan: Scan, lang: str, c: Count, location: str | None) -> Found:
    t = c.type
    weapon = c.head.weapon if t in WEAPON_TYPES and c.head.weapon else (
        nearest_label(scan, "weapon:", c.head.at) if t in WEAPON_TYPES else None)
    event = Event(
        type=t, evidence=scan.sentence.text, lang=lang, count=c.mention.value,
        approx=c.mention.approx, weapon=weapon, side=_side(scan, c) if t == "casualties" else None,
        location=location, status=read_status(scan, t) if TYPES[t].has_status else None,
        noun=scan.sentence.tokens[c.head.at] if c.head.kind != "none" else None,
        factuality=ASSERTED)
    each = scan.starting_at("each_side", c.head.at + 1) is not None or scan.starting_at(
        "each_side", c.mention.end) is not None
    impact = c.type == "attack" and c.head.weapon is not None and scan.has("impact")
    ceiling = scan.ending_at("ceiling", c.mention.start) is not None
    wounded = any("wounded" in scan.at_token[i]
                  for i in (*range(*c.anchor), c.head.at))
    return Found(event, anchor=c.anchor, number_at=c.mention.start, vague=c.mention.vague,
                 each=each, impact=impact,
                 earlier=_earlier_figure(scan), ceiling=ceiling, owner=_owner(scan, c),
                 wounded=wounded, frame=scan.has("part_frame"),
                 additional=bool(scan.where("additional")))


def _side(scan: Scan, c: Count) -> str | None:
    """Whose toll: the side word nearest the head, unless another number stands between
    them ("37 people, including five civilians": the five are civilians, not the 37)."""
    best: tuple[int, str] | None = None
    for m in scan.family("side:"):
        lo, hi = sorted((m.start, c.head.at))
        dist = hi - lo
        if dist > SIDE_REACH or (best is not None and dist >= best[0]):
            continue
        between = scan.tokens[lo + 1 : hi]
        if not any(t[0].isdigit() or scan.lexicon.numbers.is_word(t) for t in between):
            best = (dist, m.label[5:])
    return best[1] if best else None


def _earlier_figure(scan: Scan) -> bool:
    """'eerder werd gemeld', 'initially': a figure given before; not 'een dag eerder'."""
    return any(m.start == 0 or "time:unit" not in scan.at_token[m.start - 1]
               for m in scan.by_label.get("earlier", ()))


def _owner(scan: Scan, c: Count) -> tuple[str, ...]:
    """Proper adjectives between a number and its head say whose they are ("Russian"); a
    weapon's model name ("13 Shahed drones") says nothing about whose."""
    span = range(c.mention.end, c.head.at)
    return tuple(scan.tokens[i] for i in span if scan.sentence.tokens[i][:1].isupper()
                 and not any(lb.startswith("weapon:") for lb in scan.at_token[i]))
