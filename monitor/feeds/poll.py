"""One poll of one feed: conditional GET, parse, enqueue what is new.

Errors never escape: a broken feed is recorded in its state with its URL and polled again
later (poller.py decides when and logs it), while every other feed goes on.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import httpx
import redis
from rq import Queue

from monitor.config import Config
from monitor.dedup import enqueue_entry_once, mark_seen, unseen
from monitor.errors import FetchError, NewsmonitorError
from monitor.feeds import state as feedstate
from monitor.feeds.entries import FeedItems
from monitor.feeds.fetch import FeedFetch, fetch_feed
from monitor.feeds.pacing import Hints, parse_max_age, parse_retry_after
from monitor.feeds.parse import read_feed
from monitor.feeds.state import FeedState
from monitor.models import Feed
from monitor.statuses import PollStatus

log = logging.getLogger("newsmonitor.poll")


@dataclass(frozen=True, slots=True)
class PollResult:
    feed: str
    status: PollStatus
    new: int = 0
    entries: int = 0
    error: str | None = None
    transport: bool = False  # the error was the network (no HTTP response at all)
    hints: Hints = field(default_factory=Hints)
    state: FeedState | None = None  # the feed's state after this poll (what paces the next)
    next_in: float | None = None  # seconds until the next poll, when the poller decided them


def _hints(fetched: FeedFetch, ttl_seconds: float | None, now: float) -> Hints:
    h = fetched.headers
    return Hints(
        max_age=parse_max_age(h.get("cache-control"), h.get("expires"), now),
        ttl=ttl_seconds,
    )


def _failed(exc: NewsmonitorError, feed: Feed, now: float) -> PollResult:
    status = exc.status if isinstance(exc, FetchError) else None
    retry_after = exc.retry_after if isinstance(exc, FetchError) else None
    return PollResult(
        feed.name,
        PollStatus.ERROR,
        error=str(exc),
        transport=isinstance(exc, FetchError) and status is None,
        hints=Hints(retry_after=parse_retry_after(retry_after, now)),
    )


def body_digest(body: bytes) -> str:
    """A body's identity: the same bytes as last time need no parsing (as Miniflux does)."""
    return hashlib.blake2b(body, digest_size=16).hexdigest()


# Adds the caller's own writes (the next poll's time, metrics) to the poll's one write; returns
# the seconds until the next poll, if it decided them.
Finish = Callable[[redis.client.Pipeline, PollResult], float | None]


@dataclass(frozen=True, slots=True)
class _Seen:
    """What a poll knew before it started: the feed's state, and whether it was polled before."""

    feed: Feed
    state: FeedState
    known: bool
    now: float


def poll_feed(
    r: redis.Redis,
    queue: Queue,
    client: httpx.Client,
    feed: Feed,
    cfg: Config,
    finish: Finish | None = None,
    prior: tuple[FeedState, bool] | None = None,
) -> PollResult:
    """One poll: a 304, or a body identical to the last one parsed, costs no parsing; a
    changed body is parsed once and only the entries not seen before are completed and
    enqueued. The state is read once before (unless the caller read it: ``prior``, the
    state and whether the feed was polled before) and written once after (with
    ``finish``'s writes), plus the enqueues."""
    state, known = prior if prior is not None else feedstate.read_poll_state(r, feed.url)
    seen = _Seen(feed, state, known, time.time())
    try:
        fetched = fetch_feed(client, feed, state.etag, state.last_modified, cfg.fetch)
        digest = body_digest(fetched.body) if fetched.status != 304 else None
        if digest is None or digest == state.body_hash:  # unchanged: no parsing at all
            hints = _hints(fetched, state.ttl, seen.now)
            result = PollResult(feed.name, PollStatus.UNCHANGED, hints=hints)
            return _saved(r, seen, result, fetched, None, finish)
        items = read_feed(fetched.body, feed, fetched.headers)
    except NewsmonitorError as exc:
        return _saved(r, seen, _failed(exc, feed, seen.now), None, None, finish)
    if items.bozo:
        log.info("feed %s is malformed but usable (%s)", feed.name, items.bozo)
    ttl = items.ttl_minutes * 60.0 if items.ttl_minutes else None
    hints = _hints(fetched, ttl, seen.now)
    mark = feedstate.BodyMark(digest, ttl)
    if not known and not feed.backfill:
        # A feed seen for the first time: its backlog is history, not news.
        n = mark_seen(r, items.keys, cfg.retention.lifetimes())
        log.info("feed %s added: %d existing entries marked seen (backfill off)", feed.name, n)
        result = PollResult(feed.name, PollStatus.BACKLOG, entries=len(items.keys), hints=hints)
        return _saved(r, seen, result, fetched, mark, finish)
    new = _enqueue_new(r, queue, items, cfg)
    if new:
        log.info("feed %s: %d new of %d entries", feed.name, new, len(items.keys))
    status = PollStatus.NEW if new else PollStatus.UNCHANGED
    result = PollResult(feed.name, status, new, len(items.keys), hints=hints)
    return _saved(r, seen, result, fetched, mark, finish)


def _saved(
    r: redis.Redis,
    seen: _Seen,
    result: PollResult,
    fetched: FeedFetch | None,
    mark: feedstate.BodyMark | None,
    finish: Finish | None,
) -> PollResult:
    """Write the poll's outcome (and ``finish``'s writes) in one round trip."""
    url = seen.feed.url
    with r.pipeline(transaction=False) as pipe:  # one feed, one poller: nothing to race
        if fetched is None:
            after = feedstate.add_error(pipe, url, result.error or "", seen.now, seen.state)
        else:
            etag, modified = fetched.etag, fetched.last_modified
            after = feedstate.add_success(
                pipe, url, etag, modified, result.new, seen.now, seen.state, mark, seen.known
            )
        result = replace(result, state=after)
        next_in = finish(pipe, result) if finish is not None else None
        pipe.execute()
    return replace(result, next_in=next_in)


def _enqueue_new(r: redis.Redis, queue: Queue, items: FeedItems, cfg: Config) -> int:
    """Enqueue the entries not seen before: one read finds them, and only they are completed
    (texts, dates) and go through the atomic check-and-enqueue."""
    life = cfg.retention.lifetimes()
    retries = cfg.fetch.page_retries
    return sum(
        enqueue_entry_once(r, queue, items.complete(i), cfg.job_timeout, life, retries)
        for i in unseen(r, items.keys)
    )
