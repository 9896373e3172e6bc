"""Which targets of a multi-target channel already took an alert, so a retry sends only the rest.

An apprise channel lists several URLs and delivers to each in turn. When Telegram is down and
Slack took the alert, the retry must not post to Slack again: the "sent" guard covers the
channel as a whole, so each target that accepted is noted here, under the delivery's sending
lock (workers/deliver.py), and kept as long as that guard.
"""

from __future__ import annotations

from typing import Protocol

import redis

from monitor import keys


class SentTargets(Protocol):
    def done(self, target: str) -> bool: ...

    def mark(self, target: str) -> None: ...


class MemoryTargets:
    """For sends outside the queue (``rules test --send``): remembered for one call only."""

    def __init__(self) -> None:
        self._done: set[str] = set()

    def done(self, target: str) -> bool:
        return target in self._done

    def mark(self, target: str) -> None:
        self._done.add(target)


class RedisTargets:
    """Targets noted in Redis, by digest: a key never holds a URL, which may hold a token."""

    def __init__(self, conn: redis.Redis, alert_id: str, channel: str, ttl: int) -> None:
        self._conn = conn
        self._key = keys.sent_targets(alert_id, channel)
        self._ttl = ttl

    def done(self, target: str) -> bool:
        return bool(self._conn.sismember(self._key, keys.content_hash(target)))

    def mark(self, target: str) -> None:
        with self._conn.pipeline() as pipe:
            pipe.sadd(self._key, keys.content_hash(target))
            pipe.expire(self._key, self._ttl)
            pipe.execute()
