"""A network outage told from broken feeds: when every recent poll failed in transport across
several feeds, the poller logs one outage (and its end), not a screenful of broken feeds.
Redis outages are monitor/outage.py."""

from __future__ import annotations

from collections import deque

from monitor.feeds.poll import PollResult
from monitor.statuses import PollStatus

OUTAGE_MIN_FEEDS = 3
RECENT = 20


class NetworkOutage:
    """Tells a network outage from broken feeds: all recent polls failed in transport."""

    def __init__(self) -> None:
        self.recent: deque[tuple[str, bool]] = deque(maxlen=RECENT)  # (feed, transport failure)
        self.since: float | None = None

    def observe(self, result: PollResult, now: float) -> str | None:
        """A log line when an outage begins or ends, else None."""
        self.recent.append((result.feed, result.status is PollStatus.ERROR and result.transport))
        failing = {f for f, bad in self.recent if bad}
        all_bad = all(bad for _, bad in self.recent)
        if self.since is None and all_bad and len(failing) >= OUTAGE_MIN_FEEDS:
            self.since = now
            n = len(self.recent)
            return f"network outage: the last {n} polls, of {len(failing)} feeds, all failed"
        if self.since is not None and result.status is not PollStatus.ERROR:
            line = f"network back after {int(now - self.since)}s"
            self.since = None
            self.recent.clear()
            return line
        return None

    @property
    def active(self) -> bool:
        return self.since is not None
