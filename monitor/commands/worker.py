"""``newsmonitor worker``: more workers, on this machine or any that reaches the same Redis.

Unlike the other commands it never starts an embedded Redis: a worker serves a daemon, so with
no REDIS_URL it needs the daemon's embedded server running in the data directory, and says so.
It stops like the daemon (monitor/daemon.py): the first SIGINT/SIGTERM gives running jobs
``shutdown_grace``, then kills the workers still busy and requeues their jobs; a second stops
at once.
"""

from __future__ import annotations

import argparse
import logging
import os
from collections.abc import Sequence

import redis

from monitor import keys
from monitor.claims import by_priority
from monitor.config import load_config
from monitor.daemon import export_config_path
from monitor.redisconn import connect_once, open_redis
from monitor.stopping import INTERRUPTED, StartupInterrupted, StopSignals, exit_bounded
from monitor.supervisor import WorkerSpec, WorkerSupervisor
from monitor.sweep import forget_workers, sweep

log = logging.getLogger("newsmonitor")

SUPERVISE_INTERVAL = 0.2


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    p = sub.add_parser("worker", help="run workers for the entries and alerts queues")
    p.add_argument("--workers", type=int, default=None, help="worker processes (default: cores)")
    p.add_argument(
        "--queues",
        nargs="+",
        default=[keys.QUEUE_ENTRIES, keys.QUEUE_ALERTS],
        choices=[keys.QUEUE_ENTRIES, keys.QUEUE_ALERTS],
        help="queues to serve; alerts are always served first",
    )
    p.add_argument("--burst", action="store_true", help="exit when the queues are empty")
    p.set_defaults(func=cmd_worker)


def cmd_worker(args: argparse.Namespace) -> int:
    cfg = load_config(args.config)
    export_config_path(args.config)
    signals = StopSignals().install()
    queues = tuple(by_priority(dict.fromkeys(args.queues)))
    supervisor: WorkerSupervisor | None = None
    url = ""
    code = 0
    try:
        r, embedded = open_redis(cfg, start_embedded=False)
        url = cfg.redis_url or (embedded.url if embedded else "")
        n = args.workers or cfg.workers or os.cpu_count() or 1
        spec = WorkerSpec(queues, url, args.log_level, args.log_format, burst=args.burst)

        def requeue(names: Sequence[str]) -> None:
            _requeue(url, names, queues)

        supervisor = WorkerSupervisor(spec, n, requeue)
        supervisor.start()
        log.info("newsmonitor worker: %d process(es) on %s", n, ", ".join(queues))
        signals.started()
        while not signals.stop.wait(SUPERVISE_INTERVAL) and supervisor.check():
            pass
        r.close()
    except StartupInterrupted:
        code = INTERRUPTED
    finally:
        signals.started()
        if supervisor is not None:
            killed = supervisor.stop(cfg.shutdown_grace, signals.force)
            _requeue(url, killed, queues)
    return exit_bounded(code)


def _requeue(url: str, names: Sequence[str], queues: tuple[str, ...]) -> None:
    """Requeue the jobs of workers that died or were killed, now rather than after their
    liveness keys lapse; a Redis that does not answer leaves them to the daemon's sweep."""
    if not names or not url:
        return
    r = connect_once(url)
    try:
        forget_workers(r, names, queues)
        moved = sweep(r, queues, after_restart=False)
        if moved:
            log.info("requeued %d job(s) of stopped workers", len(moved))
    except (redis.RedisError, OSError) as exc:
        log.warning("jobs of stopped workers not requeued now (%s); the sweep will", exc)
    finally:
        r.close()
