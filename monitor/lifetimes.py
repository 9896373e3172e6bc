"""How long newsmonitor's data lives in Redis: the defaults, and the TTLs that follow the
configured retention (config ``retention``). Key names are monitor/keys.py."""

from __future__ import annotations

from dataclasses import dataclass

DAY = 24 * 3600
# An entry's "seen" marker must outlive the entry in every feed that carries it; feeds rarely
# keep items for more than a few weeks.
SEEN_TTL = 90 * DAY
# Articles and their events: the default retention window (config ``retention.articles``).
ARTICLE_TTL = 30 * DAY
# The "sent" guard for an alert on a channel must outlive every retry and redelivery of the
# alert; it lives as long as the entry's seen marker so a re-seen entry cannot alert again.
SENT_TTL = SEEN_TTL

# Stories live as long as a copy of them can still arrive (or less, with a short retention).
STORY_TTL = 3 * DAY


@dataclass(frozen=True, slots=True)
class Lifetimes:
    """Every TTL that follows the configured retention (config ``retention``)."""

    articles: int = ARTICLE_TTL  # articles with their events
    seen: int = SEEN_TTL  # seen markers; also the sent/fired guards, which must outlive them

    @property
    def sent(self) -> int:
        return self.seen

    @property
    def stories(self) -> int:
        return min(STORY_TTL, self.articles)


DEFAULT_LIFETIMES = Lifetimes()


def lifetimes(articles_s: float, seen_s: float) -> Lifetimes:
    return Lifetimes(int(articles_s), int(seen_s))
