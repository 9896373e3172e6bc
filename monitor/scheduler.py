"""APScheduler wiring: the daemon's clock.

Every job here is short and periodic: the poller's tick (which starts due polls in its own
pool), leadership renewal, the rules watcher, digests, the orphaned-job sweep and retention.
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
