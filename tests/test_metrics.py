"""Metrics recorded in Redis by every process, and the Prometheus text rendered from them.

Recording is exercised both directly and through the real jobs on a real RQ worker: an entry
read from a local page, classified, alerted and delivered to a local webhook leaves exactly the
counts it should.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from prometheus_client.parser import text_string_to_metric_families
from redis.backoff import NoBackoff
from redis.retry import Retry
from rq import SimpleWorker
from rq.serializers import JSONSerializer

from monitor import keys, metrics
from monitor.config import load_config
from monitor.exposition import render_metrics
from monitor.models import Entry
from monitor.producers import ENTRY_JOB, enqueue_delivery, make_queue
from monitor.rules.compiled import RuleSet
from monitor.rules.publish import publish_ruleset
from tests.rulekit import DUTCH_REPORT, article, event, rule
from tests.servers import LocalHTTPServer, Response, free_port
from tests.test_deliver import (
    make_alert,
    run_alert_jobs,
    use_config,
    webhook_channel,
    write_config,
)

NOW = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of the exposition, keyed by (name, sorted labels)."""
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def scrape(r: redis.Redis) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return samples(render_metrics(r).decode())


# --- recording -------------------------------------------------------------------------------
def test_polls_count_by_outcome_and_new_entries_add_up(redis_client: redis.Redis) -> None:
    metrics.record_poll(redis_client, "new", 3)  # the poller's word for a poll with news
    metrics.record_poll(redis_client, "ok", 2)
    metrics.record_poll(redis_client, "unchanged")
    metrics.record_poll(redis_client, "error")
    metrics.record_poll(redis_client, "backlog")
    metrics.record_poll(redis_client, "HTTP 503 from https://x.example/feed")
    metrics.record_entries(redis_client, 4)
    c = metrics.read_counters(redis_client)
    assert c.get("polls", "ok") == 2
    assert [c.get("polls", o) for o in ("unchanged", "error", "backlog")] == [1, 1, 1]
    assert c.get("polls", "other") == 1  # a message never becomes a label value
    assert c.get("entries") == 9


def test_articles_events_alerts(redis_client: redis.Redis) -> None:
    a = article("a1", DUTCH_REPORT, event("combat", 261), event("attack"), event("combat", 3))
    metrics.record_article(redis_client, a)
    metrics.record_article(redis_client, article("a2", "niets"))
    metrics.record_alert(redis_client, "big-combat")
    metrics.record_alert(redis_client, "big-combat")
    c = metrics.read_counters(redis_client)
    assert c.get("articles") == 2
    assert c.families["events"] == {"combat": 2, "attack": 1}
    assert c.families["alerts"] == {"big-combat": 2}


def test_delivery_lag_goes_into_the_smallest_bucket_that_holds_it(
    redis_client: redis.Redis,
) -> None:
    for lag in (0.4, 1.0, 7.0, 7.5, 4000.0, 10**6, -3.0):
        metrics.record_delivery(redis_client, "sent", lag)
    metrics.record_delivery(redis_client, "duplicate")
    c = metrics.read_counters(redis_client)
    assert c.get("deliveries", "sent") == 7 and c.get("deliveries", "duplicate") == 1
    assert c.families["lag_bucket"] == {"1": 3, "10": 2, "21600": 1, "+Inf": 1}
    assert c.get("lag_count") == 7
    assert c.get("lag_sum") == pytest.approx(0.4 + 1 + 7 + 7.5 + 4000 + 10**6 + 0)


@pytest.mark.parametrize(
    ("published", "lag"),
    [
        ("2025-03-01T11:59:30Z", 30.0),
        ("2025-03-01T11:00:00+00:00", 3600.0),
        ("2025-03-01T13:00:00+02:00", 3600.0),
        ("2025-03-01T11:59:50", 10.0),  # naive: the feed's UTC
        ("2025-03-01", None),  # a date says nothing about seconds
        ("yesterday", None),
        ("", None),
        (None, None),
    ],
)
def test_lag_since_publication(published: str | None, lag: float | None) -> None:
    assert metrics.lag_since(published, NOW) == lag


