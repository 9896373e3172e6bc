"""What reading an article gives: its events, and the mentions that are not events, with why.

A user who expected an alert needs to see the mention that was set aside and the words that
decided it ("background: 'in 2022'", "wished: 'wants'"); the evaluation groups its errors by
the same kinds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from monitor.models import Event

# The kinds of reason, named after the mistakes they prevent (docs/events.md).
KINDS = ("background", "irrealis", "negation", "generic", "other sense", "one event")


@dataclass(frozen=True, slots=True)
class Dropped:
    """A mention that is no event of the article: the kind of reason, and its words."""

    event: Event
    kind: str  # one of KINDS
    reason: str
    title: bool = False  # read from the headline

    def to_dict(self) -> dict[str, Any]:
        return {**self.event.to_dict(), "kind": self.kind, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Reading:
    """What an article reports (``events``) and what it mentions but does not (``dropped``)."""

    events: tuple[Event, ...]
    dropped: tuple[Dropped, ...]
