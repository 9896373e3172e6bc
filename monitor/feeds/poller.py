"""The poller: which feed is due, who polls it, and when it is due again.

The timetable lives in Redis (``nm:feeds:due``) so a standby daemon that takes over leadership
continues where the old one stopped, and ``newsmonitor feeds`` can show each feed's next poll.
Only the leader polls. Polls run in a pool of ``threads``, never two for one feed and at most
``per_host`` at once for one host.

A tick costs O(feeds it takes), never a scan of the timetable (monitor/feeds/timetable.py: taken
feeds are leased and wait in line per host). A dispatcher thread ticks when the earliest feed
falls due (at least every second) and when the line runs short; a poll that ends starts the
next feed in line itself. So a free thread never idles while a feed is due: the pool keeps up
with its feeds as long as it has the CPU (threads, measured against an async client in
bench/polling.py; see the README).

When every recent poll failed with a network error across several feeds, that is one outage
(logged once, and once when it ends; monitor/feeds/netoutage.py), not a screenful of broken
feeds.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor, wait

import httpx
import redis
from rq import Queue

from monitor import keys, metrics
from monitor.config import Config
from monitor.feeds import state as feedstate
from monitor.feeds.netoutage import NetworkOutage
from monitor.feeds.pacing import Pacing, next_delay
from monitor.feeds.poll import PollResult, poll_feed
from monitor.feeds.timetable import Claim, PollLine
from monitor.leader import Leadership
from monitor.models import Feed
from monitor.outage import is_outage
from monitor.statuses import PollStatus

log = logging.getLogger("newsmonitor.poll")

MAX_WAIT = 1.0  # the dispatcher looks at the timetable at least this often


class Poller:
    def __init__(
        self,
        r: redis.Redis,
        cfg: Config,
        client: httpx.Client,
        queue: Queue,
        leadership: Leadership,
        on_result: Callable[[PollResult], None] | None = None,
        client_factory: Callable[[], httpx.Client] | None = None,
    ) -> None:
        """``client_factory``: each poll thread gets a client of its own from it (one shared
        connection pool makes every request and response take its lock: measurable CPU with
        many threads); without it, polls share ``client``."""
        self.r, self.cfg, self.client, self.queue = r, cfg, client, queue
        self._client_factory = client_factory
        self._own = threading.local()
        self._clients: list[httpx.Client] = []
        self.leadership = leadership
        self.pacing = Pacing(
            cfg.polling.min_interval, cfg.polling.max_interval, cfg.polling.default_interval
        )
        self.on_result = on_result
        self.feeds: dict[str, Feed] = {}
        self.outage = NetworkOutage()
        self._threads = cfg.polling.threads
        self._line = PollLine(cfg.polling.threads, cfg.polling.per_host)
        self._next_due = 0.0
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._claim = Claim(r)
        self._pool = ThreadPoolExecutor(self._threads, thread_name_prefix="poll")
        self._running: set[Future[PollResult | None]] = set()
        self._stopped = False
        self._dispatcher: threading.Thread | None = None

    def set_feeds(self, feeds: Iterable[Feed]) -> None:
        """The feeds to poll; a new one is due now, a removed one leaves the timetable. Only
        changes are written, unless the timetable lost feeds (then all are put back)."""
        new = {f.url: f for f in feeds}
        gone = set(self.feeds) - set(new)
        added = [u for u in new if u not in self.feeds]
        if self.r.zcard(keys.feeds_due()) < len(self.feeds):
            added = list(new)  # the timetable lost feeds (a Redis without persistence)
        if not added and not gone:
            self.feeds = new
            return
        now = time.time()
        with self.r.pipeline() as pipe:
            if added:
                pipe.zadd(keys.feeds_due(), dict.fromkeys(added, now), nx=True)
            if gone:
                pipe.zrem(keys.feeds_due(), *gone)
            pipe.execute()
        self.feeds = new
        self._next_due = 0.0
        self._wake.set()

    def start(self) -> None:
        """Poll from now on, in a dispatcher thread (tick() polls once, for callers that
        drive it themselves)."""
        self._dispatcher = threading.Thread(
            target=self._dispatch, name="poll-dispatch", daemon=True
        )
        self._dispatcher.start()

    def _dispatch(self) -> None:
        while not self._stopped:
            try:
                self.tick()
            except Exception as exc:
                if not is_outage(exc):  # an outage is logged once elsewhere
                    log.exception("poll dispatch failed; trying again")
                self._wake.wait(MAX_WAIT)
            self._wake.wait(self._idle_for())
            self._wake.clear()

    def _idle_for(self) -> float:
        """How long the dispatcher may sleep unless a poll ends: until the earliest feed is
        due when a thread is free, else until a poll ends (at most MAX_WAIT either way)."""
        if self._line.running >= self._threads:
            return MAX_WAIT
        return min(MAX_WAIT, max(0.0, self._next_due - time.time()))

    def tick(self, now: float | None = None) -> int:
        """Start the polls that are due and can start; returns how many started."""
        if not self.leadership.is_leader or self._stopped:
            self._line.forget()
            return 0
        now = time.time() if now is None else now
        started = self._start_waiting()
        room = self._threads - self._line.running
        startable = self._line.startable()
        if room > 0 and startable < room:
            self._take_due(now, room + self._threads - startable)
            started += self._start_waiting()
        return started

    def _take_due(self, now: float, limit: int) -> None:
        urls, first = self._claim(now, limit)
        # Fewer than asked: nothing else is due before the earliest feed left.
        self._next_due = now if len(urls) == limit else (first or now + MAX_WAIT)
        fresh = self._line.new([f for u in urls if (f := self.feeds.get(u)) is not None])
        # Their states, in one round trip: only their own polls write them from now on.
        self._line.join(fresh, feedstate.read_poll_states(self.r, [f.url for f in fresh]))

    def _start_waiting(self) -> int:
        """Start the feeds in line while threads and their hosts allow."""
        ready = self._line.leave()
        for feed in ready:
            future = self._pool.submit(self._poll, feed)
            with self._lock:
                self._running.add(future)
            future.add_done_callback(self._done)
        return len(ready)

    def _done(self, future: Future[PollResult | None]) -> None:
        with self._lock:
            self._running.discard(future)

    def _poll(self, feed: Feed) -> PollResult | None:
        prior = self._line.prior(feed)
        try:
            result = poll_feed(
                self.r,
                self.queue,
                self._client(),
                feed,
                self.cfg,
                finish=lambda pipe, res: self._schedule(pipe, feed, res),
                prior=prior,
            )
            self._after(feed, result)
            return result
        except Exception as exc:  # a poll must never kill its thread; the feed stays scheduled
            if is_outage(exc):  # Redis is away (logged once): the lease makes it due again
                return None
            log.exception("poll of %s crashed; retrying at the next interval", feed.url)
            metrics.record_poll(self.r, PollStatus.ERROR)
            feedstate.schedule(self.r, feed.url, time.time() + self.pacing.default_interval)
            return None
        finally:
            self._line.done(feed)
            self._next()

    def _next(self) -> None:
        """A thread is free: start a waiting feed from here, and wake the dispatcher only
        when few are left waiting (it takes more from the timetable), not after every poll."""
        if self._stopped or not self.leadership.is_leader:
            return
        self._start_waiting()
        if self._next_due <= time.time() and self._line.startable() < max(1, self._threads // 2):
            self._wake.set()

    def _client(self) -> httpx.Client:
        if self._client_factory is None:
            return self.client
        client: httpx.Client | None = getattr(self._own, "client", None)
        if client is None:
            client = self._own.client = self._client_factory()
            with self._lock:
                self._clients.append(client)
        return client

    def _schedule(self, pipe: redis.client.Pipeline, feed: Feed, result: PollResult) -> float:
        """The next poll's time and the poll's metrics, in the poll's own write."""
        state = result.state or feedstate.FeedState()
        delay = next_delay(feed.interval, state.avg_gap, state.errors, result.hints, self.pacing)
        pipe.zadd(keys.feeds_due(), {feed.url: time.time() + delay}, xx=True)  # as schedule()
        metrics.add_poll(pipe, result.status, result.new)
        return delay

    def _after(self, feed: Feed, result: PollResult) -> None:
        now = time.time()
        delay = result.next_in or 0.0
        change = self.outage.observe(result, now)
        if change:
            log.warning(change)
            if not self.outage.active:
                self._poll_failing_now(now)
        if result.status is PollStatus.ERROR and not self.outage.active:
            log.warning("feed %s failed (retry in %ds): %s", feed.name, delay, result.error)
        if self.on_result is not None:
            self.on_result(result)

    def _poll_failing_now(self, now: float) -> None:
        """After an outage every feed has backed off; the network is back, so poll them now."""
        failing = [u for u in self.feeds if feedstate.read_state(self.r, u).errors]
        if failing:
            self.r.zadd(keys.feeds_due(), dict.fromkeys(failing, now), xx=True)
            self._next_due = 0.0

    def stop(self) -> None:
        """No new polls; those in flight go on (see ``wait``). Feeds taken but not started
        are due again at once, for whoever polls next."""
        self._stopped = True
        self._wake.set()
        self._pool.shutdown(wait=False, cancel_futures=True)
        waiting = self._line.forget()
        if waiting:
            with contextlib.suppress(redis.RedisError, OSError):
                self.r.zadd(keys.feeds_due(), dict.fromkeys(waiting, time.time()), xx=True)

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the polls in flight; True if none is left.
        One stuck in a slow read is abandoned: its thread ends with the process."""
        with self._lock:
            running = set(self._running)
        return not wait(running, timeout).not_done

    def close_clients(self) -> None:
        """Close the poll threads' own clients (after ``wait``)."""
        with self._lock:
            clients, self._clients = self._clients, []
        for client in clients:
            with contextlib.suppress(Exception):
                client.close()

    def shutdown(self) -> None:
        self.stop()
        self.wait(timeout=60.0)
        self.close_clients()
