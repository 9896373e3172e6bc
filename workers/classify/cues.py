"""Which event types a sentence states, and the attributes read around them.

A cue is a span labelled ``cue:<type>`` (or ``noun:<type>``). Whether the event it names
happened (negation, hypotheticals, wishes, time) is judged later, by the factuality and time
layer. Here a cue is only set aside when its words are used in another sense: an exclusion
context for its type in the sentence (a missile test, a trade truce), a missing companion word
its type requires (released *prisoners*), or a neighbour that changes its sense ("captured
civilians"). Set-aside cues are kept with that reason, so an explanation can show them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from workers.classify.scan import Scan
from workers.classify.senses import other_sense
from workers.classify.taxonomy import AIRBORNE, STATUS_ORDER, TYPES


class Cue(NamedTuple):
    """A cue for one event type at tokens [start, end)."""

    type: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class SetAside:
    """A cue read in another sense, with the words that say so."""

    cue: Cue
    reason: str


WEAPON_REACH = 10  # tokens between an interception word and the drone or missile it downs
AGENT_REACH = 3  # "by a missile", "door een raketaanval": the agent's noun follows closely


def _airborne_weapon(scan: Scan) -> bool:
    return any(scan.has(f"weapon:{kind}") for kind in AIRBORNE)


def _airborne_said(scan: Scan) -> bool:
    """A drone or missile in the sentence, or else in the one right before, which "most of
    them were shot down" refers back to."""
    return _airborne_weapon(scan) or (scan.previous is not None
                                      and _airborne_weapon(scan.previous))


def _airborne_near(scan: Scan, cue: Cue) -> bool:
    """A drone or missile close to the cue and not its agent: "destroyed by a missile strike"
    and "repelled attacks supported by drones" down nothing. A sentence that names none
    refers back to the one before (see ``_airborne_said``)."""
    if not _airborne_weapon(scan):
        return True
    agents = scan.where("agent")
    return any(m.label[7:] in AIRBORNE
               and cue.start - WEAPON_REACH <= m.start < cue.end + WEAPON_REACH
               and not any(0 < m.start - a <= AGENT_REACH for a in agents)
               for m in scan.family("weapon:"))


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


# The labels that can name an event of a type (its cues, and its nouns where a noun alone
# names the event), so a sentence is only asked about the types it names.
_CUE_OF = {
    **{labels.cue: name for name, labels in LABELS.items()},
    **{labels.noun: name for name, labels in LABELS.items() if not TYPES[name].noun_needs_cue},
}
_ORDER = {name: k for k, name in enumerate(TYPES)}


def _words(scan: Scan, start: int, end: int) -> str:
    return " ".join(scan.sentence.tokens[start:end])


def _type_reason(scan: Scan, name: str) -> str | None:
    """Why no cue of type ``name`` in this sentence is that event, or None."""
    labels = LABELS[name]
    excluded = scan.by_label.get(labels.exclude)
    if excluded:
        m = excluded[0]
        return f"'{_words(scan, m.start, m.end)}' gives it another sense"
    if TYPES[name].needs_weapon and not _airborne_said(scan):
        return "no drone or missile named here or in the sentence before"
    if name in scan.lexicon.required and labels.requires not in scan.by_label:
        return "none of the words it needs (its type's 'requires')"
    return None


def find_cues(scan: Scan) -> tuple[list[Cue], list[SetAside]]:
    """The cues of the sentence in token order, and those set aside as another sense."""
    cues: list[Cue] = []
    aside: list[SetAside] = []
    by_label = scan.by_label
    named = {t for label in by_label if (t := _CUE_OF.get(label)) is not None}
    for name in sorted(named, key=_ORDER.__getitem__) if len(named) > 1 else named:
        rule, labels = TYPES[name], LABELS[name]
        spans = list(by_label.get(labels.cue, ()))
        if not rule.noun_needs_cue:
            spans += by_label.get(labels.noun, ())
        found = [Cue(name, m.start, m.end) for m in spans]
        if len(found) > 1:
            found = _drop_nested(list(dict.fromkeys(found)))
        reason = _type_reason(scan, name)
        for cue in found:
            word = other_sense(scan, name, cue.start, cue.end) if reason is None else None
            why = reason or (f"'{word}' next to it gives it another sense" if word else None)
            if why is None and _in_name(scan, cue):
                why = "part of a name"
            if why is None and rule.needs_weapon and not _airborne_near(scan, cue):
                why = "no drone or missile near it"
            if why:
                aside.append(SetAside(cue, why))
            else:
                cues.append(cue)
    cues.sort(key=lambda c: (c.start, c.end))
    return _yield_to_longer(cues, aside), aside


def _in_name(scan: Scan, cue: Cue) -> bool:
    """'Bette Dam', 'Operation Strike': a one-word cue written with a capital inside a
    sentence, right after another capitalised word, is part of a name (unless the sentence
    is a headline written in capitals throughout)."""
    words = scan.sentence.tokens
    i = cue.start
    if cue.end - i != 1 or i < 2 or not words[i][:1].isupper() or not words[i - 1][:1].isupper():
        return False
    alpha = [w for w in words if w[:1].isalpha()]
    return sum(w[:1].isupper() for w in alpha) * 2 < len(alpha)


def _drop_nested(cues: list[Cue]) -> list[Cue]:
    """A cue inside a longer cue of the same type is the same cue ("air strike" / "strike")."""
    out = []
    for c in cues:
        inside = any(o is not c and o.start <= c.start and c.end <= o.end
                     and (o.end - o.start) > (c.end - c.start) for o in cues)
        if not inside:
            out.append(c)
    return out


def _yield_to_longer(cues: list[Cue], aside: list[SetAside]) -> list[Cue]:
    """A cue that begins or ends a longer cue of another type is a word of that one: "a pause
    in attacks" is a ceasefire, not an attack; "an anti-aircraft battle" is no ground combat.
    (Only a shared edge: a separable verb around a cue, "raakten bij de aanval gewond", keeps
    the cue it surrounds.)"""
    out = []
    for c in cues:
        host = next((o for o in cues if o.type != c.type and (o.end - o.start) > (c.end - c.start)
                     and ((o.start == c.start and c.end <= o.end)
                          or (o.end == c.end and o.start <= c.start))), None)
        if host is None:
            out.append(c)
        else:
            aside.append(SetAside(c, f"part of a {host.type} cue"))
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
    for m in scan.family(prefix):
        dist = min(abs(m.start - pos), abs(m.end - 1 - pos))
        if dist <= reach and (best is None or dist < best[0]):
            best = (dist, m.label[len(prefix):])
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
