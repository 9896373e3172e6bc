"""When to poll a feed next: pure functions of what the feed and its server told us.

- A feed whose config gives an ``interval`` keeps it.
- Otherwise the interval follows the feed's observed rhythm: half the average gap between new
  entries (so a feed that posts hourly is read about twice an hour), clamped to
  [min_interval, max_interval].
- The server's own hints are a floor: Cache-Control max-age, Expires, RSS <ttl>; a 429/503
  with Retry-After is obeyed whatever the interval (polite pollers stay unblocked).
- Errors back off exponentially from the base interval up to max_interval, and never stop.
- Jitter (+/- 10 %) spreads feeds that share an interval.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

JITTER = 0.1
# A Retry-After of years would stop a feed for good; obey a day at most.
MAX_RETRY_AFTER = 86400.0
# The weight of the newest gap in the running average of gaps between new entries.
GAP_WEIGHT = 0.3


@dataclass(frozen=True, slots=True)
class Pacing:
    min_interval: float = 60.0
    max_interval: float = 3600.0
    default_interval: float = 300.0


@dataclass(frozen=True, slots=True)
class Hints:
    """What a response said about the next request, in seconds from now."""

    max_age: float | None = None  # Cache-Control max-age or Expires
    ttl: float | None = None  # RSS <ttl> (minutes in the feed, seconds here)
    retry_after: float | None = None  # 429/503 Retry-After


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Retry-After is either seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - now)
    except (TypeError, ValueError):
        return None


def parse_max_age(cache_control: str | None, expires: str | None, now: float) -> float | None:
    for part in (cache_control or "").lower().split(","):
        name, _, value = part.strip().partition("=")
        if name in ("no-store", "no-cache"):
            return None
        if name == "max-age" and value.strip().isdigit():
            return float(value.strip())
    if expires:
        try:
            return max(0.0, parsedate_to_datetime(expires).timestamp() - now)
        except (TypeError, ValueError):
            return None
    return None


def updated_gap(
    avg_gap: float | None, last_new_at: float | None, now: float, new: int
) -> float | None:
    """The running average gap between new entries after a poll that found ``new`` of them."""
    if new <= 0 or last_new_at is None:
        return avg_gap
    gap = (now - last_new_at) / new
    return gap if avg_gap is None else (1 - GAP_WEIGHT) * avg_gap + GAP_WEIGHT * gap


def base_interval(explicit: float | None, avg_gap: float | None, p: Pacing) -> float:
    if explicit is not None:
        return explicit
    if avg_gap is None:
        return p.default_interval
    return min(p.max_interval, max(p.min_interval, avg_gap / 2))


def next_delay(
    explicit: float | None,
    avg_gap: float | None,
    errors: int,
    hints: Hints,
    p: Pacing,
    rnd: random.Random | None = None,
) -> float:
    """Seconds until the next poll."""
    base = base_interval(explicit, avg_gap, p)
    ceiling = max(p.max_interval, base)
    delay = min(ceiling, base * 2 ** min(errors, 16)) if errors else base
    if explicit is None:
        for floor in (hints.max_age, hints.ttl):
            if floor is not None:
                delay = max(delay, min(floor, ceiling))
    delay += (rnd or random).uniform(-JITTER, JITTER) * delay
    if hints.retry_after is not None:  # a hard floor: jitter must not undercut the server
        delay = max(delay, min(hints.retry_after, MAX_RETRY_AFTER))
    return max(1.0, delay)
