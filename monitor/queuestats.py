"""What the queues and workers are doing now, read from RQ's own keys at the moment of asking.

Shared by /healthz, /metrics and ``newsmonitor status``. Reading must not change anything: RQ's
``StartedJobRegistry.count`` first "cleans up", which requeues or fails abandoned jobs and runs
their failure callbacks, so the counts here are taken without cleanup.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import redis
from rq import Worker
from rq.job import Job
from rq.results import Result
from rq.serializers import JSONSerializer

from monitor import keys
from monitor.producers import make_queue

QUEUES = (keys.QUEUE_ENTRIES, keys.QUEUE_ALERTS)


@dataclass(frozen=True, slots=True)
class QueueStats:
    name: str
    queued: int
    started: int
    failed: int

    def to_dict(self) -> dict[str, int]:
        return {"queued": self.queued, "started": self.started, "failed": self.failed}


@dataclass(frozen=True, slots=True)
class FailedJob:
    """A job in a failed registry: kept there for a look, never retried on its own."""

    queue: str
    id: str
    description: str
    error: str  # the last line of what it raised
    at: float | None  # when it failed (Unix seconds)


@dataclass(frozen=True, slots=True)
class WorkerInfo:
    name: str
    state: str
    queues: tuple[str, ...]
    current_job: str | None
    last_heartbeat: datetime | None


def queue_stats(r: redis.Redis, names: tuple[str, ...] = QUEUES) -> list[QueueStats]:
    out = []
    for name in names:
        q = make_queue(name, r)
        out.append(
            QueueStats(
                name=name,
                queued=q.count,
                started=q.started_job_registry.get_job_count(cleanup=False),
                failed=q.failed_job_registry.get_job_count(cleanup=False),
            )
        )
    return out


def latest_failed_jobs(
    r: redis.Redis, limit: int, names: tuple[str, ...] = QUEUES
) -> list[FailedJob]:
    """The ``limit`` jobs that failed last, over all queues, newest first."""
    found = []
    for name in names:
        registry = make_queue(name, r).failed_job_registry
        ids = registry.get_job_ids(0, limit - 1, desc=True, cleanup=False)
        jobs = Job.fetch_many(ids, connection=r, serializer=JSONSerializer)
        found += [_failed_job(name, job) for job in jobs if job is not None]
    found.sort(key=lambda f: f.at or 0.0, reverse=True)
    return found[:limit]


def _failed_job(queue: str, job: Job) -> FailedJob:
    result = job.latest_result()
    failed = result is not None and result.type == Result.Type.FAILED
    text = (result.exc_string or "") if result is not None and failed else ""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    at = result.created_at if result is not None and failed else job.ended_at
    return FailedJob(
        queue=queue,
        id=job.id,
        description=job.description or job.id,
        error=lines[-1] if lines else "(no error recorded)",
        at=at.timestamp() if at else None,
    )


def list_workers(r: redis.Redis) -> list[WorkerInfo]:
    """RQ's registered workers.

    A worker killed with SIGKILL stays listed until its key expires (RQ's worker TTL, 420 s by
    default); RQ itself drops the expired ones from its set while listing.
    """
    workers = sorted(Worker.all(connection=r), key=lambda w: w.name)
    return [
        WorkerInfo(
            name=w.name,
            state=w.get_state(),
            queues=tuple(w.queue_names()),
            current_job=w.get_current_job_id(),
            last_heartbeat=w.last_heartbeat,
        )
        for w in workers
    ]


def count_workers(r: redis.Redis) -> int:
    """Workers whose key still exists (RQ's bare set also holds ones that died unannounced)."""
    return len(Worker.all(connection=r))
