"""Moving retries whose time has come back into their queues, from the daemon's leader.

A failed try with a backoff is parked in RQ's ScheduledJobRegistry until its time. RQ moves
them from a scheduler process that a worker forks when it holds a lock: that child outlives a
SIGKILLed worker, dies on a Redis error, and leaves its lock to block the others for a minute.
The daemon already elects one leader per Redis (monitor/leader.py) and ticks every second, so
the leader does it, with RQ's own code for the move.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import redis
from rq.scheduler import RQScheduler
from rq.serializers import JSONSerializer


class DueRetries:
    """Enqueue the scheduled jobs of ``queue_names`` that are due (call it every second)."""

    def __init__(self, r: redis.Redis, queue_names: Sequence[str]) -> None:
        # The level as monitor/logs.py set it (RQ would set its own, INFO).
        level = logging.getLogger("rq.scheduler").getEffectiveLevel()
        self._scheduler = RQScheduler(
            list(queue_names), connection=r, serializer=JSONSerializer, logging_level=level
        )
        self._names = list(queue_names)

    def __call__(self) -> None:
        self._scheduler.prepare_registries(self._names)
        self._scheduler.enqueue_scheduled_jobs()
