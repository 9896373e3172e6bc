"""Per-feed polling state in Redis: validators for conditional GET, rhythm, and health.

One hash per feed. ``avg_gap`` (the running average time between new entries) drives both the
adaptive interval and the "silent" health state: a feed is silent when it has produced nothing
for SILENT_FACTOR times its usual gap.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import redis

from monitor import keys
from monitor.pacing import updated_gap
from monitor.redisconn import as_str

SILENT_FACTOR = 3.0
DAY = 86400.0


@dataclass(frozen=True, slots=True)
class FeedState:
    etag: str | None = None
    last_modified: str | None = None
    first_poll: float | None = None
    last_success: float | None = None
    last_error: str | None = None
    last_error_at: float | None = None
    errors: int = 0  # consecutive
    polls: int = 0
    entries: int = 0  # new entries enqueued, all time
    last_new_at: float | None = None
    avg_gap: float | None = None
    next_poll: float | None = None

    def health(self, now: float, factor: float = SILENT_FACTOR) -> str:
        """ok, failing (the last poll failed), silent (nothing new for long), or new."""
        if self.errors:
            return "failing"
        if self.last_success is None:
            return "new"
        if self.avg_gap and self.last_new_at and now - self.last_new_at > factor * self.avg_gap:
            return "silent"
        return "ok"

    def per_day(self, now: float) -> float | None:
        if self.avg_gap:
            return DAY / self.avg_gap
        if self.first_poll and now - self.first_poll > 3600:
            return self.entries * DAY / (now - self.first_poll)
        return None


def _s(raw: dict[bytes, bytes], name: str) -> str | None:
    v = raw.get(name.encode())
    return as_str(v) if v is not None else None


def _f(raw: dict[bytes, bytes], name: str) -> float | None:
    v = _s(raw, name)
    return float(v) if v else None


def read_state(r: redis.Redis, feed_url: str) -> FeedState:
    raw: dict[bytes, bytes] = r.hgetall(keys.feed_state(feed_url))  # type: ignore[assignment]
    due = r.zscore(keys.feeds_due(), feed_url)
    return FeedState(
        etag=_s(raw, "etag") or None,
        last_modified=_s(raw, "last_modified") or None,
        first_poll=_f(raw, "first_poll"),
        last_success=_f(raw, "last_success"),
        last_error=_s(raw, "last_error") or None,
        last_error_at=_f(raw, "last_error_at"),
        errors=int(_s(raw, "errors") or 0),
        polls=int(_s(raw, "polls") or 0),
        entries=int(_s(raw, "entries") or 0),
        last_new_at=_f(raw, "last_new_at"),
        avg_gap=_f(raw, "avg_gap"),
        next_poll=float(due) if due is not None else None,
    )


def record_success(
    r: redis.Redis,
    feed_url: str,
    etag: str | None,
    last_modified: str | None,
    new_entries: int,
    now: float | None = None,
) -> None:
    now = time.time() if now is None else now
    key = keys.feed_state(feed_url)
    # The rhythm needs the previous state only when something new came (most polls: nothing).
    state = read_state(r, feed_url) if new_entries else None
    with r.pipeline() as pipe:
        pipe.hset(
            key,
            mapping={
                "etag": etag or "",
                "last_modified": last_modified or "",
                "last_success": now,
                "errors": 0,
            },
        )
        if state is not None:
            since = state.last_new_at or state.first_poll
            gap = updated_gap(state.avg_gap, since, now, new_entries)
            pipe.hset(key, "last_new_at", now)
            if gap is not None:
                pipe.hset(key, "avg_gap", gap)
        pipe.hsetnx(key, "first_poll", now)
        pipe.hincrby(key, "polls", 1)
        pipe.hincrby(key, "entries", new_entries)
        pipe.sadd(keys.feeds_known(), feed_url)
        pipe.execute()


def record_error(r: redis.Redis, feed_url: str, error: str, now: float | None = None) -> None:
    now = time.time() if now is None else now
    key = keys.feed_state(feed_url)
    with r.pipeline() as pipe:
        pipe.hset(key, mapping={"last_error": error[:500], "last_error_at": now})
        pipe.hsetnx(key, "first_poll", now)
        pipe.hincrby(key, "errors", 1)
        pipe.hincrby(key, "polls", 1)
        pipe.execute()


def schedule(r: redis.Redis, feed_url: str, at: float) -> None:
    """Move a feed on in the timetable (``xx``: a feed removed meanwhile stays removed)."""
    r.zadd(keys.feeds_due(), {feed_url: at}, xx=True)


def is_known(r: redis.Redis, feed_url: str) -> bool:
    return bool(r.sismember(keys.feeds_known(), feed_url))
