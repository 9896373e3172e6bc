"""``newsmonitor run``: scheduler + rules watcher + worker processes, and a stop that always ends.

Stop order matters and is the reason this module exists: stop polling, give running jobs their
grace (``shutdown_grace``), kill the workers still busy then and requeue their jobs, wait a
moment for polls in flight, and only then stop the embedded Redis they all talk to. Every step
is bounded; the whole stop ends within shutdown_grace + 5 s, a second signal cuts the grace,
and a signal during start-up unwinds whatever had started (exit 130). See monitor/stopping.py.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
import redis
from apscheduler.schedulers.background import BackgroundScheduler

from monitor import keys
from monitor.claims import by_priority
from monitor.config import Config
from monitor.console.app import console_routes
from monitor.digests import flush_due_digests
from monitor.embedded_redis import EmbeddedRedis
from monitor.errors import ConfigError
from monitor.feedlist import all_feeds
from monitor.health import HealthServer, start_health_server
from monitor.leader import Leadership
from monitor.outage import is_outage
from monitor.polling import Poller
from monitor.producers import make_queue
from monitor.redisconn import as_str, connect_once, open_redis
from monitor.retention import trim
from monitor.retries import DueRetries
from monitor.rules.compiled import RuleSet
from monitor.rules.watch import RulesWatcher
from monitor.scheduler import Periodic, build_scheduler
from monitor.silence import check_silent_feeds
from monitor.stopping import INTERRUPTED, Deadline, StartupInterrupted, StopSignals
from monitor.supervisor import WorkerSpec, WorkerSupervisor
from monitor.sweep import forget_workers, sweep
from monitor.welcome import waiting_line
from workers.fetch import make_client

log = logging.getLogger("newsmonitor")

QUEUES = tuple(by_priority((keys.QUEUE_ENTRIES, keys.QUEUE_ALERTS)))
SUPERVISE_INTERVAL = 0.2  # how soon a dead worker is noticed, its job requeued, it respawned
# What the stop may take beyond the grace: killing workers, requeueing their jobs, polls,
# the health server and the embedded Redis. Together within the promised grace + 5 s.
STOP_SLACK = 1.0
REDIS_STOP_TIMEOUT = 2.0


@dataclass(frozen=True)
class RunOptions:
    workers: int
    no_workers: bool = False
    config_path: str | None = None
    log_level: str = "INFO"
    log_format: str = "text"


def export_config_path(config_path: str | None) -> None:
    """Worker processes (spawned, or on other machines) load the same config file."""
    if config_path:
        os.environ["NEWSMONITOR_CONFIG"] = str(Path(config_path).resolve())
    else:
        os.environ.pop("NEWSMONITOR_CONFIG", None)


def run_daemon(cfg: Config, opts: RunOptions) -> int:
    export_config_path(opts.config_path)
    signals = StopSignals().install()
    daemon = Daemon(cfg, opts, signals)
    code = 0
    try:
        daemon.start()
        signals.started()
        daemon.supervise()
    except StartupInterrupted:
        code = INTERRUPTED
    finally:
        signals.started()  # a signal during the stop cuts it short, never interrupts it
        daemon.stop()
    return code


class Daemon:
    """What one ``newsmonitor run`` started, so that a stop (or an interrupted start) stops
    exactly that, in order."""

    def __init__(self, cfg: Config, opts: RunOptions, signals: StopSignals) -> None:
        self.cfg, self.opts, self.signals = cfg, opts, signals
        self.r: redis.Redis | None = None
        self.embedded: EmbeddedRedis | None = None
        self.redis_url = cfg.redis_url or ""
        self.leadership: Leadership | None = None
        self.http: httpx.Client | None = None
        self.poller: Poller | None = None
        self.health: HealthServer | None = None
        self.sched: BackgroundScheduler | None = None
        self.supervisor: WorkerSupervisor | None = None

    def start(self) -> None:
        cfg = self.cfg
        r, self.embedded = open_redis(cfg, start_embedded=True)
        self.r = r
        self.redis_url = cfg.redis_url or (self.embedded.url if self.embedded else "")
        self.leadership = leadership = Leadership(r)
        leadership.check()
        watcher = RulesWatcher(cfg.rules, cfg.channels.keys(), r)
        watcher.load_initial(publish=leadership.is_leader)
        self.http = make_client()
        self.poller = poller = Poller(
            r, cfg, self.http, make_queue(keys.QUEUE_ENTRIES, r), leadership, None, make_client
        )  # it counts its polls in the metrics itself; each poll thread has its own client
        poller.set_feeds(all_feeds(cfg, r))
        poller.start()
        self.health = _start_health(r, cfg)
        self.sched = build_scheduler(housekeeping(r, cfg, watcher, poller, leadership))
        self.sched.start()
        if not self.opts.no_workers:
            spec = WorkerSpec(QUEUES, self.redis_url, self.opts.log_level, self.opts.log_format)
            self.supervisor = WorkerSupervisor(spec, self.opts.workers, self._requeue_jobs_of)
            self.supervisor.start()
        log.info(
            "newsmonitor running: %d feed(s), %d rule(s), %d channel(s), %s workers, redis %s",
            len(poller.feeds),
            len(watcher.ruleset or ()),
            len(cfg.channels),
            "no" if self.opts.no_workers else self.opts.workers,
            "embedded" if self.embedded else "external",
        )
        known = {as_str(u) for u in r.smembers(keys.feeds_known())}
        log.info(waiting_line(list(poller.feeds.values()), len(watcher.ruleset or ()), known))

    def supervise(self) -> None:
        """Until a stop signal: reap, report and respawn workers (from this, the main thread:
        see monitor/lifeline.py)."""
        while not self.signals.stop.wait(SUPERVISE_INTERVAL):
            if self.supervisor is not None:
                self.supervisor.check()

    def _requeue_jobs_of(self, names: Sequence[str], r: redis.Redis | None = None) -> int:
        """Requeue the jobs of workers known dead; the count. A Redis outage leaves them to
        the sweep (after it, or at the next start)."""
        r = r if r is not None else self.r
        if r is None or not names:
            return 0
        try:
            forget_workers(r, names, QUEUES)
            return len(sweep(r, QUEUES, after_restart=False))
        except (redis.RedisError, OSError) as exc:
            log.warning("jobs of dead workers not requeued now (%s); the sweep will", exc)
            return 0

    def stop(self) -> None:
        if self.r is None:
            return  # nothing started (open_redis stops a server it started and then failed)
        grace = self.cfg.shutdown_grace
        deadline = Deadline(grace + STOP_SLACK)
        if self.sched is not None and self.sched.running:
            self.sched.shutdown(wait=False)
        if self.poller is not None:
            self.poller.stop()
        # The HTTP server (health, console) may give open connections a few seconds: it stops
        # alongside the workers' grace, not after it.
        http_stop = threading.Thread(target=self._stop_http, name="http-stop", daemon=True)
        http_stop.start()
        log.info("stopping: polling stopped; running jobs get up to %.0fs", grace)
        requeued = 0
        with self._stop_client() as quick:
            if self.supervisor is not None:
                killed = self.supervisor.stop(grace, self.signals.force)
                requeued = self._requeue_jobs_of(killed, quick)
            if self.poller is not None:
                self.poller.wait(0 if self.signals.force.is_set() else deadline.left())
            http_stop.join(deadline.left(floor=0.5))
            if self.leadership is not None:
                self.leadership.release(quick)
        self._close()
        log.info("stopped%s", f"; {requeued} job(s) requeued" if requeued else "")

    def _stop_http(self) -> None:
        if self.health is not None:
            self.health.shutdown()

    @contextlib.contextmanager
    def _stop_client(self) -> Iterator[redis.Redis | None]:
        """A client for the stop's own Redis calls, which must not wait out an outage."""
        client = connect_once(self.redis_url) if self.redis_url else None
        try:
            yield client
        finally:
            if client is not None:
                client.close()

    def _close(self) -> None:
        if self.poller is not None:
            self.poller.close_clients()
        if self.http is not None:
            self.http.close()
        if self.r is not None:
            with contextlib.suppress(redis.RedisError):
                self.r.close()
        if self.embedded is not None:
            self.embedded.stop(REDIS_STOP_TIMEOUT)


