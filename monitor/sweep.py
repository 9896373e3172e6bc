"""Requeue jobs whose worker is gone, within seconds rather than RQ's minutes.

RQ notices an abandoned job only after the job's timeout plus 60 s, sweeps its registries every
10 minutes, and then requeues only jobs with retries left. A worker process that is SIGKILLed
(or whose machine dies) mid-job would leave its entry unprocessed for that long, or forever.
Every newsmonitor worker keeps a short-lived liveness key fresh from a thread; this sweep
requeues every started job whose worker's key is gone. Jobs are idempotent, so requeueing one
that was in fact nearly done costs a repeat, never a duplicate alert.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterable

import redis
from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.registry import StartedJobRegistry
from rq.serializers import JSONSerializer

from monitor import keys
from workers.context import make_queue

log = logging.getLogger("newsmonitor.sweep")

ALIVE_REFRESH = 5.0


def keep_alive(r: redis.Redis, worker_name: str, stop: threading.Event) -> threading.Thread:
    """Start the thread that marks this worker process alive until ``stop`` is set."""

    def run() -> None:
        while True:
            try:
                r.set(keys.worker_alive(worker_name), 1, ex=keys.ALIVE_TTL)
            except redis.RedisError as exc:
                log.debug("liveness refresh failed: %s", exc)
            if stop.wait(ALIVE_REFRESH):
                break
        with contextlib.suppress(redis.RedisError):
            r.delete(keys.worker_alive(worker_name))

    thread = threading.Thread(target=run, name=f"alive-{worker_name}", daemon=True)
    thread.start()
    return thread


def requeue_orphans(r: redis.Redis, queue_names: Iterable[str]) -> list[str]:
    """Requeue started jobs whose worker has no liveness key; returns their ids."""
    moved = []
    for name in queue_names:
        queue = make_queue(name, r)
        registry = StartedJobRegistry(queue=queue, serializer=JSONSerializer)
        for job_id, execution_id in registry.get_job_and_execution_ids(cleanup=False):
            if _requeue_if_orphan(r, queue, registry, job_id, execution_id):
                moved.append(job_id)
    return moved


def _requeue_if_orphan(
    r: redis.Redis, queue: Queue, registry: StartedJobRegistry, job_id: str, execution_id: str
) -> bool:
    try:
        job = Job.fetch(job_id, connection=r, serializer=JSONSerializer)
    except NoSuchJobError:
        r.zrem(registry.key, f"{job_id}:{execution_id}")
        return False
    worker = job.worker_name
    if worker and r.exists(keys.worker_alive(worker)):
        return False
    # ZREM first: of two sweepers racing on one job, only the one that removed it requeues.
    if not r.zrem(registry.key, f"{job_id}:{execution_id}"):
        return False
    job.started_at = None
    queue.enqueue_job(job, at_front=True)
    log.warning("requeued job %s (%s): its worker %s is gone", job_id, job.description, worker)
    return True
