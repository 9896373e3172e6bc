"""The poller: which feed is due, who polls it, and when it is due again.

The timetable lives in Redis (``nm:feeds:due``) so a standby daemon that takes over leadership
continues where the old one stopped, and ``newsmonitor feeds`` can show each feed's next poll.
Only the leader polls. Polls run in a pool of ``threads``, never two for one feed and at most
``per_host`` at once for one host.

A tick costs O(feeds it takes), never a scan of the timetable: one Lua call takes the feeds
that are due, oldest first and only as many as can start soon, and leases them (their time
moves CLAIM_LEASE ahead, so the next tick does not read them again, and a leader that dies
mid-poll leaves them to the next one within that lease). Taken feeds wait in a queue per host
in this process and start as soon as a thread and their host allow; each poll's own write
moves its feed to its next time. A dispatcher thread ticks when a poll ends and when the
earliest feed falls due (at least every second), so a free thread never idles while a feed
is due: the pool keeps up with its feeds as long as it has the CPU (threads, measured against
an async client in bench/polling.py; see the README).

When every recent poll failed with a network error across several feeds, that is one outage
(logged once, and once when it ends), not a screenful of broken feeds.
"""

from __future__ import annotations

import contextlib
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
from monitor.feedstate import FeedState
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
CLAIM_LEASE = 30.0  # a taken feed whose poll never reports is due again after this
MAX_WAIT = 1.0  # the dispatcher looks at the timetable at least this often
# Take the due feeds, oldest first, at most ARGV[3]; lease them until ARGV[2]. Returns them
# and the time the earliest feed left in the timetable is due.
_CLAIM = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, url in ipairs(due) do redis.call('ZADD', KEYS[1], 'XX', ARGV[2], url) end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {due, first[2] or false}
"""


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
        self._threads = cfg.polling.threads
        self._per_host = cfg.polling.per_host
        self._inflight: set[str] = set()
        self._hosts: Counter[str] = Counter()  # polls running per host
        self._waiting: dict[str, deque[Feed]] = {}  # taken, not started yet, per host
        self._waiting_urls: set[str] = set()
        self._prior: dict[str, tuple[FeedState, bool]] = {}  # states read when taken
        self._next_due = 0.0
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._claim = r.register_script(_CLAIM)
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
        if len(self._inflight) >= self._threads:
            return MAX_WAIT
        return min(MAX_WAIT, max(0.0, self._next_due - time.time()))

    def tick(self, now: float | None = None) -> int:
        """Start the polls that are due and can start; returns how many started."""
        if not self.leadership.is_leader or self._stopped:
            self._forget_waiting()
            return 0
        now = time.time() if now is None else now
        started = self._start_waiting()
        room = self._threads - len(self._inflight)
        if room > 0 and self._startable() < room:
            self._take_due(now, room + self._threads - self._startable())
            started += self._start_waiting()
        return started

    def _take_due(self, now: float, limit: int) -> None:
        taken, first = self._claim(keys=[keys.feeds_due()], args=[now, now + CLAIM_LEASE, limit])
        # Fewer than asked: nothing else is due before the earliest feed left.
        self._next_due = now if len(taken) == limit else float(first or now + MAX_WAIT)
        with self._lock:
            fresh = [
                feed
                for raw in taken
                if (feed := self.feeds.get(as_str(raw))) is not None
                and feed.url not in self._inflight
                and feed.url not in self._waiting_urls
            ]
        # Their states, in one round trip: only their own polls write them from now on.
        states = feedstate.read_poll_states(self.r, [f.url for f in fresh])
        with self._lock:
            for feed in fresh:
                if feed.url in self._inflight or feed.url in self._waiting_urls:
                    continue
                self._prior[feed.url] = states[feed.url]
                self._waiting.setdefault(host_of(feed.url), deque()).append(feed)
                self._waiting_urls.add(feed.url)

    def _startable(self) -> int:
        with self._lock:
            return sum(
                min(len(q), max(0, self._per_host - self._hosts[h]))
                for h, q in self._waiting.items()
            )

    def _start_waiting(self) -> int:
        """Start waiting feeds while threads and their hosts allow."""
        ready: list[Feed] = []
        with self._lock:
            for host in list(self._waiting):
                q = self._waiting[host]
                while q and self._has_room(host):
                    feed = q.popleft()
                    self._waiting_urls.discard(feed.url)
                    self._inflight.add(feed.url)
                    self._hosts[host] += 1
                    ready.append(feed)
                if not q:
                    del self._waiting[host]
        for feed in ready:
            future = self._pool.submit(self._poll, feed)
            with self._lock:
                self._running.add(future)
            future.add_done_callback(self._done)
        return len(ready)

    def _has_room(self, host: str) -> bool:
        return len(self._inflight) < self._threads and self._hosts[host] < self._per_host

    def _forget_waiting(self) -> list[str]:
        """Drop the taken feeds not started (not the leader, or stopping); their URLs."""
        with self._lock:
            urls = list(self._waiting_urls)
            self._waiting.clear()
            self._waiting_urls.clear()
            self._prior.clear()
        return urls

    def _done(self, future: Future[PollResult | None]) -> None:
        with self._lock:
            self._running.discard(future)

    def _release(self, feed: Feed) -> None:
        with self._lock:
            self._inflight.discard(feed.url)
            self._hosts[host_of(feed.url)] -= 1

    def _poll(self, feed: Feed) -> PollResult | None:
        with self._lock:
            prior = self._prior.pop(feed.url, None)
        try:
            result = poll_feed(
                self.r,
                self.queue,
                self.client,
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
            metrics.record_poll(self.r, "error")
            feedstate.schedule(self.r, feed.url, time.time() + self.pacing.default_interval)
            return None
        finally:
            self._release(feed)
            self._next()

    def _next(self) -> None:
        """A thread is free: start a waiting feed from here, and wake the dispatcher only
        when few are left waiting (it takes more from the timetable), not after every poll."""
        if self._stopped or not self.leadership.is_leader:
            return
        self._start_waiting()
        if self._next_due <= time.time() and self._startable() < max(1, self._threads // 2):
            self._wake.set()

    def _schedule(self, pipe: redis.client.Pipeline, feed: Feed, result: PollResult) -> float:
        """The next poll's time and the poll's metrics, in the poll's own write."""
        state = result.state or FeedState()
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
        if result.status == "error" and not self.outage.active:
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
        waiting = self._forget_waiting()
        if waiting:
            with contextlib.suppress(redis.RedisError, OSError):
                self.r.zadd(keys.feeds_due(), dict.fromkeys(waiting, time.time()), xx=True)

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the polls in flight; True if none is left.
        One stuck in a slow read is abandoned: its thread ends with the process."""
        with self._lock:
            running = set(self._running)
        return not wait(running, timeout).not_done

    def shutdown(self) -> None:
        self.stop()
        self.wait(timeout=60.0)
