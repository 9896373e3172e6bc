"""/healthz and /metrics over real HTTP on 127.0.0.1, backed by a real Redis (and a dead one)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import redis
from prometheus_client.parser import text_string_to_metric_families
from rq import SimpleWorker
from rq.serializers import JSONSerializer

from monitor import keys, metrics
from monitor.config import parse_config
from monitor.errors import ConfigError
from monitor.health import HealthServer, start_health_server
from monitor.producers import ENTRY_JOB, make_queue
from tests.servers import free_port


@pytest.fixture
def server(redis_client: redis.Redis) -> Iterator[HealthServer]:
    s = start_health_server(redis_client, "127.0.0.1", 0)
    yield s
    s.shutdown()


def test_healthz_reports_redis_workers_and_queues(
    server: HealthServer, redis_client: redis.Redis
) -> None:
    make_queue(keys.QUEUE_ALERTS, redis_client).enqueue(ENTRY_JOB, {"x": 1})
    worker = SimpleWorker(
        [make_queue(keys.QUEUE_ENTRIES, redis_client)],
        connection=redis_client,
        serializer=JSONSerializer,
    )
    worker.register_birth()
    try:
        resp = httpx.get(f"{server.url}/healthz", timeout=5)
    finally:
        worker.register_death()
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "application/json"
    assert resp.json() == {
        "status": "ok",
        "redis": "ok",
        "workers": 1,
        "queues": {
            "entries": {"queued": 0, "started": 0, "failed": 0},
            "alerts": {"queued": 1, "started": 0, "failed": 0},
        },
    }


def test_metrics_is_prometheus_text_with_the_recorded_counts(
    server: HealthServer, redis_client: redis.Redis
) -> None:
    metrics.record_poll(redis_client, "error")
    metrics.record_delivery(redis_client, "sent", 12.0)
    resp = httpx.get(f"{server.url}/metrics", timeout=5)
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/plain; version=0.0.4")
    families = {f.name: f for f in text_string_to_metric_families(resp.text)}
    assert {
        "newsmonitor_polls",
        "newsmonitor_entries",
        "newsmonitor_articles",
        "newsmonitor_events",
        "newsmonitor_alerts",
        "newsmonitor_deliveries",
        "newsmonitor_delivery_lag_seconds",
        "newsmonitor_queue_depth",
        "newsmonitor_queue_started_jobs",
        "newsmonitor_queue_failed_jobs",
        "newsmonitor_workers",
        "newsmonitor_dead_letters",
    } <= set(families)
    assert families["newsmonitor_polls"].type == "counter"
    assert families["newsmonitor_delivery_lag_seconds"].type == "histogram"
    polls = {s.labels["outcome"]: s.value for s in families["newsmonitor_polls"].samples}
    assert polls == {"ok": 0, "unchanged": 0, "error": 1, "backlog": 0}
    lag = {
        s.labels.get("le"): s.value for s in families["newsmonitor_delivery_lag_seconds"].samples
    }
    assert lag["10.0"] == 0 and lag["30.0"] == 1 and lag["+Inf"] == 1


def test_each_scrape_reads_redis_afresh(server: HealthServer, redis_client: redis.Redis) -> None:
    def articles() -> float:
        text = httpx.get(f"{server.url}/metrics", timeout=5).text
        (fam,) = [
            f for f in text_string_to_metric_families(text) if f.name == "newsmonitor_articles"
        ]
        return fam.samples[0].value

    assert articles() == 0
    redis_client.hincrby(keys.metrics(), "articles", 5)  # as a worker on another machine would
    assert articles() == 5


def test_unknown_path_is_404(server: HealthServer) -> None:
    resp = httpx.get(f"{server.url}/nope", timeout=5)
    assert resp.status_code == 404 and "/healthz" in resp.text


def test_redis_down_is_503_naming_the_error() -> None:
    port = free_port()
    down = redis.Redis.from_url(f"redis://127.0.0.1:{port}/0")  # as monitor.redisconn builds it
    s = start_health_server(down, "127.0.0.1", 0)
    try:
        health = httpx.get(f"{s.url}/healthz", timeout=30)
        scrape = httpx.get(f"{s.url}/metrics", timeout=30)
    finally:
        s.shutdown()
    assert health.status_code == 503
    body = health.json()
    assert body["status"] == "error" and str(port) in body["redis"]
    assert scrape.status_code == 503 and scrape.text.startswith("metrics unavailable: redis:")


def test_a_port_in_use_is_a_config_error_naming_it(server: HealthServer) -> None:
    port = server.server_address[1]
    with pytest.raises(ConfigError, match=f"health 127.0.0.1:{port}: cannot listen"):
        start_health_server(server.redis, "127.0.0.1", port)


def test_shutdown_frees_the_port(redis_client: redis.Redis) -> None:
    s = start_health_server(redis_client, "127.0.0.1", 0)
    port = s.server_address[1]
    s.shutdown()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
    start_health_server(redis_client, "127.0.0.1", port).shutdown()  # free again


def test_health_config_defaults_and_validation() -> None:
    cfg = parse_config("{}", "nm.yaml")
    assert (cfg.health.enabled, cfg.health.host, cfg.health.port) == (True, "127.0.0.1", 9464)
    cfg = parse_config("health: {port: 0, host: 0.0.0.0, enabled: false}", "nm.yaml")
    assert (cfg.health.enabled, cfg.health.host, cfg.health.port) == (False, "0.0.0.0", 0)
    with pytest.raises(ConfigError, match=r"nm\.yaml:1"):
        parse_config("health: {prot: 9000}", "nm.yaml")
    with pytest.raises(ConfigError, match="65535"):
        parse_config("health: {port: 70000}", "nm.yaml")
