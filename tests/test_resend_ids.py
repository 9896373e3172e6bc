"""Deliveries that survive: every send of one alert carries the same id, so a receiver can drop
a repeat — the webhook's Idempotency-Key header (and alert_id in the body), the email's
Message-ID. Real RQ retries and dead-letter replays against the real webhook receiver and a
real SMTP server (aiosmtpd) that refuses on cue.
"""

from __future__ import annotations

from typing import Any

import redis

from monitor import keys
from monitor.deliveries import read_dead_letters, replay_dead_letters
from monitor.producers import enqueue_delivery, make_queue
from tests.servers import LocalHTTPServer, Response, SMTPSink
from tests.test_deliver import make_alert, run_alert_jobs, setup, webhook_channel
from workers.channels.email import message_id

__all__ = ["setup"]  # the fixture, shared with test_deliver


def email_channel(server: SMTPSink, sender: str = "Monitor <nm@example.org>") -> dict[str, Any]:
    return {
        "type": "email",
        "to": ["desk@example.org"],
        "from": sender,
        "smtp_host": "127.0.0.1",
        "smtp_port": server.port,
        "starttls": False,
        "timeout": "2s",
    }


def test_a_webhook_retry_and_a_replay_carry_the_same_idempotency_key(
    setup: Any, redis_client: redis.Redis, http_server: LocalHTTPServer
) -> None:
    http_server.routes["/hook"] = Response(b"down", 500)
    cfg = setup({"ops": webhook_channel(http_server)}, retries=1)
    queue = make_queue(keys.QUEUE_ALERTS, redis_client)
    enqueue_delivery(queue, make_alert(alert_id="f00d"), "ops", cfg)
    run_alert_jobs(redis_client)  # two tries, both 500: a dead letter
    assert len(read_dead_letters(redis_client)) == 1

    http_server.routes["/hook"] = Response(b"ok", 200)
    assert replay_dead_letters(redis_client, queue, cfg) == [keys.delivery_job_id("f00d", "ops")]
    run_alert_jobs(redis_client)
    posts = http_server.requests_to("/hook")
    assert len(posts) == 3  # try, retry, replay
    assert {p.headers["Idempotency-Key"] for p in posts} == {"f00d"}
    assert {p.json()["alert_id"] for p in posts} == {"f00d"}


def test_different_alerts_have_different_keys(
    setup: Any, redis_client: redis.Redis, http_server: LocalHTTPServer
) -> None:
    http_server.routes["/hook"] = Response(b"ok", 200)
    cfg = setup({"ops": webhook_channel(http_server, headers={"Idempotency-Key": "fixed"})})
    queue = make_queue(keys.QUEUE_ALERTS, redis_client)
    for alert_id in ("one", "two"):
        enqueue_delivery(queue, make_alert(alert_id=alert_id), "ops", cfg)
    run_alert_jobs(redis_client)
    # A configured header of the same name cannot override the alert's own key.
    assert [p.headers["Idempotency-Key"] for p in http_server.requests_to("/hook")] == [
        "one",
        "two",
    ]


def test_an_email_retry_and_a_replay_carry_the_same_message_id(
    setup: Any, redis_client: redis.Redis, smtp_server: SMTPSink
) -> None:
    cfg = setup({"desk": email_channel(smtp_server)}, retries=1)
    queue = make_queue(keys.QUEUE_ALERTS, redis_client)
    smtp_server.refuse = 1  # busy once: the retry gets through
    enqueue_delivery(queue, make_alert(alert_id="c0ffee"), "desk", cfg)
    run_alert_jobs(redis_client)
    (refused,) = smtp_server.refused
    (accepted,) = smtp_server.messages
    assert refused["Message-ID"] == accepted["Message-ID"]

    smtp_server.refuse = 2  # busy for both tries of a second delivery: a dead letter
    enqueue_delivery(queue, make_alert(alert_id="beef"), "desk", cfg)
    run_alert_jobs(redis_client)
    assert len(read_dead_letters(redis_client)) == 1
    replay_dead_letters(redis_client, queue, cfg)
    run_alert_jobs(redis_client)
    beef = [m["Message-ID"] for m in smtp_server.refused[1:] + smtp_server.messages[1:]]
    assert len(beef) == 3 and len(set(beef)) == 1  # try, retry, replay
    assert beef[0] != accepted["Message-ID"]
    assert accepted["Message-ID"] == message_id("c0ffee", "desk", "nm@example.org")
    assert accepted["X-Newsmonitor-Alert"] == "c0ffee"


def test_message_ids_are_valid_and_differ_per_channel() -> None:
    one = message_id("a1b2c3", "desk", "Monitor <nm@example.org>")
    assert one.startswith("<a1b2c3.") and one.endswith("@example.org>")
    assert one == message_id("a1b2c3", "desk", "nm@example.org")
    assert one != message_id("a1b2c3", "newsroom", "nm@example.org")
    odd = message_id("a<b>c d", "x", "no-address")
    assert odd.startswith("<abcd.") and odd.endswith("@newsmonitor.invalid>")
