"""The poller: which feed is due, who polls it, and when it is due again.

APScheduler ticks ``Poller.tick`` every second; the timetable itself lives in Redis
(``nm:feeds:due``) so a standby daemon that takes over leadership continues where the old one
stopped, and ``newsmonitor feeds`` can show each feed's next poll. Polls run in a thread pool,
never two for one feed and at most ``per_host`` at once for one host. Only the leader polls.

When every recent poll failed with a network error across several feeds, that is one outage
(logged once, and once when it ends), not a screenful of broken feeds.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor, wait

import httpx
import redis
from rq import Queue

from monitor import feedstate, keys, metrics
from monitor.config import Config
from monitor.leader import Leadership
from monitor.models import Feed
from monitor.outage import is_outage
from monitor.pacing import Pacing, next_delay
from monitor.poller import PollResult, poll_feed
from monitor.redisconn import as_str
from monitor.urls import host_of

log = logging.getLogger("newsmonitor.poll")

OUTAGE_MIN_FEEDS = 3
RECENT = 20


class Outage:
    """Tells a network outage from broken feeds: all recent polls failed in transport."""

    def __init__(self) -> None:
        self.recent: deque[tuple[str, bool]] = deque(maxlen=RECENT)  # (feed, transport failure)
        self.since: float | None = None

    def observe(self, result: PollResult, now: float) -> str | None:
        """A log line when an outage begins or ends, else None."""
        self.recent.append((result.feed, result.status == "error" and result.transport))
        failing = {f for f, bad in self.recent if bad}
        all_bad = all(bad for _, bad in self.recent)
        if self.since is None and all_bad and len(failing) >= OUTAGE_MIN_FEEDS:
            self.since = now
            n = len(self.recent)
            return f"network outage: the last {n} polls, of {len(failing)} feeds, all failed"
        if self.since is not None and result.status != "error":
            line = f"network back after {int(now - self.since)}s"
            self.since = None
            self.recent.clear()
            return line
        return None

    @property
    def active(self) -> bool:
        return self.since is not None


class Poller:
    def __init__(
        self,
        r: redis.Redis,
        cfg: Config,
        client: httpx.Client,
        queue: Queue,
        leadership: Leadership,
        on_result: Callable[[PollResult], None] | None = None,
    ) -> None:
        self.r, self.cfg, self.client, self.queue = r, cfg, client, queue
        self.leadership = leadership
        self.pacing = Pacing(
            cfg.polling.min_interval, cfg.polling.max_interval, cfg.polling.default_interval
        )
        self.on_result = on_result
        self.feeds: dict[str, Feed] = {}
        self.outage = Outage()
        self._inflight: set[str] = set()
        self._hosts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(cfg.polling.threads, thread_name_prefix="poll")
        self._running: set[Future[PollResult | None]] = set()
        self._stopped = False

    def set_feeds(self, feeds: Iterable[Feed]) -> None:
        """The feeds to poll; a new one is due now, a removed one leaves the timetable."""
        new = {f.url: f for f in feeds}
        gone = set(self.feeds) - set(new)
        with self.r.pipeline() as pipe:
            for url in new:
                pipe.zadd(keys.feeds_due(), {url: time.time()}, nx=True)
            if gone:
                pipe.zrem(keys.feeds_due(), *gone)
            pipe.execute()
        self.feeds = new

    def tick(self, now: float | None = None) -> int:
        """Start the polls that are due; returns how many started."""
        if not self.leadership.is_leader or self._stopped:
            return 0
        now = time.time() if now is None else now
        started = 0
        for raw in self.r.zrangebyscore(keys.feeds_due(), 0, now):
            feed = self.feeds.get(as_str(raw))
            if feed is not None and self._claim(feed, now):
                future = self._pool.submit(self._poll, feed)
                with self._lock:
                    self._running.add(future)
                future.add_done_callback(self._done)
                started += 1
        return started

    def _done(self, future: Future[PollResult | None]) -> None:
        with self._lock:
            self._running.discard(future)

    def _claim(self, feed: Feed, now: float) -> bool:
        host = host_of(feed.url)
        with self._lock:
            if feed.url in self._inflight or self._hosts[host] >= self.cfg.polling.per_host:
                return False
            # The due list was read before this claim: a poll that finished meanwhile has
            # moved the feed on (it reschedules before it leaves the in-flight set).
            due = self.r.zscore(keys.feeds_due(), feed.url)
            if due is None or due > now:
                return False
            self._inflight.add(feed.url)
            self._hosts[host] += 1
            return True

    def _release(self, feed: Feed) -> None:
        with self._lock:
            self._inflight.discard(feed.url)
            self._hosts[host_of(feed.url)] -= 1

    def _poll(self, feed: Feed) -> PollResult | None:
        try:
            result = poll_feed(self.r, self.queue, self.client, feed, self.cfg)
            self._after(feed, result)
            return result
        except Exception as exc:  # a poll must never kill its thread; the feed stays scheduled
            if is_outage(exc):  # Redis is away (logged once): the feed stays due
                return None
            log.exception("poll of %s crashed; retrying at the next interval", feed.url)
            metrics.record_poll(self.r, "error")
            feedstate.schedule(self.r, feed.url, time.time() + self.pacing.default_interval)
            return None
        finally:
            self._release(feed)

    def _after(self, feed: Feed, result: PollResult) -> None:
        now = time.time()
        state = feedstate.read_state(self.r, feed.url)
        delay = next_delay(feed.interval, state.avg_gap, state.errors, result.hints, self.pacing)
        feedstate.schedule(self.r, feed.url, now + delay)
        change = self.outage.observe(result, now)
        if change:
            log.warning(change)
            if not self.outage.active:
                self._poll_failing_now(now)
        if result.status == "error" and not self.outage.active:
            log.warning("feed %s failed (retry in %ds): %s", feed.name, delay, result.error)
        if self.on_result is not None:
            self.on_result(result)

    def _poll_failing_now(self, now: float) -> None:
        """After an outage every feed has backed off; the network is back, so poll them now."""
        failing = [u for u in self.feeds if feedstate.read_state(self.r, u).errors]
        if failing:
            self.r.zadd(keys.feeds_due(), dict.fromkeys(failing, now), xx=True)

    def stop(self) -> None:
        """No new polls; those in flight go on (see ``wait``)."""
        self._stopped = True
        self._pool.shutdown(wait=False, cancel_futures=True)

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the polls in flight; True if none is left.
        One stuck in a slow read is abandoned: its thread ends with the process."""
        with self._lock:
            running = set(self._running)
        return not wait(running, timeout).not_done

    def shutdown(self) -> None:
        self.stop()
        self.wait(timeout=60.0)
