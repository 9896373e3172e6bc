"""Retention: everything that grows with the news is bounded in time.

Articles (with their events) and story keys carry TTLs when written; what a TTL cannot bound —
the article index, a sorted set — is trimmed here. Seen markers, delivery logs and dead letters
are bounded where they are written (TTLs and capped lists, see monitor/keys.py).
"""

from __future__ import annotations

import time

import redis

from monitor import keys


def trim(r: redis.Redis, retention_s: float, now: float | None = None) -> int:
    """Drop index entries older than the retention window; returns how many. (The alert
    indexes are also trimmed when written; this covers a system that stopped alerting.)"""
    now = time.time() if now is None else now
    dropped = 0
    for index in (keys.articles_index(), keys.alerts_index()):
        dropped += int(r.zremrangebyscore(index, 0, now - retention_s))
    return dropped
