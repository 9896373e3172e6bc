from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import redis
from rq.registry import StartedJobRegistry
from rq.serializers import JSONSerializer

from monitor import keys
from monitor.newsworker import NewsWorker
from monitor.sweep import requeue_orphans
from tests.servers import wait_for
from workers.context import make_queue

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_a_killed_workers_job_is_requeued_and_completes(redis_url: str, redis_client: redis.Redis) -> None:
    queue = make_queue("entries", redis_client)
    job = queue.enqueue("tests.jobs.hang_first_time", "nm:test:marker")
    script = textwrap.dedent(f"""
        import redis
        from monitor.newsworker import NewsWorker
        from workers.context import make_queue
        conn = redis.Redis.from_url({redis_url!r})
        NewsWorker([make_queue("entries", conn)], connection=conn, serializer=__import__("rq.serializers").serializers.JSONSerializer).work(burst=True)
    """)
    with subprocess.Popen([sys.executable, "-c", script], cwd=ROOT) as worker:
        registry = StartedJobRegistry(queue=queue, serializer=JSONSerializer)
        wait_for(lambda: job.id in registry.get_job_ids(cleanup=False), timeout=20)
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
