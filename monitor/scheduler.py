"""APScheduler wiring: the daemon's clock.

Every job here is short and periodic (the list is ``housekeeping`` in monitor/daemon.py):
leadership renewal, the rules watcher, due retries, digests, the orphaned-job sweep, the feed
list's reconcile, retention and the silence check. Polling is not one of them: the Poller has
its own dispatcher thread and pool (monitor/feeds/poller.py).
``max_instances=1`` and ``coalesce=True`` mean a slow run is never doubled and missed runs
collapse into one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

Periodic = tuple[str, float, Callable[[], object]]


def build_scheduler(periodic: Sequence[Periodic]) -> BackgroundScheduler:
    """One interval job per (id, seconds, function)."""
    sched = BackgroundScheduler(
        executors={"default": ThreadPoolExecutor(max(4, len(periodic)))},
        job_defaults={"max_instances": 1, "coalesce": True, "misfire_grace_time": None},
        timezone=UTC,
    )
    for job_id, seconds, func in periodic:
        sched.add_job(func, "interval", seconds=seconds, id=job_id, name=job_id)
    return sched
