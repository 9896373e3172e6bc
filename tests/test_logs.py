"""Logs (item 7): one line per thing that matters, libraries quiet, every line JSON under
--log-format json (also from spawned workers), and each rule decision with its reason."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
import redis
from rq.serializers import JSONSerializer

from monitor import keys
from monitor.config import load_config
from monitor.dedup import enqueue_entry_once
from monitor.logs import setup_logging
from monitor.models import Entry
from monitor.newsworker import NewsWorker
from monitor.producers import enqueue_delivery, make_queue
from monitor.rules.compiled import RuleSet
from monitor.rules.publish import publish_ruleset
from tests.clirun import run_cli
from tests.rulekit import rule
from tests.servers import LocalHTTPServer, Response
from tests.test_deliver import make_alert
from tests.test_stop import PAGE
from workers.context import CONFIG_ENV


def test_spawned_workers_log_every_line_as_json_and_a_failed_try_as_one_line(
    tmp_path: Path, redis_url: str, redis_client: redis.Redis, http_server: LocalHTTPServer
) -> None:
    http_server.routes["/hook"] = Response(b"down for maintenance", status=500)
    cfg = tmp_path / "nm.yaml"
    cfg.write_text(
        f"redis_url: '{redis_url}'\ndata_dir: {tmp_path}\ndelivery: {{retries: 2, backoff: [60]}}\n"
        f"channels:\n  hook: {{type: webhook, url: '{http_server.url('/hook')}'}}\n"
    )
    enqueue_delivery(make_queue(keys.QUEUE_ALERTS, redis_client), make_alert(), "hook", load_config(cfg))
    make_queue(keys.QUEUE_ENTRIES, redis_client).enqueue("tests.jobs.fail_with_a_bug", description="a buggy job")
    proc = run_cli("--config", str(cfg), "--log-format", "json", "worker", "--workers", "1", "--burst")
    assert proc.returncode == 0, proc.stderr
    lines = [line for line in (proc.stdout + proc.stderr).splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line, or this raises
    failed = [r for r in records if "failed" in r["msg"]]
    delivery = [r for r in failed if "a1b2c3" in r["msg"]]
    assert len(delivery) == 1 and delivery[0]["level"] == "warning"
    assert "500" in delivery[0]["msg"] and "try 1 of 3" in delivery[0]["msg"]
    assert "exc" not in delivery[0]  # our own error: the line says it all
    (bug,) = [r for r in failed if "a buggy job" in r["msg"]]
    assert bug["level"] == "error" and "ZeroDivisionError" in bug["exc"]  # a bug keeps its traceback
    chatter = [r for r in records if r["logger"].startswith(("rq", "apscheduler", "httpx")) and r["level"] == "info"]
    assert chatter == []


def test_library_chatter_is_back_with_debug() -> None:
    setup_logging("DEBUG", "text")
    try:
        assert logging.getLogger("rq.worker").isEnabledFor(logging.DEBUG)
        setup_logging("INFO", "text")
        for name in ("rq.worker", "rq.job", "apscheduler.scheduler", "httpx"):
            assert not logging.getLogger(name).isEnabledFor(logging.INFO), name
        assert logging.getLogger("newsmonitor.job").isEnabledFor(logging.INFO)
    finally:
        logging.getLogger().handlers.clear()


def test_a_rule_that_matched_but_did_not_fire_says_why(
    tmp_path: Path,
    redis_url: str,
    redis_client: redis.Redis,
    http_server: LocalHTTPServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    http_server.routes["/hook"] = Response(b"ok")
    cfg = tmp_path / "nm.yaml"
    cfg.write_text(f"data_dir: {tmp_path}\nchannels:\n  hook: {{type: webhook, url: '{http_server.url('/hook')}'}}\n")
    monkeypatch.setenv(CONFIG_ENV, str(cfg))
    publish_ruleset(redis_client, RuleSet([rule("name: drones\nmatch: {event: attack, count: '>= 100'}\nonce_per: story\nnotify: [hook]\n")]))
    queue = make_queue(keys.QUEUE_ENTRIES, redis_client)
    for outlet in ("first", "second"):  # the same report at two outlets: one story
        path = f"/{outlet}/report"
        http_server.routes[path] = Response(PAGE.format(i=1, n=140).encode(), headers={"Content-Type": "text/html"})
        entry = Entry(feed_name=outlet, feed_url=http_server.url(f"/{outlet}.xml"), link=http_server.url(path), title="Report")
        assert enqueue_entry_once(redis_client, queue, entry, 300)
    conn = redis.Redis.from_url(redis_url)
    with caplog.at_level(logging.INFO, logger="newsmonitor"):
        NewsWorker([queue, make_queue(keys.QUEUE_ALERTS, conn)], connection=conn, serializer=JSONSerializer).work(burst=True)
    lines = [r.getMessage() for r in caplog.records if r.name == "newsmonitor.job"]
    first, second = http_server.url("/first/report"), http_server.url("/second/report")
    assert any(line.startswith(f"read {first} from the page: ") for line in lines)
    assert f"rule drones fired on {first}: first alert" in lines
    assert f"rule drones did not fire on {second}: already alerted for this story" in lines
    assert len(http_server.requests_to("/hook")) == 1