def test_a_redis_failure_never_reaches_the_caller(caplog: pytest.LogCaptureFixture) -> None:
    # No retries: redis-py's default backoff would only make the test slow.
    down = redis.Redis(host="127.0.0.1", port=free_port(), retry=Retry(NoBackoff(), 0))
    caplog.set_level(logging.DEBUG, logger="newsmonitor.metrics")
    metrics.record_poll(down, "ok", 1)
    metrics.record_article(down, article("a1", "x", event("attack")))
    metrics.record_alert(down, "r")
    metrics.record_delivery(down, "sent", 1.0)
    assert [r.getMessage().split(":")[0] for r in caplog.records] == [
        "metric record_poll not recorded",
        "metric record_article not recorded",
        "metric record_alert not recorded",
        "metric record_delivery not recorded",
    ]
    with pytest.raises(redis.ConnectionError):
        metrics.read_counters(down)  # a scrape, unlike a job, should see the failure


# --- exposition ------------------------------------------------------------------------------
def test_exposition_parses_and_shows_every_family(redis_client: redis.Redis) -> None:
    metrics.record_poll(redis_client, "ok", 2)
    metrics.record_article(redis_client, article("a1", "x", event("interception", 40)))
    metrics.record_alert(redis_client, "drones")
    for lag in (3.0, 45.0, 10**6):
        metrics.record_delivery(redis_client, "sent", lag)
    metrics.record_delivery(redis_client, "dead")
    s = scrape(redis_client)
    assert s[("newsmonitor_polls_total", (("outcome", "ok"),))] == 1
    assert s[("newsmonitor_polls_total", (("outcome", "error"),))] == 0  # known outcomes at 0
    assert s[("newsmonitor_entries_total", ())] == 2
    assert s[("newsmonitor_articles_total", ())] == 1
    assert s[("newsmonitor_events_total", (("type", "interception"),))] == 1
    assert s[("newsmonitor_alerts_total", (("rule", "drones"),))] == 1
    assert s[("newsmonitor_deliveries_total", (("outcome", "dead"),))] == 1
    assert s[("newsmonitor_deliveries_total", (("outcome", "failed"),))] == 0
    bucket = "newsmonitor_delivery_lag_seconds_bucket"
    cumulative = [s[(bucket, (("le", le),))] for le in ("1.0", "5.0", "30.0", "60.0", "86400.0")]
    assert cumulative == [0, 1, 1, 2, 2]
    assert s[(bucket, (("le", "+Inf"),))] == 3
    assert s[("newsmonitor_delivery_lag_seconds_count", ())] == 3
    assert s[("newsmonitor_delivery_lag_seconds_sum", ())] == pytest.approx(10**6 + 48)


def test_an_empty_redis_renders_zeros(redis_client: redis.Redis) -> None:
    s = scrape(redis_client)
    assert s[("newsmonitor_articles_total", ())] == 0
    assert s[("newsmonitor_delivery_lag_seconds_count", ())] == 0
    assert s[("newsmonitor_queue_depth", (("queue", "entries"),))] == 0
    assert s[("newsmonitor_workers", ())] == 0


def test_live_gauges_read_rq_at_scrape_time(redis_client: redis.Redis) -> None:
    entries = make_queue(keys.QUEUE_ENTRIES, redis_client)
    for i in range(3):
        entries.enqueue(ENTRY_JOB, {"link": f"https://x.example/{i}"})
    worker = SimpleWorker([entries], connection=redis_client, serializer=JSONSerializer)
    worker.register_birth()
    try:
        s = scrape(redis_client)
    finally:
        worker.register_death()
    assert s[("newsmonitor_queue_depth", (("queue", "entries"),))] == 3
    assert s[("newsmonitor_queue_depth", (("queue", "alerts"),))] == 0
    assert s[("newsmonitor_queue_started_jobs", (("queue", "entries"),))] == 0
    assert s[("newsmonitor_workers", ())] == 1
    assert scrape(redis_client)[("newsmonitor_workers", ())] == 0


