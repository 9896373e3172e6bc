"""The event vocabulary: every value an event's ``type``, ``weapon``, ``side`` and ``status``
can take (docs/events.md), in one place.

The classifier emits these values (workers/classify/taxonomy.py keys its counting behaviour by
EVENT_TYPES; the language files name weapons, sides and statuses with them) and rules match on
them (monitor/rules/schema.py rejects any other value, so a typo in a rule fails its load
instead of silently never matching). Plain tuples of strings: they are the values events and
rule files hold, their order is the order of the docs and of bench/rules.py's random rules, and
the core that holds them imports nothing from workers/.
"""

from __future__ import annotations

EVENT_TYPES = (
    "attack",
    "combat",
    "interception",
    "casualties",
    "territorial_change",
    "negotiation",
    "ceasefire",
    "prisoner_exchange",
    "troop_deployment",
    "sanctions",
    "infrastructure",
)

# What struck or was intercepted: the ``weapons`` groups of a language file.
WEAPONS = ("drone", "missile", "artillery", "airstrike", "glide_bomb", "other")

# Whose toll a casualty count is: the ``sides`` groups of a language file.
SIDES = ("civilian", "military")

# Where talks, truces and exchanges stand: the ``status`` groups under a language file's types.
STATUSES = ("announced", "started", "ongoing", "stalled", "concluded", "rejected")
