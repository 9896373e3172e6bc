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
from rq.defaults import DEFAULT_FAILURE_TTL
from rq.exceptions import NoSuchJobError
from rq.executions import Execution
from rq.job import Job, JobStatus
from rq.registry import StartedJobRegistry
from rq.results import Result
from rq.serializers import JSONSerializer

from monitor import keys, metrics
from workers.context import make_queue

log = logging.getLogger("newsmonitor.sweep")

ALIVE_REFRESH = 5.0
MAX_REQUEUES = 3
META_REQUEUES = "nm_requeues"


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
    worker = _worker_of(r, job, execution_id)
    if worker is None or r.exists(keys.worker_alive(worker)):
        return False
    # ZREM first: of two sweepers racing on one job, only the one that removed it requeues.
    if not r.zrem(registry.key, f"{job_id}:{execution_id}"):
        return False
    requeues = int(job.meta.get(META_REQUEUES, 0)) + 1
    if requeues > MAX_REQUEUES:
        # The job itself kills its worker (a page that crashes the parser, or eats the
        # memory): requeueing it forever would stop the queue. Park it where `status` shows it.
        reason = f"its worker died {MAX_REQUEUES + 1} times"
        job.set_status(JobStatus.FAILED)
        queue.failed_job_registry.add(job, exc_string=reason)
        Result.create_failure(job, DEFAULT_FAILURE_TTL, reason)  # what `status` shows
        metrics.record_job_failed(r, queue.name)
        log.error(
            "job %s (%s) killed its worker %d times; moved to failed",
            job_id,
            job.description,
            requeues,
        )
        return False
    job.meta[META_REQUEUES] = requeues
    job.save_meta()
    job.started_at = None
    queue.enqueue_job(job)
    log.warning("requeued job %s (%s): its worker %s is gone", job_id, job.description, worker)
    return True


def _worker_of(r: redis.Redis, job: Job, execution_id: str) -> str | None:
    """The worker running this execution. The execution knows it from the start; the job's
    own worker_name is written later and still names the previous (dead) worker of a retried
    job meanwhile. None: unknown yet, so the job is left alone this round."""
    try:
        return Execution.fetch(execution_id, job.id, connection=r).worker_name or None
    except ValueError:  # the execution record is gone: fall back to the job's own field
        return job.worker_name or None
