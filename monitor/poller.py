"""One poll of one feed: conditional GET, parse, enqueue what is new.

Errors never escape: a broken feed is recorded in its state with its URL and polled again
later (monitor/polling.py decides when and logs it), while every other feed goes on.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import httpx
import redis
from rq import Queue

from monitor import feedstate
from monitor.config import Config
from monitor.dedup import enqueue_entry_once, mark_seen
from monitor.errors import FetchError, NewsmonitorError
from monitor.feeds import FeedFetch, ParsedFeed, fetch_feed, parse_feed
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


def _hints(fetched: FeedFetch, parsed: ParsedFeed | None, now: float) -> Hints:
    h = fetched.headers
    return Hints(
        max_age=parse_max_age(h.get("cache-control"), h.get("expires"), now),
        ttl=parsed.ttl_minutes * 60.0 if parsed and parsed.ttl_minutes else None,
    )


def _failed(r: redis.Redis, feed: Feed, exc: NewsmonitorError, now: float) -> PollResult:
    feedstate.record_error(r, feed.url, str(exc), now)
    status = exc.status if isinstance(exc, FetchError) else None
    retry_after = exc.retry_after if isinstance(exc, FetchError) else None
    return PollResult(
        feed.name,
        "error",
        error=str(exc),
        transport=isinstance(exc, FetchError) and status is None,
        hints=Hints(retry_after=parse_retry_after(retry_after, now)),
    )


def poll_feed(
    r: redis.Redis,
    queue: Queue,
    client: httpx.Client,
    feed: Feed,
    cfg: Config,
) -> PollResult:
    now = time.time()
    life = cfg.retention.lifetimes()
    state = feedstate.read_state(r, feed.url)
    try:
        fetched = fetch_feed(client, feed, state.etag, state.last_modified, cfg.fetch)
        if fetched.status == 304:  # unchanged: no parsing at all
            feedstate.record_success(r, feed.url, fetched.etag, fetched.last_modified, 0, now)
            return PollResult(feed.name, "unchanged", hints=_hints(fetched, None, now))
        parsed = parse_feed(fetched.body, feed, fetched.headers)
    except NewsmonitorError as exc:
        return _failed(r, feed, exc, now)
    if parsed.bozo:
        log.info("feed %s is malformed but usable (%s)", feed.name, parsed.bozo)
    hints = _hints(fetched, parsed, now)
    if not feedstate.is_known(r, feed.url) and not feed.backfill:
        # A feed seen for the first time: its backlog is history, not news.
        n = mark_seen(r, parsed.entries, life)
        feedstate.record_success(r, feed.url, fetched.etag, fetched.last_modified, 0, now)
        log.info("feed %s added: %d existing entries marked seen (backfill off)", feed.name, n)
        return PollResult(feed.name, "backlog", entries=len(parsed.entries), hints=hints)
    retries = cfg.fetch.page_retries
    new = sum(
        enqueue_entry_once(r, queue, e, cfg.job_timeout, life, retries) for e in parsed.entries
    )
    feedstate.record_success(r, feed.url, fetched.etag, fetched.last_modified, new, now)
    if new:
        log.info("feed %s: %d new of %d entries", feed.name, new, len(parsed.entries))
    return PollResult(
        feed.name, "new" if new else "unchanged", new, len(parsed.entries), hints=hints
    )
