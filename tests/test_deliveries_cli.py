"""``newsmonitor deliveries``: listing, dead letters and replay, end to end on real RQ and Redis.

The command is driven through its own argparse registration with the global ``--config`` option,
as monitor.cli builds it; the registry itself imports every command, so a problem in another
command cannot hide a delivery bug here.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
import redis

from monitor import cli, keys
from monitor.commands import deliveries
from monitor.deliveries import read_dead_letters, read_deliveries
from monitor.producers import enqueue_delivery, make_queue
from tests.servers import LocalHTTPServer, Response
from tests.test_deliver import make_alert, run_alert_jobs, use_config, webhook_channel, write_config


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="newsmonitor")
    parser.add_argument("--config", "-c")
    deliveries.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


@pytest.fixture
def config(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    redis_client: redis.Redis,
    redis_url: str,
    http_server: LocalHTTPServer,
) -> str:
    path = write_config(tmp_path, {"ops": webhook_channel(http_server)}, redis_url, retries=1)
    use_config(monkeypatch, path)
    return str(path)


def fail_two_alerts(config: str, conn: redis.Redis, server: LocalHTTPServer) -> None:
    from monitor.config import load_config

    server.routes["/hook"] = Response(b"gone", 410)
    queue = make_queue(keys.QUEUE_ALERTS, conn)
    for alert_id in ("first", "second"):
        enqueue_delivery(queue, make_alert(alert_id=alert_id), "ops", load_config(config))
    run_alert_jobs(conn)
    assert len(read_dead_letters(conn)) == 2


def test_the_command_is_registered() -> None:
    assert "monitor.commands.deliveries" in cli.COMMAND_MODULES


def test_failed_lists_dead_letters_with_their_error(
    config: str,
    redis_client: redis.Redis,
    http_server: LocalHTTPServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fail_two_alerts(config, redis_client, http_server)
    assert run(["--config", config, "deliveries", "--failed"]) == 0
    out = capsys.readouterr().out
    assert keys.delivery_job_id("first", "ops") in out and "HTTP 410" in out
    assert "https://news.example.org/a/1" in out
    assert run(["--config", config, "deliveries"]) == 0
    assert capsys.readouterr().out.count("FAILED") == 2


def test_retry_all_replays_and_empties_the_list(
    config: str,
    redis_client: redis.Redis,
    http_server: LocalHTTPServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fail_two_alerts(config, redis_client, http_server)
    http_server.routes["/hook"] = Response(b"ok", 200)  # the receiver is fixed
    assert run(["--config", config, "deliveries", "retry", "--all"]) == 0
    assert "2 dead letter(s) re-enqueued" in capsys.readouterr().out
    assert read_dead_letters(redis_client) == []
    run_alert_jobs(redis_client)
    posts = [r.json()["alert_id"] for r in http_server.requests_to("/hook")[2:]]
    assert sorted(posts) == ["first", "second"]
    assert [d.ok for d in read_deliveries(redis_client)][:2] == [True, True]
    assert run(["--config", config, "deliveries", "retry", "--all"]) == 0  # nothing left
    run_alert_jobs(redis_client)
    assert len(http_server.requests_to("/hook")) == 4


def test_retry_by_id_leaves_the_others(
    config: str,
    redis_client: redis.Redis,
    http_server: LocalHTTPServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fail_two_alerts(config, redis_client, http_server)
    wanted = keys.delivery_job_id("second", "ops")
    assert run(["--config", config, "deliveries", "retry", wanted, "no-such-id"]) == 1
    captured = capsys.readouterr()
    assert f"re-enqueued {wanted}" in captured.out and "no-such-id" in captured.err
    assert [d.alert["id"] for d in read_dead_letters(redis_client)] == ["first"]


def test_replay_of_an_alert_already_sent_sends_nothing(
    config: str,
    redis_client: redis.Redis,
    http_server: LocalHTTPServer,
) -> None:
    fail_two_alerts(config, redis_client, http_server)
    # Someone delivered "first" meanwhile (e.g. a replay that crashed after enqueueing).
    redis_client.set(keys.sent("first", "ops"), "2025-01-01T00:00:00+00:00")
    http_server.routes["/hook"] = Response(b"ok", 200)
    assert run(["--config", config, "deliveries", "retry", "--all"]) == 0
    run_alert_jobs(redis_client)
    assert [r.json()["alert_id"] for r in http_server.requests_to("/hook")[2:]] == ["second"]
