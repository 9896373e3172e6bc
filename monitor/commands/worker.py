"""``newsmonitor worker``: more workers, on this machine or any that reaches the same Redis.

Unlike the other commands it never starts an embedded Redis: a worker serves a daemon, so with
no REDIS_URL it needs the daemon's embedded server running in the data directory, and says so.
"""

from __future__ import annotations

import argparse
import logging
import os

from monitor import keys
from monitor.config import load_config
from monitor.daemon import export_config_path
from monitor.redisconn import open_redis
from monitor.workerpool import NewsWorkerPool

log = logging.getLogger("newsmonitor")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    p = sub.add_parser("worker", help="run workers for the entries and alerts queues")
    p.add_argument("--workers", type=int, default=None, help="worker processes (default: cores)")
    p.add_argument(
        "--queues",
        nargs="+",
        default=[keys.QUEUE_ENTRIES, keys.QUEUE_ALERTS],
        choices=[keys.QUEUE_ENTRIES, keys.QUEUE_ALERTS],
    )
    p.add_argument("--burst", action="store_true", help="exit when the queues are empty")
    p.set_defaults(func=cmd_worker)


def cmd_worker(args: argparse.Namespace) -> int:
    cfg = load_config(args.config)
    export_config_path(args.config)
    r, _ = open_redis(cfg, start_embedded=False)
    n = args.workers or cfg.workers or os.cpu_count() or 1
    log.info("newsmonitor worker: %d process(es) on %s", n, ", ".join(args.queues))
    pool = NewsWorkerPool(args.queues, r, n)
    pool.start(burst=args.burst, logging_level=logging.getLevelName(log.getEffectiveLevel()))
    return 0
