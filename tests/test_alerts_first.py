"""Deliveries before new entries on every worker (item 3), and claims: a job a worker took off
a queue is never lost with the worker."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import redis
from rq.serializers import JSONSerializer

from monitor import keys
from monitor.claims import claim_next
from monitor.config import load_config
from monitor.dedup import enqueue_entry_once
from monitor.models import Entry
from monitor.newsworker import NewsWorker
from monitor.producers import enqueue_delivery, make_queue
from monitor.rules.compiled import RuleSet
from monitor.rules.publish import publish_ruleset
from monitor.sweep import mark_alive, sweep
from tests.procs import kill_all, newsmonitor, timed_wait
from tests.servers import LocalHTTPServer, Response, wait_for
from tests.test_deliver import make_alert
from tests.test_stop import PAGE

ORDER = "nm:test:order"


def test_every_worker_serves_alerts_before_entries(redis_url: str, redis_client: redis.Redis) -> None:
    entries, alerts = make_queue(keys.QUEUE_ENTRIES, redis_client), make_queue(keys.QUEUE_ALERTS, redis_client)
    for i in range(5):
        entries.enqueue("tests.jobs.note", ORDER, f"entry-{i}")
    alerts.enqueue("tests.jobs.note", ORDER, "alert")
    conn = redis.Redis.from_url(redis_url)
    # Given in the order that used to starve alerts: the worker serves by priority anyway.
    worker = NewsWorker([make_queue(keys.QUEUE_ENTRIES, conn), make_queue(keys.QUEUE_ALERTS, conn)], connection=conn, serializer=JSONSerializer)
    assert worker.queue_names() == [keys.QUEUE_ALERTS, keys.QUEUE_ENTRIES]
    worker.work(burst=True)
    order = [v.decode() for v in redis_client.lrange(ORDER, 0, -1)]
    assert order == ["alert"] + [f"entry-{i}" for i in range(5)]


def test_a_job_claimed_by_a_worker_that_died_goes_back_to_the_front(redis_url: str, redis_client: redis.Redis) -> None:
    """A worker killed between taking a job and registering it as started (RQ's BLPOP lost
    the job there): the claim list keeps it, the sweep gives it back."""
    entries = make_queue(keys.QUEUE_ENTRIES, redis_client)
    first = entries.enqueue("tests.jobs.note", ORDER, "claimed")
    entries.enqueue("tests.jobs.note", ORDER, "next")
    mark_alive(redis_client, "doomed")
    assert claim_next(redis_client, "doomed", [(entries.name, entries.key)], wait=None) == (entries.name, first.id)
    assert first.id not in entries.job_ids and entries.count == 1
    assert sweep(redis_client, [keys.QUEUE_ENTRIES], after_restart=False) == []  # alive: left alone
    redis_client.delete(keys.worker_alive("doomed"))  # as if SIGKILLed: its key lapses
    assert sweep(redis_client, [keys.QUEUE_ENTRIES], after_restart=False) == [first.id]
    assert entries.job_ids[0] == first.id
    assert not redis_client.exists(keys.claimed("doomed", entries.name))
    conn = redis.Redis.from_url(redis_url)
    NewsWorker([make_queue(keys.QUEUE_ENTRIES, conn)], connection=conn, serializer=JSONSerializer).work(burst=True)
    assert [v.decode() for v in redis_client.lrange(ORDER, 0, -1)] == ["claimed", "next"]
    assert sweep(redis_client, [keys.QUEUE_ENTRIES], after_restart=False) == []  # once, not twice


def test_a_worker_drops_its_claim_once_the_job_is_registered(redis_url: str, redis_client: redis.Redis) -> None:
    entries = make_queue(keys.QUEUE_ENTRIES, redis_client)
    entries.enqueue("tests.jobs.note", ORDER, "x")
    conn = redis.Redis.from_url(redis_url)
    worker = NewsWorker([make_queue(keys.QUEUE_ENTRIES, conn)], connection=conn, serializer=JSONSerializer)
    worker.work(burst=True)
    assert redis_client.keys("nm:claimed:*") == []
    assert not redis_client.sismember(keys.workers(), worker.name)  # a clean exit says so


@pytest.mark.slow
def test_an_alert_enqueued_during_a_burst_of_entries_is_delivered_within_one_entry_job(
    tmp_path: Path, redis_url: str, redis_client: redis.Redis, http_server: LocalHTTPServer
) -> None:
    """100 entries whose pages take 0.3 s each, two real worker processes: the alert enqueued
    mid-burst used to wait for the last entry; now it goes out as soon as a worker is free."""
    slow = 0.3
    arrived: list[float] = []

    def hook(_req: object) -> Response:
        arrived.append(time.monotonic())
        return Response(b"ok")

    http_server.routes["/hook"] = hook
    cfg_path = tmp_path / "nm.yaml"
    cfg_path.write_text(
        f"redis_url: '{redis_url}'\ndata_dir: {tmp_path / 'data'}\nshutdown_grace: 1s\n"
        f"channels:\n  hook: {{type: webhook, url: '{http_server.url('/hook')}'}}\n"
    )
    publish_ruleset(redis_client, RuleSet([]))
    entries = make_queue(keys.QUEUE_ENTRIES, redis_client)
    for i in range(100):
        path = f"/burst/{i}"
        http_server.routes[path] = Response(PAGE.format(i=i, n=5).encode(), headers={"Content-Type": "text/html"}, delay=slow)
        entry = Entry(feed_name="t", feed_url=http_server.url("/rss"), link=http_server.url(path), title=f"Report {i}")
        assert enqueue_entry_once(redis_client, entries, entry, 300)
    pages = lambda: sum(1 for r in http_server.requests if r.path.startswith("/burst/"))  # noqa: E731
    with (tmp_path / "worker.log").open("wb") as log:
        proc = newsmonitor(cfg_path, log, "worker", "--workers", "2")
        try:
            wait_for(lambda: pages() >= 10, 60)
            enqueued = time.monotonic()
            enqueue_delivery(make_queue(keys.QUEUE_ALERTS, redis_client), make_alert(), "hook", load_config(cfg_path))
            wait_for(lambda: arrived, 30)
            pages_then = pages()
            wait_for(lambda: entries.count == 0, 120)
        finally:
            proc.terminate()
            timed_wait(proc, 15)
            kill_all(str(tmp_path), proc)
    took = arrived[0] - enqueued
    assert took < slow + 1.5, f"the alert waited {took:.2f}s"  # one entry job, with margin
    assert pages_then < 50, f"the alert came after {pages_then} of 100 pages"
