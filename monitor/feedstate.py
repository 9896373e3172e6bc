"""Per-feed polling state in Redis: validators for conditional GET and health counters."""

from __future__ import annotations

import time
from dataclasses import dataclass

import redis

from monitor import keys


@dataclass(frozen=True, slots=True)
class FeedState:
    etag: str | None = None
    last_modified: str | None = None
    last_success: float | None = None
    last_error: str | None = None
    last_error_at: float | None = None
    errors: int = 0  # consecutive
    polls: int = 0
    entries: int = 0  # new entries enqueued, all time


def _s(raw: dict[bytes, bytes], name: str) -> str | None:
    v = raw.get(name.encode())
    return v.decode("utf-8", "replace") if v is not None else None


def _f(raw: dict[bytes, bytes], name: str) -> float | None:
    v = _s(raw, name)
    return float(v) if v else None


def read_state(r: redis.Redis, feed_url: str) -> FeedState:
    raw: dict[bytes, bytes] = r.hgetall(keys.feed_state(feed_url))  # type: ignore[assignment]
    return FeedState(
        etag=_s(raw, "etag") or None,
        last_modified=_s(raw, "last_modified") or None,
        last_success=_f(raw, "last_success"),
        last_error=_s(raw, "last_error") or None,
        last_error_at=_f(raw, "last_error_at"),
        errors=int(_s(raw, "errors") or 0),
        polls=int(_s(raw, "polls") or 0),
        entries=int(_s(raw, "entries") or 0),
    )


def record_success(
    r: redis.Redis, feed_url: str, etag: str | None, last_modified: str | None, new_entries: int
) -> None:
    key = keys.feed_state(feed_url)
    with r.pipeline() as pipe:
        pipe.hset(
            key,
            mapping={
                "etag": etag or "",
                "last_modified": last_modified or "",
                "last_success": time.time(),
                "errors": 0,
            },
        )
        pipe.hincrby(key, "polls", 1)
        pipe.hincrby(key, "entries", new_entries)
        pipe.sadd(keys.feeds_known(), feed_url)
        pipe.execute()


def record_error(r: redis.Redis, feed_url: str, error: str) -> None:
    key = keys.feed_state(feed_url)
    with r.pipeline() as pipe:
        pipe.hset(key, mapping={"last_error": error[:500], "last_error_at": time.time()})
        pipe.hincrby(key, "errors", 1)
        pipe.hincrby(key, "polls", 1)
        pipe.execute()


def is_known(r: redis.Redis, feed_url: str) -> bool:
    return bool(r.sismember(keys.feeds_known(), feed_url))
