"""Our RQ worker: a SimpleWorker that serves alerts first, can be killed at any instant without
losing a job, and logs one line per failed try.

- SimpleWorker: a job runs in the worker process (~4 ms instead of ~13 ms for a forked work
  horse); its supervisor (monitor/supervisor.py) respawns it if it dies.
- Queues in priority order, ``alerts`` before ``entries`` (monitor/claims.py): a burst of
  entries delays a delivery by at most the job a worker is running when the alert arrives.
- Jobs are moved into a claim list rather than popped (monitor/claims.py), and a thread keeps a
  liveness key fresh (monitor/sweep.py): a SIGKILLed worker's job is requeued within seconds.
- No RQ scheduler process: RQ forks one from the worker, a child that outlives a killed worker
  and dies on a Redis error. The daemon's leader moves due retries instead (monitor/retries.py).
- No pub/sub command channel (see ``subscribe``).
- A failed try for a reason outside our code (a page or channel that failed, a timeout, Redis)
  is one line naming the job and the error; a real bug keeps its traceback.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import redis
from rq import SimpleWorker
from rq.exceptions import NoSuchJobError
from rq.executions import Execution
from rq.job import Job
from rq.job_lifecycle import call_exception_handlers
from rq.queue import Queue
from rq.timeouts import JobTimeoutException
from rq.worker import WorkerStatus

from monitor.claims import IDLE_WAIT, by_priority, claim_next, drop_claim
from monitor.errors import NewsmonitorError
from monitor.producers import REPORTS_OWN_FAILURES
from monitor.sweep import keep_alive, retire

log = logging.getLogger("newsmonitor.worker")

# RQ heartbeats on every dequeue; an idle worker here wakes every IDLE_WAIT, so it heartbeats
# at this pace instead (RQ's worker key lives worker_ttl + 60 s).
HEARTBEAT_EVERY = 15.0
# Failures that are not bugs: our own errors (they name their subject), a job that ran out of
# time, and Redis refusing a write for now (full, read-only, loading).
EXPECTED = (NewsmonitorError, JobTimeoutException, redis.RedisError)


class NewsWorker(SimpleWorker):
    log_result_lifespan = False

    def __init__(self, queues: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(queues, *args, **kwargs)
        order = by_priority(q.name for q in self.queues)
        self.queues.sort(key=lambda q: order.index(q.name))
        self._ordered_queues = self.queues[:]
        self._claimed: dict[str, str] = {}  # job id -> queue name, until it is registered

    def work(self, *args: Any, **kwargs: Any) -> bool:
        stop = threading.Event()
        keep_alive(self.connection, self.name, stop)
        try:
            worked = super().work(*args, **kwargs)
        finally:
            stop.set()
        retire(self.connection, self.name, self.queue_names())
        return worked

    def subscribe(self) -> None:
        """No pub/sub command channel: our workers are stopped with signals by their
        supervisor. RQ's channel costs a thread and a connection per worker, and its thread
        holds every stop up for a second."""

    def unsubscribe(self) -> None:
        pass

    # --- taking jobs: claims, priority --------------------------------------------------------
    def dequeue_job_and_maintain_ttl(
        self, timeout: int | None, max_idle_time: int | None = None
    ) -> tuple[Job, Queue] | None:
        """The next job, in queue priority order; None only in burst mode (queues empty) or
        after ``max_idle_time``. A stop request interrupts the wait (RQ raises StopRequested
        from its signal handler)."""
        self.set_state(WorkerStatus.IDLE)
        self.procline("Listening on " + ",".join(self.queue_names()))
        queues = [(q.name, q.key) for q in self._ordered_queues]
        self.heartbeat()
        beat = idle_since = time.monotonic()
        while True:
            if self.should_run_maintenance_tasks:
                self.run_maintenance_tasks()
            wait = None if timeout is None else IDLE_WAIT
            found = claim_next(self.connection, self.name, queues, wait)
            if found is not None:
                result = self._fetch_claimed(*found)
                if result is not None:
                    self.heartbeat()
                    return result
                continue
            now = time.monotonic()
            if timeout is None or (max_idle_time is not None and now - idle_since > max_idle_time):
                return None
            if now - beat > HEARTBEAT_EVERY:
                self.heartbeat()
                beat = now

    def _fetch_claimed(self, queue_name: str, job_id: str) -> tuple[Job, Queue] | None:
        queue = next(q for q in self.queues if q.name == queue_name)
        try:
            job = self.job_class.fetch(job_id, self.connection, self.serializer)
        except NoSuchJobError:
            drop_claim(self.connection, self.name, queue_name, job_id)  # deleted meanwhile
            return None
        except Exception:  # an unreadable job hash: it can never run, say which one
            log.exception("job %s on %s cannot be read; dropping it", job_id, queue_name)
            drop_claim(self.connection, self.name, queue_name, job_id)
            return None
        job.redis_server_version = self.get_redis_server_version()
        self._claimed[job.id] = queue_name
        return job, queue

    def prepare_execution(self, job: Job) -> Execution:
        """Register the job as started, then drop its claim: at every instant it is in the
        queue, the claim list or the started registry (the sweep looks at all three)."""
        execution = super().prepare_execution(job)
        queue_name = self._claimed.pop(job.id, None)
        if queue_name is not None:
            drop_claim(self.connection, self.name, queue_name, job.id)
        return execution

    # --- failures: one line, or a traceback for a bug -----------------------------------------
    def handle_exception(self, job: Job, *exc_info: Any) -> None:
        """One line for a failed try of our own making (unless the job writes it itself: it
        says so in its meta, REPORTS_OWN_FAILURES); a traceback for anything else."""
        error = exc_info[1]
        what = job.description or job.id
        if not isinstance(error, EXPECTED):
            log.error("%s failed with a bug; %s", what, _next_try(job), exc_info=exc_info)
        elif not job.meta.get(REPORTS_OWN_FAILURES):
            log.warning("%s failed: %s; %s", what, error, _next_try(job))
        call_exception_handlers(self._exc_handlers, job, *exc_info)


def _next_try(job: Job) -> str:
    if not job.should_retry:
        return "no tries left"
    interval = job.get_retry_interval()
    left = job.retries_left
    return f"retry in {interval}s ({left} left)" if interval else f"retrying ({left} left)"
