"""The delivery job on real RQ and Redis: exactly once, retries, dead letters, no leaked secrets.

The helpers at the top (an alert, a config file, a burst worker) are shared with the channel and
CLI tests, which import them from here.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
import redis
from rq import SimpleWorker
from rq.serializers import JSONSerializer

from monitor import keys
from monitor.config import load_config
from monitor.deliveries import read_dead_letters, read_deliveries
from monitor.errors import DeliveryError
from monitor.locks import LockOwner
from monitor.models import Alert, Article, Event
from monitor.producers import enqueue_delivery, make_queue
from tests.servers import LocalHTTPServer, Request, Response, SMTPSink, free_port
from workers.context import CONFIG_ENV
from workers.deliver import deliver_alert

SECRET = "s3cr3t-hmac-key-0123"
SMTP_PASSWORD = "pw-never-logged-987"


def make_alert(title: str = "Oekraïne meldt 261 gevechten", alert_id: str = "a1b2c3") -> Alert:
    article = Article(
        id="art1",
        url="https://news.example.org/a/1",
        feed_name="example-world",
        feed_url="https://news.example.org/feed.xml",
        source="news.example.org",
        title=title,
        text="Er waren gisteren 261 gevechten aan het front.",
        lang="nl",
        published="2025-03-01T10:00:00+00:00",
    )
    evidence = "Er waren gisteren 261 gevechten aan het front."
    event = Event(type="combat", count=261, evidence=evidence, lang="nl")
    return Alert(id=alert_id, rule="large-attack-count", article=article, events=(event,))


def write_config(
    tmp_path: Path, channels: dict[str, Any], redis_url: str, retries: int = 2
) -> Path:
    data = {
        "redis_url": redis_url,
        "data_dir": str(tmp_path / "data"),
        "channels": channels,
        "delivery": {"retries": retries, "backoff": [0]},
    }
    path = tmp_path / f"newsmonitor-{len(list(tmp_path.glob('*.yaml')))}.yaml"
    path.write_text(json.dumps(data), encoding="utf-8")  # JSON is YAML
    return path


def use_config(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv(CONFIG_ENV, str(path))


def run_alert_jobs(conn: redis.Redis) -> None:
    queue = make_queue(keys.QUEUE_ALERTS, conn)
    SimpleWorker([queue], connection=conn, serializer=JSONSerializer).work(burst=True)


def webhook_channel(server: LocalHTTPServer, path: str = "/hook", **extra: Any) -> dict[str, Any]:
    return {"type": "webhook", "url": server.url(path), "secret": SECRET, "timeout": "2s", **extra}


@pytest.fixture
def setup(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    redis_client: redis.Redis,
    redis_url: str,
    http_server: LocalHTTPServer,
) -> Any:
    """Configure channels, enqueue one alert per channel, return a runner."""

    def configure(channels: dict[str, Any], retries: int = 2) -> Any:
        path = write_config(tmp_path, channels, redis_url, retries)
        use_config(monkeypatch, path)
        return load_config(path)

    return configure


def test_500_then_200_is_delivered_once(
    setup: Any, redis_client: redis.Redis, http_server: LocalHTTPServer
) -> None:
    answers = iter([Response(b"down", 500), Response(b"ok", 200)])
    http_server.routes["/hook"] = lambda req: next(answers, Response(b"ok", 200))
    cfg = setup({"ops": webhook_channel(http_server)})
    enqueue_delivery(make_queue(keys.QUEUE_ALERTS, redis_client), make_alert(), "ops", cfg)
    run_alert_jobs(redis_client)
    assert len(http_server.requests_to("/hook")) == 2
    assert read_dead_letters(redis_client) == []
    (record,) = read_deliveries(redis_client)
    assert record.ok and record.attempts == 2 and record.rule == "large-attack-count"
    assert redis_client.exists(keys.sent("a1b2c3", "ops"))


def test_400_goes_to_dead_letters_without_retry(
    setup: Any, redis_client: redis.Redis, http_server: LocalHTTPServer
) -> None:
    http_server.routes["/hook"] = Response(b"bad", 400)
    cfg = setup({"ops": webhook_channel(http_server)}, retries=3)
    enqueue_delivery(make_queue(keys.QUEUE_ALERTS, redis_client), make_alert(), "ops", cfg)
    run_alert_jobs(redis_client)
    assert len(http_server.requests_to("/hook")) == 1
    (letter,) = read_dead_letters(redis_client)
    assert letter.channel == "ops" and letter.attempts == 1
    assert "HTTP 400" in letter.error and letter.error_type == "PermanentDeliveryError"
    assert letter.alert["id"] == "a1b2c3"
    assert not read_deliveries(redis_client)[0].ok


def test_duplicate_and_repeated_jobs_send_one_post(
    setup: Any, redis_client: redis.Redis, http_server: LocalHTTPServer
) -> None:
    http_server.routes["/hook"] = Response(b"ok", 200)
    cfg = setup({"ops": webhook_channel(http_server)})
    queue = make_queue(keys.QUEUE_ALERTS, redis_client)
    assert enqueue_delivery(queue, make_alert(), "ops", cfg) is not None
    assert enqueue_delivery(queue, make_alert(), "ops", cfg) is None  # same job id: refused
    # A second copy under another job id (e.g. a replay racing the original) and a re-run.
    enqueue_delivery(queue, make_alert(), "ops", cfg, job_id="copy-1")
    run_alert_jobs(redis_client)
    enqueue_delivery(queue, make_alert(), "ops", cfg, job_id="copy-2")
    run_alert_jobs(redis_client)
    assert len(http_server.requests_to("/hook")) == 1
    assert [d.ok for d in read_deliveries(redis_client)] == [True]


def test_a_held_sending_lock_keeps_a_second_copy_out(
    setup: Any, redis_client: redis.Redis, http_server: LocalHTTPServer
) -> None:
    http_server.routes["/hook"] = Response(b"ok", 200)
    cfg = setup({"ops": webhook_channel(http_server)}, retries=1)
    lock = keys.sending("a1b2c3", "ops")
    redis_client.set(lock, "some-other-job:token", ex=60)
    with pytest.raises(DeliveryError, match="being sent by another job") as info:
        deliver_alert(redis_client, make_alert(), "ops", cfg)
    assert info.value.retryable
    # Through RQ: retried, never sent while the lock is held, then kept as a dead letter.
    enqueue_delivery(make_queue(keys.QUEUE_ALERTS, redis_client), make_alert(), "ops", cfg)
    run_alert_jobs(redis_client)
    assert http_server.requests_to("/hook") == []
    assert read_dead_letters(redis_client)[0].attempts == 2
    redis_client.delete(lock)
    assert deliver_alert(redis_client, make_alert(), "ops", cfg) == "sent"
    assert not redis_client.exists(lock)  # released after sending


def test_a_lock_left_by_a_dead_run_of_the_same_job_is_taken_over(
    setup: Any, redis_client: redis.Redis, http_server: LocalHTTPServer
) -> None:
    http_server.routes["/hook"] = Response(b"ok", 200)
    cfg = setup({"ops": webhook_channel(http_server)})
    job_id = keys.delivery_job_id("a1b2c3", "ops")
    # The token a run leaves (monitor.locks): its job and its worker, here one that was killed
    # (no liveness key).
    dead_run = LockOwner(job_id, "killed-worker").token()
    redis_client.set(keys.sending("a1b2c3", "ops"), dead_run, ex=600)
    enqueue_delivery(make_queue(keys.QUEUE_ALERTS, redis_client), make_alert(), "ops", cfg)
    run_alert_jobs(redis_client)
    assert len(http_server.requests_to("/hook")) == 1
    assert read_dead_letters(redis_client) == []


def test_smtp_down_retries_then_dead_letter(setup: Any, redis_client: redis.Redis) -> None:
    channel = {
        "type": "email",
        "to": ["desk@example.org"],
        "from": "nm@example.org",
        "smtp_host": "127.0.0.1",
        "smtp_port": free_port(),
        "starttls": False,
        "timeout": "2s",
    }
    cfg = setup({"desk": channel}, retries=2)
    enqueue_delivery(make_queue(keys.QUEUE_ALERTS, redis_client), make_alert(), "desk", cfg)
    run_alert_jobs(redis_client)
    (letter,) = read_dead_letters(redis_client)
    assert letter.attempts == 3 and letter.error_type == "DeliveryError"
    assert "smtp 127.0.0.1" in letter.error and "refused" in letter.error.lower()


def test_email_through_the_worker(
    setup: Any, redis_client: redis.Redis, smtp_server: SMTPSink
) -> None:
    channel = {
        "type": "email",
        "to": ["desk@example.org"],
        "from": "nm@example.org",
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp_server.port,
        "starttls": False,
    }
    cfg = setup({"desk": channel})
    enqueue_delivery(make_queue(keys.QUEUE_ALERTS, redis_client), make_alert(), "desk", cfg)
    run_alert_jobs(redis_client)
    (msg,) = smtp_server.messages
    assert "261 gevechten (combat)" in msg["Subject"]
    assert read_deliveries(redis_client)[0].ok


def test_unknown_channel_is_a_dead_letter(setup: Any, redis_client: redis.Redis) -> None:
    cfg = setup({"console": {"type": "console"}})
    enqueue_delivery(make_queue(keys.QUEUE_ALERTS, redis_client), make_alert(), "gone", cfg)
    run_alert_jobs(redis_client)
    (letter,) = read_dead_letters(redis_client)
    assert "channel gone" in letter.error


def test_secrets_stay_out_of_logs_and_str(
    setup: Any,
    redis_client: redis.Redis,
    http_server: LocalHTTPServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    seen: list[Request] = []

    def fail(req: Request) -> Response:
        seen.append(req)
        return Response(b"nope", 503 if len(seen) == 1 else 401)

    http_server.routes["/hook"] = fail
    hook = webhook_channel(http_server, headers={"Authorization": "Bearer tok-abc-999"})
    mail = {
        "type": "email",
        "to": ["d@example.org"],
        "from": "n@example.org",
        "smtp_host": "127.0.0.1",
        "smtp_port": free_port(),
        "starttls": False,
        "username": "nm",
        "password": SMTP_PASSWORD,
    }
    cfg = setup({"ops": hook, "desk": mail}, retries=1)
    queue = make_queue(keys.QUEUE_ALERTS, redis_client)
    for name in ("ops", "desk"):
        enqueue_delivery(queue, make_alert(), name, cfg)
    run_alert_jobs(redis_client)
    assert seen[0].headers["Authorization"] == "Bearer tok-abc-999"  # it was used...
    dead = json.dumps([x.to_dict() for x in read_dead_letters(redis_client)])
    for secret in (SECRET, SMTP_PASSWORD, "tok-abc-999"):  # ...but never shown
        assert secret not in caplog.text
        assert secret not in dead
        assert all(secret not in str(c) and secret not in repr(c) for c in cfg.channels.values())
    assert "will retry" in caplog.text and "failed for good" in caplog.text
