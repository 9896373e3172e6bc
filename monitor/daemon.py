"""``newsmonitor run``: scheduler + rules watcher + in-process workers, and a clean stop.

Stop order matters and is the reason this module exists: stop polling, let every worker finish
its job, wait for polls in flight, and only then stop the embedded Redis they all talk to.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import redis

from monitor import keys, metrics
from monitor.config import Config
from monitor.console.app import console_routes
from monitor.errors import ConfigError
from monitor.feedlist import all_feeds
from monitor.health import HealthServer, start_health_server
from monitor.leader import Leadership
from monitor.polling import Poller
from monitor.redisconn import as_str, open_redis
from monitor.retention import trim
from monitor.rules.model import RuleSet
from monitor.rules.watch import RulesWatcher
from monitor.scheduler import Periodic, build_scheduler
from monitor.silence import check_silent_feeds
from monitor.sweep import requeue_orphans
from monitor.welcome import waiting_line
from monitor.workerpool import NewsWorkerPool
from workers.context import make_queue
from workers.digest import flush_due_digests
from workers.fetch import make_client

log = logging.getLogger("newsmonitor")


@dataclass(frozen=True)
class RunOptions:
    workers: int
    no_workers: bool = False
    config_path: str | None = None


def export_config_path(config_path: str | None) -> None:
    """Worker processes (spawned, or on other machines) load the same config file."""
    if config_path:
        os.environ["NEWSMONITOR_CONFIG"] = str(Path(config_path).resolve())
    else:
        os.environ.pop("NEWSMONITOR_CONFIG", None)


def run_daemon(cfg: Config, opts: RunOptions) -> int:
    export_config_path(opts.config_path)
    r, embedded = open_redis(cfg, start_embedded=True)
    try:
        leadership = Leadership(r)
        leadership.check()
        watcher = RulesWatcher(cfg.rules, cfg.channels.keys(), r)
        watcher.load_initial(publish=leadership.is_leader)
        client = make_client()
        poller = Poller(
            r,
            cfg,
            client,
            make_queue(keys.QUEUE_ENTRIES, r),
            leadership,
            on_result=lambda res: metrics.record_poll(r, res.status, res.new),
        )
        poller.set_feeds(all_feeds(cfg, r))
        health = _start_health(r, cfg)
        sched = build_scheduler(housekeeping(r, cfg, watcher, poller, leadership))
        log.info(
            "newsmonitor running: %d feed(s), %d rule(s), %d channel(s), %s workers, redis %s",
            len(poller.feeds),
            len(watcher.ruleset or ()),
            len(cfg.channels),
            "no" if opts.no_workers else opts.workers,
            "embedded" if embedded else "external",
        )
        known = {as_str(u) for u in r.smembers(keys.feeds_known())}
        log.info(waiting_line(list(poller.feeds.values()), len(watcher.ruleset or ()), known))
        sched.start()
        try:
            if opts.no_workers:
                _wait_for_signal()
            else:
                queues = [keys.QUEUE_ENTRIES, keys.QUEUE_ALERTS]
                pool = NewsWorkerPool(queues, r, opts.workers, on_stop=sched.pause)
                pool.start(logging_level=logging.getLevelName(log.getEffectiveLevel()))
        finally:
            sched.shutdown(wait=True)
            if health is not None:
                health.shutdown()
            poller.shutdown()
            leadership.release()
            client.close()
        log.info("stopped cleanly")
        return 0
    finally:
        r.close()
        if embedded is not None:
            embedded.stop()


RULES_CHECK_INTERVAL = 1.0  # an edited rule is live within about a second (promised: 2 s)
TICK_INTERVAL = 1.0
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
    rules, digests, retention) runs only on the leader; the orphan sweep is safe anywhere."""

    def leader_only(func: Callable[[], object]) -> Callable[[], object]:
        def run() -> object:
            return func() if leadership.is_leader else None

        return run

    def digests() -> int:
        return flush_due_digests(r, watcher.ruleset or RuleSet([]), cfg, time.time())

    def sweep() -> None:
        requeue_orphans(r, (keys.QUEUE_ENTRIES, keys.QUEUE_ALERTS))

    def silence() -> None:
        check_silent_feeds(r, watcher.ruleset or RuleSet([]), list(poller.feeds.values()), cfg)

    return [
        ("poll", TICK_INTERVAL, poller.tick),
        ("leader", LEADER_INTERVAL, leadership.check),
        ("rules", RULES_CHECK_INTERVAL, leader_only(watcher.check)),
        ("digests", DIGEST_INTERVAL, leader_only(digests)),
        ("sweep", SWEEP_INTERVAL, sweep),
        ("feeds", RECONCILE_INTERVAL, lambda: poller.set_feeds(all_feeds(cfg, r))),
        ("retention", RETENTION_INTERVAL, leader_only(lambda: trim(r, cfg.retention.articles))),
        ("silence", SILENCE_INTERVAL, leader_only(silence)),
    ]


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


def _wait_for_signal() -> None:
    stop = threading.Event()

    def handler(signum: int, frame: object) -> None:
        log.info("received %s, stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)
    while not stop.wait(1.0):
        pass