# --- recorded by the real jobs ---------------------------------------------------------------
@pytest.fixture
def webhook_config(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    redis_client: redis.Redis,
    redis_url: str,
    http_server: LocalHTTPServer,
) -> Any:
    def configure(retries: int = 1) -> Any:
        path = write_config(tmp_path, {"hook": webhook_channel(http_server)}, redis_url, retries)
        use_config(monkeypatch, path)
        return load_config(path)

    return configure


def test_an_entry_through_the_jobs_counts_article_events_alert_delivery_and_lag(
    webhook_config: Any, redis_client: redis.Redis, http_server: LocalHTTPServer
) -> None:
    webhook_config()
    http_server.routes["/hook"] = Response(b"ok")
    page = f"<html lang='nl'><body><article><h1>Zware dag</h1><p>{DUTCH_REPORT}</p></article></body></html>"
    http_server.routes["/a.html"] = Response(page.encode(), headers={"Content-Type": "text/html"})
    publish_ruleset(
        redis_client,
        RuleSet(
            [rule("name: big-combat\nmatch: {event: combat, count: '>= 100'}\nnotify: [hook]\n")]
        ),
    )
    published = (datetime.now(UTC) - timedelta(seconds=20)).strftime("%Y-%m-%dT%H:%M:%SZ")
    link = http_server.url("/a.html")
    entry = Entry(
        feed_name="f",
        feed_url=http_server.url("/rss"),
        link=link,
        canonical_url=link,
        lang="nl",
        published=published,
    )
    make_queue(keys.QUEUE_ENTRIES, redis_client).enqueue_call(ENTRY_JOB, args=(entry.to_dict(),))
    queues = [
        make_queue(keys.QUEUE_ENTRIES, redis_client),
        make_queue(keys.QUEUE_ALERTS, redis_client),
    ]
    SimpleWorker(queues, connection=redis_client, serializer=JSONSerializer).work(burst=True)
    assert len(http_server.requests_to("/hook")) == 1
    c = metrics.read_counters(redis_client)
    assert c.get("articles") == 1 and c.get("events", "combat") >= 1
    assert c.get("alerts", "big-combat") == 1
    assert c.get("deliveries", "sent") == 1
    assert c.families["lag_bucket"] == {"30": 1}  # ~20 s after publication
    assert 20 <= c.get("lag_sum") < 30


def test_retried_then_dead_deliveries_count_failed_and_dead(
    webhook_config: Any, redis_client: redis.Redis, http_server: LocalHTTPServer
) -> None:
    cfg = webhook_config(retries=1)
    http_server.routes["/hook"] = Response(b"down", 500)
    queue = make_queue(keys.QUEUE_ALERTS, redis_client)
    enqueue_delivery(queue, make_alert(alert_id="retried"), "hook", cfg)
    run_alert_jobs(redis_client)
    http_server.routes["/hook"] = Response(b"gone", 410)  # permanent: dead at once
    enqueue_delivery(queue, make_alert(alert_id="rejected"), "hook", cfg)
    run_alert_jobs(redis_client)
    c = metrics.read_counters(redis_client)
    assert c.get("deliveries", "failed") == 1  # the first of two tries
    assert c.get("deliveries", "dead") == 2
    assert c.get("deliveries", "sent") == 0 and c.get("lag_count") == 0


def test_a_repeated_delivery_counts_as_duplicate_and_adds_no_lag(
    webhook_config: Any, redis_client: redis.Redis, http_server: LocalHTTPServer
) -> None:
    cfg = webhook_config()
    http_server.routes["/hook"] = Response(b"ok")
    queue = make_queue(keys.QUEUE_ALERTS, redis_client)
    enqueue_delivery(queue, make_alert(), "hook", cfg)
    run_alert_jobs(redis_client)
    enqueue_delivery(queue, make_alert(), "hook", cfg, job_id="again")
    run_alert_jobs(redis_client)
    c = metrics.read_counters(redis_client)
    assert c.get("deliveries", "sent") == 1 and c.get("deliveries", "duplicate") == 1
    assert c.families["lag_bucket"] == {"+Inf": 1}  # the first send only; published 2025-03-01
