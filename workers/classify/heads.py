"""The head noun of a number: what it counts ("14 Oekraïense burgers", "72 attack drones").

A count noun of a type ("doden", "clashes"), a weapon, a person or a unit, found within a few
modifiers after the number; compounds take their last noun, and a weapon's model name written
in one piece ("Kh-101/555/55") is read past.
"""

from __future__ import annotations

from typing import NamedTuple

from workers.classify.numbers import Mention
from workers.classify.scan import Scan
from workers.classify.taxonomy import TYPES

HEAD_REACH = 3  # modifiers allowed between a number and its head noun ("14 Oekraïense burgers")
SKIPPABLE = frozenset({"(", ")", "-", "'"})


class Head(NamedTuple):
    """What a number counts: ``kind`` is a type name (count noun), person, weapon, unit, times
    (how often: "five times") or none."""

    kind: str
    at: int  # token index of the head noun (the number's last token when none)
    weapon: str | None = None


def noun_kind(scan: Scan, i: int, cue_types: set[str]) -> tuple[str, str | None] | None:
    """A count noun (of a type the sentence states, if it needs one), a weapon or a person."""
    labels = scan.at_token[i]
    weapon = next((lb[7:] for lb in sorted(labels) if lb.startswith("weapon:")), None)
    noun = next(
        (lb[5:] for lb in sorted(labels) if lb.startswith("noun:")
         and (lb[5:] in cue_types or not TYPES[lb[5:]].noun_needs_cue)),
        None,
    )
    if noun:
        return noun, weapon
    if weapon:
        return "weapon", weapon
    if "persons" in labels:
        return "person", None
    return None


def find_head(scan: Scan, m: Mention, cue_types: set[str]) -> Head:
    """The head noun after a number; compounds take their last noun ("attack drones")."""
    toks, i = scan.tokens, m.end
    steps = 0
    if m.vague and i < len(toks) and toks[i] in scan.lexicon.numbers.of_words:
        i += 1  # "hundreds of people"
    while i < len(toks) and steps <= HEAD_REACH:
        labels = scan.at_token[i]
        kind = noun_kind(scan, i, cue_types)
        if kind is not None:
            return _compound(scan, i, kind, cue_types)
        if "units" in labels:
            return Head("unit", i)
        if "times" in labels and i == m.end:
            more = i + 1 < len(toks) and "comparative" in scan.at_token[i + 1]
            return Head("unit" if more else "times", i)  # "three times more": no count
        tok = toks[i]
        if not tok[0].isalpha() and tok not in SKIPPABLE:
            if i > m.end and _glued(scan, i - 1):
                i += 1  # a model name written in one piece: "Kh-101/555/55", "Shahed-136"
                continue
            break
        if "function_words" in labels:
            break
        i, steps = i + 1, steps + (tok not in SKIPPABLE)
    return Head("none", m.end - 1)


def _glued(scan: Scan, i: int) -> bool:
    """Whether token i + 1 follows token i with no space between."""
    after = scan.sentence.glued(i)
    return bool(after) and not after.isspace()


def _compound(scan: Scan, i: int, kind: tuple[str, str | None], cue_types: set[str]) -> Head:
    weapon = kind[1]
    while i + 1 < len(scan.tokens):
        nxt = noun_kind(scan, i + 1, cue_types)
        if nxt is None or "units" in scan.at_token[i + 1]:
            break
        if kind[0] in TYPES and nxt[0] in TYPES and nxt[0] != kind[0]:
            break  # "a missile strike killed": the strike's noun ends it, "killed" is a verb
        if kind[0] == "weapon" and nxt[0] in TYPES and "weapon" not in TYPES[nxt[0]].carriers:
            break  # "one missile wounded 16": a missile counts no wounded
        i, kind = i + 1, nxt
        weapon = kind[1] or weapon
    return Head(kind[0], i, weapon)
