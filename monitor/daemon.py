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

import httpx
import redis

from monitor import keys
from monitor.config import Config
from monitor.redisconn import open_redis
from monitor.rules.model import RuleSet
from monitor.rules.watch import RulesWatcher
from monitor.scheduler import build_scheduler
from monitor.workerpool import NewsWorkerPool
from workers.digest import flush_due_digests

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
        watcher = RulesWatcher(cfg.rules, cfg.channels.keys(), r)
        watcher.load_initial()
        client = httpx.Client(follow_redirects=False)
        sched = build_scheduler(r, cfg, client, housekeeping(r, cfg, watcher))
        log.info(
            "newsmonitor running: %d feed(s), %d channel(s), %s workers, redis %s",
            len(cfg.feeds),
            len(cfg.channels),
            "no" if opts.no_workers else opts.workers,
            "embedded" if embedded else "external",
        )
        sched.start()
        try:
            if opts.no_workers:
                _wait_for_signal()
            else:
                pool = NewsWorkerPool(
                    [keys.QUEUE_ENTRIES, keys.QUEUE_ALERTS], r, opts.workers, on_stop=sched.pause
                )
                pool.start(logging_level=logging.getLevelName(log.getEffectiveLevel()))
        finally:
            sched.shutdown(wait=True)
            client.close()
        log.info("stopped cleanly")
        return 0
    finally:
        r.close()
        if embedded is not None:
            embedded.stop()


RULES_CHECK_INTERVAL = 1.0  # an edited rule is live within about a second (promised: 2 s)
DIGEST_CHECK_INTERVAL = 5.0


def housekeeping(
    r: redis.Redis, cfg: Config, watcher: RulesWatcher
) -> list[tuple[str, float, Callable[[], object]]]:
    def digests() -> int:
        return flush_due_digests(r, watcher.ruleset or RuleSet([]), cfg, time.time())

    return [
        ("rules", RULES_CHECK_INTERVAL, watcher.check),
        ("digests", DIGEST_CHECK_INTERVAL, digests),
    ]


def _wait_for_signal() -> None:
    stop = threading.Event()

    def handler(signum: int, frame: object) -> None:
        log.info("received %s, stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)
    while not stop.wait(1.0):
        pass
