"""Feeds taken from the timetable, in line for a thread: what a poller tick costs.

A tick never scans the timetable (``nm:feeds:due``). One Lua call (``Claim``) takes the feeds
that are due, oldest first and only as many as can start soon, and leases them: their time
moves CLAIM_LEASE ahead, so the next tick does not read them again, and a leader that dies
leaves them to the next one within that lease. Taken feeds wait here, one queue per host,
with the state read when they were taken, and leave the line when a thread and their host
allow (``threads`` polls at once, ``per_host`` on one host). A poll's own write moves its feed
to its next time.
"""

from __future__ import annotations

import threading
from collections import Counter, deque

import redis

from monitor import keys
from monitor.feeds.state import FeedState
from monitor.models import Feed
from monitor.redisconn import as_str
from monitor.urls import host_of

CLAIM_LEASE = 30.0  # a taken feed whose poll never reports is due again after this
# Take the due feeds, oldest first, at most ARGV[3]; lease them until ARGV[2]. Returns them
# and the time the earliest feed left in the timetable is due.
_CLAIM = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, url in ipairs(due) do redis.call('ZADD', KEYS[1], 'XX', ARGV[2], url) end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {due, first[2] or false}
"""

Prior = tuple[FeedState, bool]  # a feed's state when taken, and whether it was polled before


class Claim:
    """Takes due feeds from the timetable (one round trip, O(feeds taken))."""

    def __init__(self, r: redis.Redis) -> None:
        self._script = r.register_script(_CLAIM)

    def __call__(self, now: float, limit: int) -> tuple[list[str], float | None]:
        """Up to ``limit`` due feed URLs, leased; and when the earliest feed left is due."""
        taken, first = self._script(keys=[keys.feeds_due()], args=[now, now + CLAIM_LEASE, limit])
        return [as_str(u) for u in taken], float(first) if first is not None else None


class PollLine:
    """Taken feeds per host, and the polls running; thread-safe."""

    def __init__(self, threads: int, per_host: int) -> None:
        self.threads, self.per_host = threads, per_host
        self._lock = threading.Lock()
        self._inflight: set[str] = set()
        self._hosts: Counter[str] = Counter()  # polls running per host
        self._waiting: dict[str, deque[Feed]] = {}
        self._waiting_urls: set[str] = set()
        self._prior: dict[str, Prior] = {}

    @property
    def running(self) -> int:
        return len(self._inflight)

    def new(self, feeds: list[Feed]) -> list[Feed]:
        """Those of ``feeds`` neither in line nor being polled (a lease that ran out while a
        feed waited makes the timetable hand it out again)."""
        with self._lock:
            return [f for f in feeds if f.url not in self._inflight | self._waiting_urls]

    def join(self, feeds: list[Feed], priors: dict[str, Prior]) -> None:
        with self._lock:
            for feed in feeds:
                if feed.url in self._inflight or feed.url in self._waiting_urls:
                    continue
                self._prior[feed.url] = priors[feed.url]
                self._waiting.setdefault(host_of(feed.url), deque()).append(feed)
                self._waiting_urls.add(feed.url)

    def startable(self) -> int:
        """How many waiting feeds could start now."""
        with self._lock:
            return sum(
                min(len(q), max(0, self.per_host - self._hosts[h]))
                for h, q in self._waiting.items()
            )

    def leave(self) -> list[Feed]:
        """The waiting feeds that may start now, counted as running from here on."""
        ready: list[Feed] = []
        with self._lock:
            for host in list(self._waiting):
                q = self._waiting[host]
                while q and self._room(host):
                    feed = q.popleft()
                    self._waiting_urls.discard(feed.url)
                    self._inflight.add(feed.url)
                    self._hosts[host] += 1
                    ready.append(feed)
                if not q:
                    del self._waiting[host]
        return ready

    def _room(self, host: str) -> bool:
        return len(self._inflight) < self.threads and self._hosts[host] < self.per_host

    def prior(self, feed: Feed) -> Prior | None:
        with self._lock:
            return self._prior.pop(feed.url, None)

    def done(self, feed: Feed) -> None:
        with self._lock:
            self._inflight.discard(feed.url)
            self._hosts[host_of(feed.url)] -= 1

    def forget(self) -> list[str]:
        """Drop the waiting feeds (not the leader, or stopping); their URLs."""
        with self._lock:
            urls = list(self._waiting_urls)
            self._waiting.clear()
            self._waiting_urls.clear()
            self._prior.clear()
        return urls
