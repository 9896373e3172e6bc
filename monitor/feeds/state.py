"""Per-feed polling state in Redis: validators for conditional GET, rhythm, and health.

One hash per feed. ``avg_gap`` (the running average time between new entries) drives both the
adaptive interval and the "silent" health state: a feed is silent when it has produced nothing
for SILENT_FACTOR times its usual gap.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import redis

from monitor import keys
from monitor.feeds.pacing import updated_gap
from monitor.redisconn import as_str
from monitor.statuses import FeedHealth

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
    body_hash: str | None = None  # of the last body parsed whole: the same bytes need no parse
    ttl: float | None = None  # seconds, the RSS <ttl> of that body (a pacing hint)

    def health(self, now: float, factor: float = SILENT_FACTOR) -> FeedHealth:
        """ok, failing (the last poll failed), silent (nothing new for long), or new."""
        if self.errors:
            return FeedHealth.FAILING
        if self.last_success is None:
            return FeedHealth.NEW
        if self.avg_gap and self.last_new_at and now - self.last_new_at > factor * self.avg_gap:
            return FeedHealth.SILENT
        return FeedHealth.OK

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
    return _state(raw, due)


def read_poll_state(r: redis.Redis, feed_url: str) -> tuple[FeedState, bool]:
    """What a poll needs before it starts, in one round trip: the state and whether the feed
    was polled before (``next_poll`` is left out: the poll itself decides it)."""
    with r.pipeline(transaction=False) as pipe:
        pipe.hgetall(keys.feed_state(feed_url))
        pipe.sismember(keys.feeds_known(), feed_url)
        raw, known = pipe.execute()
    return _state(raw, None), bool(known)


def read_poll_states(r: redis.Redis, feed_urls: list[str]) -> dict[str, tuple[FeedState, bool]]:
    """``read_poll_state`` for many feeds in one round trip (the poller reads the feeds it
    takes from the timetable together)."""
    if not feed_urls:
        return {}
    with r.pipeline(transaction=False) as pipe:
        for url in feed_urls:
            pipe.hgetall(keys.feed_state(url))
            pipe.sismember(keys.feeds_known(), url)
        got = pipe.execute()
    return {
        url: (_state(got[2 * i], None), bool(got[2 * i + 1])) for i, url in enumerate(feed_urls)
    }


def _state(raw: dict[bytes, bytes], due: float | None) -> FeedState:
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
        body_hash=_s(raw, "body_hash") or None,
        ttl=_f(raw, "ttl"),
    )


def record_success(
    r: redis.Redis,
    feed_url: str,
    etag: str | None,
    last_modified: str | None,
    new_entries: int,
    now: float | None = None,
    state: FeedState | None = None,
    body: BodyMark | None = None,
) -> FeedState:
    """Store a successful poll; returns the state after it (``state``: the one read before
    the poll, so it need not be read again)."""
    now = time.time() if now is None else now
    if state is None:  # the counters and the rhythm go on from it
        state = read_state(r, feed_url)
    with r.pipeline() as pipe:
        after = add_success(pipe, feed_url, etag, last_modified, new_entries, now, state, body)
        pipe.execute()
    return after


@dataclass(frozen=True, slots=True)
class BodyMark:
    """The hash of a body that was parsed whole, and the <ttl> it carried."""

    digest: str
    ttl: float | None


def add_success(
    pipe: redis.client.Pipeline,
    feed_url: str,
    etag: str | None,
    last_modified: str | None,
    new_entries: int,
    now: float,
    state: FeedState | None,
    body: BodyMark | None = None,
    known: bool = False,
) -> FeedState:
    """Queue the writes of a successful poll on ``pipe``; returns the state after it.
    (``known``: the feed is in the set of feeds polled before, and ``state`` is its state.)"""
    key = keys.feed_state(feed_url)
    before = state or FeedState()
    pipe.hset(
        key,
        mapping={
            "etag": etag or "",
            "last_modified": last_modified or "",
            "last_success": now,
            "errors": 0,
        },
    )
    if body is not None:
        ttl = body.ttl if body.ttl is not None else ""
        pipe.hset(key, mapping={"body_hash": body.digest, "ttl": ttl})
    gap, last_new = before.avg_gap, before.last_new_at
    if new_entries:
        gap = updated_gap(before.avg_gap, before.last_new_at or before.first_poll, now, new_entries)
        last_new = now
        pipe.hset(key, "last_new_at", now)
        if gap is not None:
            pipe.hset(key, "avg_gap", gap)
    if before.first_poll is None:
        pipe.hsetnx(key, "first_poll", now)
    pipe.hincrby(key, "polls", 1)
    if new_entries:
        pipe.hincrby(key, "entries", new_entries)
    if not known:
        pipe.sadd(keys.feeds_known(), feed_url)
    return replace(
        before,
        etag=etag,
        last_modified=last_modified,
        first_poll=before.first_poll or now,
        last_success=now,
        errors=0,
        polls=before.polls + 1,
        entries=before.entries + new_entries,
        last_new_at=last_new,
        avg_gap=gap,
        body_hash=body.digest if body else before.body_hash,
        ttl=body.ttl if body else before.ttl,
    )


def record_error(
    r: redis.Redis,
    feed_url: str,
    error: str,
    now: float | None = None,
    state: FeedState | None = None,
) -> FeedState:
    """Store a failed poll; returns the state after it (``errors`` counted from ``state``,
    the one read before the poll, or read now)."""
    now = time.time() if now is None else now
    before = state if state is not None else read_state(r, feed_url)
    with r.pipeline() as pipe:
        after = add_error(pipe, feed_url, error, now, before)
        pipe.execute()
    return after


def add_error(
    pipe: redis.client.Pipeline, feed_url: str, error: str, now: float, before: FeedState
) -> FeedState:
    """Queue the writes of a failed poll on ``pipe``; returns the state after it."""
    key = keys.feed_state(feed_url)
    pipe.hset(key, mapping={"last_error": error[:500], "last_error_at": now})
    pipe.hsetnx(key, "first_poll", now)
    pipe.hincrby(key, "errors", 1)
    pipe.hincrby(key, "polls", 1)
    return replace(
        before,
        last_error=error[:500],
        last_error_at=now,
        first_poll=before.first_poll or now,
        errors=before.errors + 1,
        polls=before.polls + 1,
    )


def schedule(r: redis.Redis, feed_url: str, at: float) -> None:
    """Move a feed on in the timetable (``xx``: a feed removed meanwhile stays removed)."""
    r.zadd(keys.feeds_due(), {feed_url: at}, xx=True)


def is_known(r: redis.Redis, feed_url: str) -> bool:
    return bool(r.sismember(keys.feeds_known(), feed_url))
