"""APScheduler wiring: one interval job per feed, plus the rules watcher.

``max_instances=1`` and ``coalesce=True`` mean a slow feed is never polled twice at once and a
backlog of missed runs collapses into one poll; jitter spreads feeds that share an interval.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import httpx
import redis
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from monitor import keys
from monitor.config import Config
from monitor.models import Feed
from monitor.poller import poll_feed
from workers.context import make_queue

log = logging.getLogger("newsmonitor.scheduler")

DEFAULT_INTERVAL = 300.0
MAX_POLL_THREADS = 16


def _jitter(interval: float) -> int:
    return int(min(30.0, interval / 10))


def build_scheduler(
    r: redis.Redis,
    cfg: Config,
    client: httpx.Client,
    periodic: Sequence[tuple[str, float, Callable[[], object]]] = (),
) -> BackgroundScheduler:
    """Poll jobs for every feed, plus ``periodic`` (id, seconds, function) housekeeping jobs."""
    queue = make_queue(keys.QUEUE_ENTRIES, r)
    feeds = cfg.feed_list()
    sched = BackgroundScheduler(
        executors={"default": ThreadPoolExecutor(max(1, min(MAX_POLL_THREADS, len(feeds))))},
        job_defaults={"max_instances": 1, "coalesce": True, "misfire_grace_time": None},
        timezone=UTC,
    )
    now = datetime.now(UTC)

    def poll(feed: Feed) -> None:
        poll_feed(r, queue, client, feed, cfg.fetch, cfg.job_timeout)

    for feed in feeds:
        interval = feed.interval or DEFAULT_INTERVAL
        sched.add_job(
            poll,
            "interval",
            args=(feed,),
            seconds=interval,
            jitter=_jitter(interval),
            next_run_time=now,
            id=f"poll:{feed.name}",
            name=f"poll {feed.name}",
        )
    for job_id, seconds, func in periodic:
        sched.add_job(func, "interval", seconds=seconds, id=job_id, name=job_id)
    return sched
