"""One poll of one feed: conditional GET, parse, enqueue what is new.

Errors never escape: a broken feed is logged with its URL, recorded in its state, and polled
again at its next interval, while every other feed goes on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import httpx
import redis
from rq import Queue

from monitor import feedstate
from monitor.config import FetchConfig
from monitor.dedup import enqueue_entry_once, mark_seen
from monitor.errors import NewsmonitorError
from monitor.feeds import fetch_feed, parse_feed
from monitor.models import Feed

log = logging.getLogger("newsmonitor.poll")


@dataclass(frozen=True, slots=True)
class PollResult:
    feed: str
    status: str  # "new", "unchanged", "error", "backlog"
    new: int = 0
    entries: int = 0
    error: str | None = None


def poll_feed(
    r: redis.Redis,
    queue: Queue,
    client: httpx.Client,
    feed: Feed,
    cfg: FetchConfig,
    job_timeout: float,
) -> PollResult:
    state = feedstate.read_state(r, feed.url)
    try:
        fetched = fetch_feed(client, feed, state.etag, state.last_modified, cfg)
        if fetched.status == 304:
            feedstate.record_success(r, feed.url, state.etag, state.last_modified, 0)
            return PollResult(feed.name, "unchanged")
        parsed = parse_feed(fetched.body, feed, fetched.headers)
    except NewsmonitorError as exc:
        log.warning("feed %s failed: %s", feed.name, exc)
        feedstate.record_error(r, feed.url, str(exc))
        return PollResult(feed.name, "error", error=str(exc))
    if parsed.bozo:
        log.info("feed %s is malformed but usable (%s)", feed.name, parsed.bozo)
    if not feedstate.is_known(r, feed.url) and not feed.backfill:
        # A feed seen for the first time: its backlog is history, not news.
        n = mark_seen(r, parsed.entries)
        feedstate.record_success(r, feed.url, fetched.etag, fetched.last_modified, 0)
        log.info("feed %s added: %d existing entries marked seen (backfill off)", feed.name, n)
        return PollResult(feed.name, "backlog", entries=len(parsed.entries))
    new = sum(enqueue_entry_once(r, queue, e, job_timeout) for e in parsed.entries)
    feedstate.record_success(r, feed.url, fetched.etag, fetched.last_modified, new)
    if new:
        log.info("feed %s: %d new of %d entries", feed.name, new, len(parsed.entries))
    return PollResult(feed.name, "new" if new else "unchanged", new, len(parsed.entries))
