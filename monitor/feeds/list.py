"""The feeds to poll: those in the config plus those added at run time (stored in Redis).

``newsmonitor feeds add`` and ``feeds import`` write to Redis so a running daemon picks them up
at its next reconcile, without a restart or a config edit. A feed in the config wins over an
added one with the same URL.
"""

from __future__ import annotations

import json

import redis

from monitor import keys
from monitor.config import Config
from monitor.models import Feed
from monitor.redisconn import as_str


def added_feeds(r: redis.Redis) -> list[Feed]:
    raw: dict[bytes, bytes] = r.hgetall(keys.feeds_added())  # type: ignore[assignment]
    return [Feed.from_dict(json.loads(as_str(v))) for _, v in sorted(raw.items())]


def add_feeds(r: redis.Redis, feeds: list[Feed]) -> int:
    """Store feeds; returns how many were new."""
    new = 0
    for f in feeds:
        new += int(r.hset(keys.feeds_added(), f.url, json.dumps(f.to_dict())))
    return new


def remove_feed(r: redis.Redis, url: str) -> bool:
    return bool(r.hdel(keys.feeds_added(), url))


def all_feeds(cfg: Config, r: redis.Redis) -> list[Feed]:
    configured = cfg.feed_list()
    urls = {f.url for f in configured}
    return configured + [f for f in added_feeds(r) if f.url not in urls]
