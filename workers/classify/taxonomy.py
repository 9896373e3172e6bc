"""How each event type takes its count and its factuality: language-independent, from
docs/events.md.

This is the taxonomy, not language knowledge: which kinds of head noun can carry a type's
count ("40 people ... killed" -> casualties; "72 drones ... shot down" -> interception), which
types never carry one (infrastructure: households without power are not a count), which are
events even when only proposed or threatened (sanctions), and which name an act between
parties clearly enough to be read in an article that never names armed conflict.
"""

from __future__ import annotations

from dataclasses import dataclass

from monitor.vocabulary import EVENT_TYPES


@dataclass(frozen=True, slots=True)
class TypeRule:
    """Counting behaviour of one event type."""

    counted: bool = True
    carriers: tuple[str, ...] = ()  # head kinds whose number a nearby cue can claim
    headless_reach: int = 0  # a cue this many tokens before a bare number claims it
    headless_after: int = -1  # ... or this many tokens after it ("meer dan honderd gewond")
    needs_weapon: bool = False  # the sentence must name a drone/missile (interception)
    takes_parts: bool = False  # "of which 48 were intercepted": subsets are this type's count
    has_status: bool = False
    noun_needs_cue: bool = False  # "175 prisoners" is an exchange count only beside an exchange cue
    # Factualities in which a mention of it is still the event, with no status: sanctions
    # proposed, threatened or made conditional; a truce called for, offered or under
    # discussion (docs/events.md). An aim, or a truce on a condition, is still no event.
    irrealis_counts: frozenset[str] = frozenset()
    # A state that lasts until it is lifted: imposed long ago, it is still in force.
    lasting: bool = False
    # Read from its own sentence where the article names neither armed conflict nor another
    # domain: talks, truces, swaps and sanctions are acts between parties; an "attack" or a
    # death without a weapon or a soldier in sight may be sport or an accident.
    stands_alone: bool = False
    # "struck the grid 217 times": a number of times the cue happened is its count
    counts_times: bool = False


_RULES: dict[str, TypeRule] = {
    "attack": TypeRule(carriers=("weapon",), counts_times=True),
    "combat": TypeRule(),
    "interception": TypeRule(carriers=("weapon",), needs_weapon=True, takes_parts=True,
                             headless_reach=2, headless_after=0),
    "casualties": TypeRule(carriers=("person",), headless_reach=4, headless_after=0),
    "territorial_change": TypeRule(counted=False),
    "negotiation": TypeRule(counted=False, has_status=True, stands_alone=True),
    "ceasefire": TypeRule(counted=False, has_status=True, stands_alone=True,
                          irrealis_counts=frozenset({"wished"})),
    "prisoner_exchange": TypeRule(carriers=("person",), headless_reach=2, has_status=True,
                                  noun_needs_cue=True, stands_alone=True),
    "troop_deployment": TypeRule(noun_needs_cue=True),  # "3,000 troops", not "9,770 people"
    "sanctions": TypeRule(counted=False, stands_alone=True, lasting=True,
                          irrealis_counts=frozenset({"wished", "intended", "hypothetical"})),
    "infrastructure": TypeRule(counted=False),
}


def _by_type(rules: dict[str, TypeRule]) -> dict[str, TypeRule]:
    """The rules keyed by the vocabulary's event types, in its order; a type without a rule or
    a rule for no type fails the import, not the first article of that type."""
    missing = [t for t in EVENT_TYPES if t not in rules]
    unknown = [t for t in rules if t not in EVENT_TYPES]
    if missing or unknown:
        raise ValueError(f"event types without a TypeRule: {missing}; rules of no type: {unknown}")
    return {t: rules[t] for t in EVENT_TYPES}


TYPES: dict[str, TypeRule] = _by_type(_RULES)

# Weapons that can be intercepted in the air (docs/events.md: "only drones or missiles").
AIRBORNE = frozenset({"drone", "missile"})

# Single munitions: "a drone struck", "een raket trof" count 1; "a warplane" or "een aanval" do not.
MUNITIONS = frozenset({"drone", "missile", "glide_bomb", "artillery"})

# Status values in the order they win when a sentence holds several cues.
STATUS_ORDER = ("rejected", "stalled", "concluded", "started", "ongoing", "announced")

# How far (in tokens) a cue may sit from the number whose head it claims.
CARRIER_REACH = 8
