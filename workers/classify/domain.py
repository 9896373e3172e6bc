"""Is the article about armed conflict? The last question ConText asks: about someone else.

Cue words are shared with sport ("attack"), accidents ("killed"), business ("launched") and
elections ("captured seats"). Each sentence that names another domain (the ``exclude`` markers:
football, hurricane, election) gives no events. Beyond that the article decides:

- it names armed conflict somewhere (a ``conflict`` marker: war, troops, missiles, ceasefire):
  every mention is read;
- it names another domain and never armed conflict: no mention is;
- it names neither (a one-line talks announcement, a short wire item): each mention is read
  from its own sentence, so talks, truces, swaps and sanctions stand (acts between parties),
  while violence needs its sentence to name a weapon, soldiers or a state acting ("Russian
  strikes": the ``states`` markers).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from workers.classify.scan import Scan
from workers.classify.taxonomy import TYPES

CONFLICT, OTHER, UNDECIDED = "conflict", "other", "undecided"


@dataclass(frozen=True, slots=True)
class Domain:
    """The article's domain and, for another domain, the word that showed it."""

    value: str
    word: str | None = None


def article_domain(scans: list[Scan], other_word: Callable[[], str | None]) -> Domain:
    """The article's domain from its key sentences; ``other_word`` looks for another domain's
    word in the whole text, which is only needed when no key sentence names armed conflict
    (rare in a war-news feed)."""
    if any(scan.has("conflict") and not scan.has("exclude") for scan in scans):
        return Domain(CONFLICT)
    word = other_word()
    return Domain(OTHER, word) if word else Domain(UNDECIDED)


def domain_reason(domain: Domain, scan: Scan, event_type: str) -> str | None:
    """Why a mention of ``event_type`` in ``scan`` is not about armed conflict, or None."""
    if domain.value == CONFLICT:
        return None
    if domain.value == OTHER:
        return f"the article is about another domain ('{domain.word}') and never names war"
    if TYPES[event_type].stands_alone or scan.has_prefix("weapon:") or scan.has("side:military") \
            or _state_act(scan):
        return None
    return ("the article never names armed conflict, nor does this sentence name a weapon, "
            "troops or a state's act")


def _state_act(scan: Scan) -> bool:
    """A cue right after a state's adjective ("Russian strikes", "Israëlische aanvallen"): what
    a state does with force is an act of war."""
    states = scan.where("states")
    return bool(states) and any(
        m.start - 1 in states for m in scan.family("cue:"))
