"""One poll of one feed: conditional GET, parse, enqueue what is new.

Errors never escape: a broken feed is recorded in its state with its URL and polled again
later (monitor/polling.py decides when and logs it), while every other feed goes on.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, field

import httpx
import redis
from rq import Queue

from monitor import feedstate
from monitor.config import Config
from monitor.dedup import enqueue_entry_once, mark_seen, unseen
from monitor.errors import FetchError, NewsmonitorError
from monitor.feedentry import FeedItems
from monitor.feeds import FeedFetch, fetch_feed, read_feed
from monitor.feedstate import FeedState
from monitor.models import Feed
from monitor.pacing import Hints, parse_max_age, parse_retry_after

log = logging.getLogger("newsmonitor.poll")


@dataclass(frozen=True, slots=True)
class PollResult:
    feed: str
    status: str  # "new", "unchanged", "error", "backlog"
    new: int = 0
    entries: int = 0
    error: str | None = None
    transport: bool = False  # the error was the network (no HTTP response at all)
    hints: Hints = field(default_factory=Hints)
    state: FeedState | None = None  # the feed's state after this poll (what paces the next)


def _hints(fetched: FeedFetch, ttl_seconds: float | None, now: float) -> Hints:
    h = fetched.headers
    return Hints(
        max_age=parse_max_age(h.get("cache-control"), h.get("expires"), now),
        ttl=ttl_seconds,
    )


def _failed(
    r: redis.Redis, feed: Feed, exc: NewsmonitorError, now: float, state: FeedState
) -> PollResult:
    after = feedstate.record_error(r, feed.url, str(exc), now, state)
    status = exc.status if isinstance(exc, FetchError) else None
    retry_after = exc.retry_after if isinstance(exc, FetchError) else None
    return PollResult(
        feed.name,
        "error",
        error=str(exc),
        transport=isinstance(exc, FetchError) and status is None,
        hints=Hints(retry_after=parse_retry_after(retry_after, now)),
        state=after,
    )


def body_digest(body: bytes) -> str:
    """A body's identity: the same bytes as last time need no parsing (as Miniflux does)."""
    return hashlib.blake2b(body, digest_size=16).hexdigest()


def poll_feed(
    r: redis.Redis,
    queue: Queue,
    client: httpx.Client,
    feed: Feed,
    cfg: Config,
) -> PollResult:
    """One poll: a 304, or a body identical to the last one parsed, costs no parsing; a
    changed body is parsed once and only the entries not seen before are completed and
    enqueued. The state is read once before and written once after (plus the enqueues)."""
    now = time.time()
    state, known = feedstate.read_poll_state(r, feed.url)
    try:
        fetched = fetch_feed(client, feed, state.etag, state.last_modified, cfg.fetch)
        digest = body_digest(fetched.body) if fetched.status != 304 else None
        if digest is None or digest == state.body_hash:  # unchanged: no parsing at all
            after = feedstate.record_success(
                r, feed.url, fetched.etag, fetched.last_modified, 0, now, state
            )
            return PollResult(
                feed.name, "unchanged", hints=_hints(fetched, state.ttl, now), state=after
            )
        items = read_feed(fetched.body, feed, fetched.headers)
    except NewsmonitorError as exc:
        return _failed(r, feed, exc, now, state)
    if items.bozo:
        log.info("feed %s is malformed but usable (%s)", feed.name, items.bozo)
    ttl = items.ttl_minutes * 60.0 if items.ttl_minutes else None
    hints = _hints(fetched, ttl, now)
    mark = feedstate.BodyMark(digest, ttl)
    if not known and not feed.backfill:
        # A feed seen for the first time: its backlog is history, not news.
        n = mark_seen(r, items.keys, cfg.retention.lifetimes())
        after = feedstate.record_success(
            r, feed.url, fetched.etag, fetched.last_modified, 0, now, state, mark
        )
        log.info("feed %s added: %d existing entries marked seen (backfill off)", feed.name, n)
        return PollResult(feed.name, "backlog", entries=len(items.keys), hints=hints, state=after)
    new = _enqueue_new(r, queue, items, cfg)
    after = feedstate.record_success(
        r, feed.url, fetched.etag, fetched.last_modified, new, now, state, mark
    )
    if new:
        log.info("feed %s: %d new of %d entries", feed.name, new, len(items.keys))
    status = "new" if new else "unchanged"
    return PollResult(feed.name, status, new, len(items.keys), hints=hints, state=after)


def _enqueue_new(r: redis.Redis, queue: Queue, items: FeedItems, cfg: Config) -> int:
    """Enqueue the entries not seen before: one read finds them, and only they are completed
    (texts, dates) and go through the atomic check-and-enqueue."""
    life = cfg.retention.lifetimes()
    retries = cfg.fetch.page_retries
    return sum(
        enqueue_entry_once(r, queue, items.complete(i), cfg.job_timeout, life, retries)
        for i in unseen(r, items.keys)
    )
