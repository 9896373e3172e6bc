"""Requeue jobs whose worker is gone, within seconds rather than RQ's minutes.

RQ notices an abandoned job only after the job's timeout plus 60 s, sweeps its registries every
10 minutes, and then requeues only jobs with retries left. A worker process that is SIGKILLed
(or whose machine dies) mid-job would leave its entry unprocessed for that long, or forever.
Every newsmonitor worker keeps a short-lived liveness key fresh from a thread; this sweep
requeues every started job whose worker's key is gone, and gives back the jobs such a worker
had claimed but not yet started (monitor/claims.py). Jobs are idempotent, so requeueing one
that was in fact nearly done costs a repeat, never a duplicate alert.

A Redis that restarted less than ALIVE_TTL ago may have lost liveness keys that live workers
have not yet written again (AOF keeps up to a second less), so the sweep waits that long after
a restart rather than take a live worker for dead.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterable

import redis
from rq import Queue, Worker
from rq.defaults import DEFAULT_FAILURE_TTL
from rq.exceptions import NoSuchJobError
from rq.executions import WORKER_EXECUTIONS_KEY_TEMPLATE, Execution
from rq.job import Job, JobStatus
from rq.registry import StartedJobRegistry
from rq.results import Result
from rq.serializers import JSONSerializer
from rq.worker_registration import REDIS_WORKER_KEYS, WORKERS_BY_QUEUE_KEY

from monitor import keys, metrics
from monitor.claims import put_back_claims
from monitor.producers import make_queue
from monitor.redisconn import as_str

log = logging.getLogger("newsmonitor.sweep")

ALIVE_REFRESH = 5.0
MAX_REQUEUES = 3
META_REQUEUES = "nm_requeues"


def mark_alive(r: redis.Redis, worker_name: str) -> None:
    """This worker process is alive (for ALIVE_TTL) and may hold claimed jobs."""
    with r.pipeline() as pipe:
        pipe.set(keys.worker_alive(worker_name), 1, ex=keys.ALIVE_TTL)
        pipe.sadd(keys.workers(), worker_name)
        pipe.execute()


def keep_alive(r: redis.Redis, worker_name: str, stop: threading.Event) -> threading.Thread:
    """Mark this worker alive now, and from a thread until ``stop`` is set."""
    mark_alive(r, worker_name)

    def run() -> None:
        while not stop.wait(ALIVE_REFRESH):
            try:
                mark_alive(r, worker_name)
            except redis.RedisError as exc:
                log.debug("liveness refresh failed: %s", exc)
        with contextlib.suppress(redis.RedisError):
            r.delete(keys.worker_alive(worker_name))

    thread = threading.Thread(target=run, name=f"alive-{worker_name}", daemon=True)
    thread.start()
    return thread


def retire(r: redis.Redis, worker_name: str, queue_names: Iterable[str]) -> list[str]:
    """A worker that leaves: no longer alive or listed. A job it had claimed but not started
    (a stop signal between the two) goes back to its queue now; returns their ids."""
    names = list(queue_names)
    queues, started = _queues_and_started(r, names)
    back = put_back_claims(r, worker_name, queues, started)
    with r.pipeline() as pipe:
        pipe.delete(keys.worker_alive(worker_name))
        pipe.srem(keys.workers(), worker_name)
        pipe.execute()
    return back


def forget_workers(r: redis.Redis, names: Iterable[str], queue_names: Iterable[str]) -> None:
    """Workers known to be dead (their supervisor saw them exit or killed them): drop their
    liveness keys and RQ registrations now, so their jobs are requeued by the next sweep at
    once instead of after ALIVE_TTL, and ``status`` does not list them for minutes."""
    queues = list(queue_names)
    with r.pipeline() as pipe:
        for name in names:
            rq_key = Worker.redis_worker_namespace_prefix + name
            executions = WORKER_EXECUTIONS_KEY_TEMPLATE.format(name)
            pipe.delete(keys.worker_alive(name), rq_key, executions)
            pipe.srem(REDIS_WORKER_KEYS, rq_key)
            for queue in queues:
                pipe.srem(WORKERS_BY_QUEUE_KEY % queue, rq_key)
        pipe.execute()


def sweep(r: redis.Redis, queue_names: Iterable[str], *, after_restart: bool = True) -> list[str]:
    """Give back the jobs of every dead worker; returns their ids. ``after_restart=False``
    skips the wait after a Redis restart (the caller knows the workers it names are dead)."""
    if after_restart and _uptime(r) < keys.ALIVE_TTL:
        return []
    names = list(queue_names)
    queues, started = _queues_and_started(r, names)
    moved = []
    for raw in r.smembers(keys.workers()):
        worker = as_str(raw)
        if r.exists(keys.worker_alive(worker)):
            continue
        back = put_back_claims(r, worker, queues, started)
        for job_id in back:
            log.warning("requeued job %s: its worker %s died before starting it", job_id, worker)
        moved += back
        r.srem(keys.workers(), worker)
    return moved + requeue_orphans(r, names)


def _uptime(r: redis.Redis) -> float:
    return float(r.info("server").get("uptime_in_seconds", keys.ALIVE_TTL))


def _queues_and_started(
    r: redis.Redis, names: list[str]
) -> tuple[list[tuple[str, str]], set[str]]:
    """(name, RQ key) of each queue, and the ids of the jobs registered as started on them."""
    queues = [make_queue(name, r) for name in names]
    started = {
        job_id
        for q in queues
        for job_id, _ in StartedJobRegistry(queue=q, serializer=JSONSerializer)
        .get_job_and_execution_ids(cleanup=False)
    }
    return [(q.name, q.key) for q in queues], started


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
