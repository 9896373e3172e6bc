from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import redis
from rq import Queue
from rq.job import Job
from rq.registry import StartedJobRegistry
from rq.serializers import JSONSerializer

from monitor import keys, metrics
from monitor.newsworker import NewsWorker
from monitor.producers import make_queue
from monitor.queuestats import latest_failed_jobs
from monitor.sweep import MAX_REQUEUES, META_REQUEUES, requeue_orphans
from tests.servers import wait_for

ROOT = Path(__file__).resolve().parent.parent


def worker_process(redis_url: str) -> subprocess.Popen[bytes]:
    """A real NewsWorker in its own process (so it can be SIGKILLed), burst mode."""
    script = textwrap.dedent(f"""
        import redis
        from monitor.newsworker import NewsWorker
        from monitor.producers import make_queue
        conn = redis.Redis.from_url({redis_url!r})
        NewsWorker([make_queue("entries", conn)], connection=conn, serializer=__import__("rq.serializers").serializers.JSONSerializer).work(burst=True)
    """)
    return subprocess.Popen([sys.executable, "-c", script], cwd=ROOT)


def wait_until_started(queue: Queue, job: Job) -> None:
    registry = StartedJobRegistry(queue=queue, serializer=JSONSerializer)
    wait_for(lambda: job.id in registry.get_job_ids(cleanup=False), timeout=20)


@pytest.mark.slow
def test_a_killed_workers_job_is_requeued_and_completes(redis_url: str, redis_client: redis.Redis) -> None:
    queue = make_queue("entries", redis_client)
    job = queue.enqueue("tests.jobs.hang_first_time", "nm:test:marker")
    with worker_process(redis_url) as worker:
        wait_until_started(queue, job)
        assert requeue_orphans(redis_client, ["entries"]) == []  # its worker is alive
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    # RQ itself would wait for the job timeout + 60 s; our liveness key lapses in ALIVE_TTL.
    moved = wait_for(lambda: requeue_orphans(redis_client, ["entries"]), timeout=keys.ALIVE_TTL + 10, interval=0.5)
    assert moved == [job.id]
    assert queue.count == 1
    NewsWorker([queue], connection=redis.Redis.from_url(redis_url), serializer=JSONSerializer).work(burst=True)
    job.refresh()
    assert job.get_status() == "finished" and job.return_value() == "done"
    assert requeue_orphans(redis_client, ["entries"]) == []


@pytest.mark.slow
def test_a_job_that_keeps_killing_its_worker_is_parked_counted_and_shown(
    redis_url: str, redis_client: redis.Redis
) -> None:
    queue = make_queue("entries", redis_client)
    job = queue.enqueue("tests.jobs.hang_first_time", "nm:test:poison", description="entry https://x.example/poison")
    job.meta[META_REQUEUES] = MAX_REQUEUES  # it has killed its worker this often already
    job.save_meta()
    with worker_process(redis_url) as worker:
        wait_until_started(queue, job)
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    redis_client.delete(*redis_client.keys(keys.worker_alive("*")))  # as if ALIVE_TTL lapsed
    assert requeue_orphans(redis_client, ["entries"]) == []
    assert job.get_status(refresh=True) == "failed" and queue.count == 0
    assert metrics.read_counters(redis_client).get(metrics.JOBS_FAILED, "entries") == 1
    (shown,) = latest_failed_jobs(redis_client, 3)
    assert (shown.id, shown.description) == (job.id, "entry https://x.example/poison")
    assert shown.error == f"its worker died {MAX_REQUEUES + 1} times"
