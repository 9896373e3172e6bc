"""Locks fenced against dead holders (item 12): a run that finds a lock held by a worker
whose liveness key is gone takes it over at once, instead of waiting out its TTL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from rq.serializers import JSONSerializer

from monitor import keys
from monitor.dedup import enqueue_entry_once
from monitor.locks import LockOwner, LockTimeout, redis_lock, release_lock, try_lock
from monitor.models import Entry
from monitor.newsworker import NewsWorker
from monitor.producers import make_queue
from monitor.rules.compiled import RuleSet
from monitor.rules.publish import publish_ruleset
from monitor.sweep import mark_alive, sweep
from monitor.workerproc import WORKER_REDIS_ENV
from tests.clirun import ROOT
from tests.rulekit import rule
from tests.servers import LocalHTTPServer, Response, wait_for
from tests.test_stop import PAGE
from workers.articles import article_id
from workers.context import CONFIG_ENV

LOCK = "nm:test:lock"


def test_a_lock_held_by_a_live_worker_is_not_taken(redis_client: redis.Redis) -> None:
    holder = LockOwner("job-1", "alive-worker")
    mark_alive(redis_client, "alive-worker")
    token = try_lock(redis_client, LOCK, 60_000, holder)
    assert token is not None
    assert try_lock(redis_client, LOCK, 60_000, LockOwner("job-2", "w2")) is None
    with pytest.raises(LockTimeout), redis_lock(redis_client, LOCK, wait_s=0.2, owner=LockOwner("job-2", "w2")):
        pass
    assert release_lock(redis_client, LOCK, token)


def test_a_lock_held_by_a_dead_worker_is_taken_over_at_once(redis_client: redis.Redis) -> None:
    dead = try_lock(redis_client, LOCK, 600_000, LockOwner("job-1", "killed-worker"))
    assert dead is not None  # no liveness key: as a SIGKILLed worker leaves it
    mine = try_lock(redis_client, LOCK, 600_000, LockOwner("job-1", "new-worker"))
    assert mine is not None and mine != dead
    assert release_lock(redis_client, LOCK, dead) is False  # the dead run can no longer free it
    assert release_lock(redis_client, LOCK, mine)


def test_a_lock_without_an_owner_is_never_judged_dead(redis_client: redis.Redis) -> None:
    assert try_lock(redis_client, LOCK, 60_000) is not None  # taken outside any job
    assert try_lock(redis_client, LOCK, 60_000, LockOwner("job-2", "w2")) is None


def test_an_entry_whose_article_lock_a_killed_worker_left_is_processed_at_once(
    redis_url: str, redis_client: redis.Redis, http_server: LocalHTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The state a SIGKILLed worker leaves: the article lock, held for job_timeout (5 min) by
    a worker with no liveness key. The rerun used to wait 10 s and fail with LockTimeout."""
    http_server.routes["/a/1"] = Response(PAGE.format(i=1, n=120).encode(), headers={"Content-Type": "text/html"})
    http_server.routes["/hook"] = Response(b"ok")
    cfg = tmp_path / "nm.yaml"
    cfg.write_text(f"data_dir: {tmp_path}\nchannels:\n  hook: {{type: webhook, url: '{http_server.url('/hook')}'}}\n")
    monkeypatch.setenv(CONFIG_ENV, str(cfg))
    publish_ruleset(redis_client, RuleSet([rule("name: drones\nmatch: {event: attack, count: '>= 100'}\nnotify: [hook]\n")]))
    link = http_server.url("/a/1")
    entry = Entry(feed_name="t", feed_url=http_server.url("/rss"), link=link, title="Report 1")
    queue = make_queue(keys.QUEUE_ENTRIES, redis_client)
    assert enqueue_entry_once(redis_client, queue, entry, 300)
    left = LockOwner(keys.entry_job_id(link), "killed-worker").token()
    redis_client.set(keys.article_lock(article_id(entry)), left, px=300_000)

    start = time.monotonic()
    conn = redis.Redis.from_url(redis_url)
    NewsWorker([queue, make_queue(keys.QUEUE_ALERTS, conn)], connection=conn, serializer=JSONSerializer).work(burst=True)
    assert time.monotonic() - start < 5
    assert len(http_server.requests_to("/hook")) == 1
    assert not redis_client.exists(keys.article_lock(article_id(entry)))


@pytest.mark.slow
def test_a_job_killed_inside_its_lock_completes_within_seconds_of_its_requeue(
    redis_url: str, redis_client: redis.Redis
) -> None:
    queue = make_queue(keys.QUEUE_ENTRIES, redis_client)
    job = queue.enqueue("tests.jobs.hold_lock_then_hang", "nm:test:marker", LOCK)
    worker = subprocess.Popen(
        [sys.executable, "-m", "monitor.workerproc", "--parent", str(os.getpid()), "--name", "doomed", "--queues", "entries", "--burst"],
        cwd=ROOT, env={**os.environ, WORKER_REDIS_ENV: redis_url},
    )
    try:
        wait_for(lambda: redis_client.exists(LOCK) and redis_client.exists("nm:test:marker"), 20)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    # The sweep requeues it once the dead worker's liveness key lapses (ALIVE_TTL).
    moved = wait_for(lambda: sweep(redis_client, [keys.QUEUE_ENTRIES]), keys.ALIVE_TTL + 10, interval=0.5)
    assert moved == [job.id]
    assert redis_client.pttl(LOCK) > 60_000  # the dead run's lock would hold for minutes
    requeued = time.monotonic()
    NewsWorker([queue], connection=redis.Redis.from_url(redis_url), serializer=JSONSerializer).work(burst=True)
    job.refresh()
    assert job.get_status() == "finished" and job.return_value() == "done"
    assert time.monotonic() - requeued < 5
