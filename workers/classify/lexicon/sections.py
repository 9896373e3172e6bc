"""The language-file sections of the factuality and time layer: ``context`` and ``time``.

``context`` holds ConText-style trigger terms (Harkema et al., 2009): each trigger gives the
event mentions in its scope a factuality. ``before`` triggers precede the mention and reach
forward, ``after`` triggers follow it and reach back; scopes end at clause boundaries and at
``termination`` terms; ``pseudo`` terms look like triggers but are not ("no fewer than").
``time`` holds what dates and anchors an event: month and weekday names, units of time,
relative markers ("last", "ago"), phrases that place an event in the background, the recent
past or the future, the auxiliary of the past perfect and the verbs of reported speech.
Every label read by the layer is named here, so the code that reads them holds no words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from workers.classify.lexicon.patterns import PatternSet

# Factualities a trigger can give, strongest first: when several triggers cover a mention,
# the first of these wins ("will not attack" is negated, not announced).
FACTUALITIES = ("negated", "uncertain", "hypothetical", "intended", "wished", "generic",
                "announced")
CONTEXT_KEYS = {*FACTUALITIES, "pseudo", "termination"}
# "opening": a "before" trigger that only counts where it opens a clause (Dutch "als" is
# "if" there, and "as" elsewhere); "closing": an "after" trigger whose scope is its whole
# clause, not only the words just before it (a condition: "... in the event of a truce").
DIRECTIONS = ("before", "after", "opening", "closing")
TIME_KEYS = {
    "months", "weekdays", "seasons", "units", "ago", "last", "this", "next", "since", "running",
    "background", "recent", "future", "comparison", "pluperfect", "reporting", "relative",
}
TIME_ANCHORS = ("background", "recent", "future", "comparison")
SENSE_KEYS = {"before", "after"}


def trigger_label(factuality: str, direction: str) -> str:
    return f"ctx:{factuality}:{direction}"


@dataclass(frozen=True, slots=True)
class TimeSpec:
    """Calendar words of one language, by lower-cased token."""

    months: Mapping[str, int]  # "maart" -> 3
    seasons: Mapping[str, tuple[int, int]]  # "zomer" -> (6, 8): first and last month
    units: Mapping[str, int]  # "weken" -> 7 (days)


EMPTY_TIME = TimeSpec({}, {}, {})


def _mapping(data: Any, where: str) -> dict[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ValueError(f"{where} must be a mapping")
    return {str(k).lower(): v for k, v in data.items()}


def _patterns(values: Any, where: str) -> list[str]:
    out = []
    for v in values or ():
        if not isinstance(v, str):
            raise ValueError(f"{where}: {v!r} is not a string (quote it)")
        out.append(v.lower())
    return out


def _unknown(data: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise ValueError(f"unknown key(s) in {where}: {', '.join(sorted(unknown))}")


def add_context(patterns: PatternSet, raw: Any) -> None:
    """Trigger terms as labels ``ctx:<factuality>:<direction>``, ``ctx:pseudo``, ``ctx:end``."""
    data = _mapping(raw, "context")
    _unknown(data, CONTEXT_KEYS, "context")
    for key in FACTUALITIES:
        body = _mapping(data.get(key), f"context.{key}")
        _unknown(body, set(DIRECTIONS), f"context.{key}")
        for direction in DIRECTIONS:
            words = _patterns(body.get(direction), f"context.{key}.{direction}")
            patterns.add(trigger_label(key, direction), words)
    patterns.add("ctx:pseudo", _patterns(data.get("pseudo"), "context.pseudo"))
    patterns.add("ctx:end", _patterns(data.get("termination"), "context.termination"))


def add_time(patterns: PatternSet, raw: Any) -> TimeSpec:
    """Time words as labels ``time:<key>``; the calendar mappings go into a TimeSpec."""
    data = _mapping(raw, "time")
    _unknown(data, TIME_KEYS, "time")
    months = {k: int(v) for k, v in _mapping(data.get("months"), "time.months").items()}
    if any(not 1 <= m <= 12 for m in months.values()):
        raise ValueError("time.months: month numbers run from 1 to 12")
    seasons = {}
    for name, span in _mapping(data.get("seasons"), "time.seasons").items():
        if not (isinstance(span, list) and len(span) == 2):
            raise ValueError(f"time.seasons.{name}: give [first month, last month]")
        seasons[name] = (int(span[0]), int(span[1]))
    units = {k: int(v) for k, v in _mapping(data.get("units"), "time.units").items()}
    patterns.add("months", list(months))  # also how numbers.py never reads a date as a count
    patterns.add("time:season", list(seasons))
    patterns.add("time:unit", list(units))
    for key in TIME_KEYS - {"months", "seasons", "units"}:
        patterns.add(f"time:{key}", _patterns(data.get(key), f"time.{key}"))
    return TimeSpec(months=months, seasons=seasons, units=units)


def add_senses(patterns: PatternSet, type_name: str, raw: Any) -> None:
    """``other_sense`` of a type: words right before or after a cue that give it another
    sense ("captured civilians", "anti-aircraft battle"). ``@label`` names a marker list."""
    data = _mapping(raw, f"types.{type_name}.other_sense")
    _unknown(data, SENSE_KEYS, f"types.{type_name}.other_sense")
    for side in SENSE_KEYS:
        words = _patterns(data.get(side), f"types.{type_name}.other_sense.{side}")
        plain = [w for w in words if not w.startswith("@")]
        patterns.add(f"sense:{type_name}:{side}", plain)


def sense_refs(raw: Any) -> dict[str, tuple[str, ...]]:
    """The ``@label`` references of an ``other_sense`` block, per side."""
    data = _mapping(raw, "other_sense")
    return {
        side: tuple(w[1:] for w in _patterns(data.get(side), side) if w.startswith("@"))
        for side in SENSE_KEYS
    }
