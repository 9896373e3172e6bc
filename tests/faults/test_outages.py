"""What the daemon depends on goes away: Redis, the mail server, the webhook.

Each outage strikes while alerts are due; when the service is back (or, for dead letters, an
operator runs ``newsmonitor deliveries retry --all``) every alert must arrive, once per id.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.faults.ledger import EMAIL, WEBHOOK, Receivers
from tests.faults.newsroom import Newsroom
from tests.faults.redisproc import RedisServer
from tests.faults.rig import Daemon, MemoryWatch, cleanup, cli
from tests.faults.steps import (
    Record,
    all_arrive,
    assert_clean,
    count_row,
    hook_config,
    site_config,
)
from tests.servers import LocalHTTPServer, SMTPSink, wait_for

REDIS_DOWN = 5.0
SMTP_DOWN = 120.0


@pytest.mark.faults
def test_redis_shut_down_and_restarted_mid_burst(
    tmp_path: Path, http_server: LocalHTTPServer, record_row: Record
) -> None:
    room, rx = Newsroom(http_server, page_delay=0.3), Receivers(http_server)
    redis = RedisServer(tmp_path / "redis").start()
    daemon = Daemon(hook_config(tmp_path, room, rx), tmp_path / "daemon.log", redis_url=redis.url)
    try:
        daemon.start().wait_ready()
        workers = sorted(daemon.workers())
        with MemoryWatch(daemon).watching() as memory:
            links = room.publish(100)
            wait_for(lambda: len(rx.articles(WEBHOOK)) >= 20, 60)
            down = redis.stop()
            time.sleep(REDIS_DOWN)
            back = redis.start() and time.time()
            all_arrive(rx, WEBHOOK, links, 120)
        scenario = f"Redis shut down {REDIS_DOWN:.0f} s mid-burst and restarted (AOF)"
        row = count_row(record_row, scenario, rx, (WEBHOOK, links), [down], back, memory.peak)
        assert sorted(daemon.workers()) == workers, "a worker died in the outage"
        assert daemon.said("redis unreachable") and daemon.said("redis reachable again")
        assert daemon.alive() and daemon.stop() == 0
        assert_clean(row, daemon)
    finally:
        cleanup(tmp_path, daemon)
        redis.stop()


@pytest.mark.faults
def test_the_mail_server_down_for_two_minutes_then_back(
    tmp_path: Path, http_server: LocalHTTPServer, record_row: Record
) -> None:
    room, rx = Newsroom(http_server), Receivers(http_server, SMTPSink().start())
    # Every 10 s after the first 5 s, 30 times: the outage is ridden out, not dead-lettered.
    delivery = {"retries": 30, "backoff": [5, 10]}
    cfg = site_config(tmp_path, room, {"mail": rx.email_channel()}, delivery=delivery)
    daemon = Daemon(cfg, tmp_path / "daemon.log", workers=2)
    try:
        daemon.start().wait_ready()
        with MemoryWatch(daemon).watching() as memory:
            links = room.publish(10)
            wait_for(lambda: rx.articles(EMAIL) >= set(links), 60)
            down = rx.stop_smtp()
            links += room.publish(30)
            time.sleep(SMTP_DOWN)
            back = rx.restart_smtp()
            all_arrive(rx, EMAIL, links, 60)
        scenario = f"SMTP server down {SMTP_DOWN:.0f} s, then back"
        row = count_row(record_row, scenario, rx, (EMAIL, links), [down], back, memory.peak)
        assert daemon.said("will retry"), "the failed tries were not logged"
        assert not daemon.said("failed for good")
        assert daemon.alive() and daemon.stop() == 0
        assert_clean(row, daemon)
    finally:
        cleanup(tmp_path, daemon)
        if rx.smtp is not None:
            rx.smtp.stop()


def dead_letters(cfg: Path) -> list[dict[str, object]]:
    """``newsmonitor deliveries --failed --json``, as an operator reads them."""
    done = cli(cfg, "deliveries", "--failed", "--json")
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def webhook_down_then_retried(
    tmp_path: Path, http: LocalHTTPServer, record: Record, entries: int
) -> None:
    room, rx = Newsroom(http), Receivers(http)
    rx.hook_status = 500
    cfg = hook_config(tmp_path, room, rx, delivery={"retries": 2, "backoff": [1, 1]})
    daemon = Daemon(cfg, tmp_path / "daemon.log", workers=2)
    try:
        daemon.start().wait_ready()
        memory = MemoryWatch(daemon)
        links = room.publish(entries)
        with memory.watching():
            wait_for(lambda: len(daemon.said("failed for good")) >= entries, 90)
            letters = dead_letters(cfg)
            refused = {a.alert_id for a in rx.arrivals() if not a.accepted}
            rx.hook_status = 200
            retried = time.time()
            done = cli(cfg, "deliveries", "retry", "--all")
            all_arrive(rx, WEBHOOK, links, 60)
        scenario = "webhook answering 500: dead letters, then `deliveries retry --all`"
        row = count_row(record, scenario, rx, (WEBHOOK, links), [], retried, memory.peak)
        assert {d["alert"]["article"]["url"] for d in letters} == set(links)  # type: ignore[index]
        assert done.returncode == 0, done.stderr
        tries = [a for a in rx.arrivals() if not a.accepted]
        assert len(tries) == 3 * entries, "each alert: a first try and two retries"
        assert {a.alert_id for a in rx.arrivals() if a.accepted} == refused, "a new id on replay"
        assert dead_letters(cfg) == []
        assert daemon.alive() and daemon.stop() == 0
        assert_clean(row, daemon)
    finally:
        cleanup(tmp_path, daemon)


@pytest.mark.slow
@pytest.mark.fast_fault
def test_webhook_down_dead_letters_then_retried_fast(
    tmp_path: Path, http_server: LocalHTTPServer, record_row: Record
) -> None:
    webhook_down_then_retried(tmp_path, http_server, record_row, entries=10)


@pytest.mark.faults
def test_webhook_answering_500_dead_letters_then_retry_all(
    tmp_path: Path, http_server: LocalHTTPServer, record_row: Record
) -> None:
    webhook_down_then_retried(tmp_path, http_server, record_row, entries=50)