RULES_CHECK_INTERVAL = 1.0  # an edited rule is live within about a second (promised: 2 s)
RETRY_INTERVAL = 1.0
LEADER_INTERVAL = 5.0
DIGEST_INTERVAL = 5.0
SWEEP_INTERVAL = 10.0
RECONCILE_INTERVAL = 10.0
RETENTION_INTERVAL = 3600.0
SILENCE_INTERVAL = 60.0


def housekeeping(
    r: redis.Redis, cfg: Config, watcher: RulesWatcher, poller: Poller, leadership: Leadership
) -> list[Periodic]:
    """The daemon's periodic jobs. Work that must happen once per Redis (polling, publishing
    rules, retries, digests, retention) runs only on the leader; the orphan sweep is safe
    anywhere. A Redis outage skips a tick quietly (monitor/outage.py logs it once)."""

    def leader_only(func: Callable[[], object]) -> Callable[[], object]:
        def run() -> object:
            return func() if leadership.is_leader else None

        return run

    def digests() -> int:
        return flush_due_digests(r, watcher.ruleset or RuleSet([]), cfg, time.time())

    def silence() -> None:
        check_silent_feeds(r, watcher.ruleset or RuleSet([]), list(poller.feeds.values()), cfg)

    jobs: list[Periodic] = [
        ("leader", LEADER_INTERVAL, leadership.check),
        ("rules", RULES_CHECK_INTERVAL, leader_only(watcher.check)),
        ("retries", RETRY_INTERVAL, leader_only(DueRetries(r, QUEUES))),
        ("digests", DIGEST_INTERVAL, leader_only(digests)),
        ("sweep", SWEEP_INTERVAL, lambda: sweep(r, QUEUES)),
        ("feeds", RECONCILE_INTERVAL, lambda: poller.set_feeds(all_feeds(cfg, r))),
        ("retention", RETENTION_INTERVAL, leader_only(lambda: trim(r, cfg.retention.articles))),
        ("silence", SILENCE_INTERVAL, leader_only(silence)),
    ]
    return [(name, seconds, _quiet_in_outage(func)) for name, seconds, func in jobs]


def _quiet_in_outage(func: Callable[[], object]) -> Callable[[], object]:
    """Skip this tick when Redis is unreachable (the outage is logged once, not per job per
    second); any other error propagates, and APScheduler logs it with its traceback."""

    def run() -> object:
        try:
            return func()
        except Exception as exc:
            if is_outage(exc):
                return None
            raise

    return run


def _start_health(r: redis.Redis, cfg: Config) -> HealthServer | None:
    """/healthz, /metrics and the console; a port in use is logged, not fatal (a second daemon
    on one machine, e.g. a standby, must still run)."""
    if not cfg.health.enabled:
        return None
    routes = console_routes(r, cfg, cfg.health.host) if cfg.console.enabled else []
    try:
        server = start_health_server(r, cfg.health.host, cfg.health.port, routes)
    except ConfigError as exc:
        log.error("%s; running without /healthz, /metrics and the console", exc)
        return None
    if cfg.console.enabled:
        log.info("console on %s/", server.url)
    return server
