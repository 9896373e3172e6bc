from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import pytest
import redis
from rq import SimpleWorker
from rq.serializers import JSONSerializer

from monitor.dedup import enqueue_entry_once
from monitor.models import Entry
from monitor.producers import make_queue
from monitor.rules.publish import RulesetCache
from monitor.rules.watch import RulesWatcher
from tests.servers import LocalHTTPServer, Response

GOOD = "name: talks\nmatch: {text: '(?i)overleg'}\nnotify: [console]\n"


def test_edit_add_delete_take_effect_and_a_bad_edit_keeps_the_last_good(
    tmp_path: Path, redis_client: redis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "talks.yaml").write_text(GOOD)
    watcher = RulesWatcher(tmp_path, {"console"}, redis_client)
    cache = RulesetCache()
    watcher.load_initial()
    assert [r.name for r in cache.get(redis_client).rules] == ["talks"]
    assert watcher.check() is False  # nothing changed

    (tmp_path / "extra.yaml").write_text("name: extra\nmatch: {event: attack}\nnotify: [console]\n")
    assert watcher.check() is True
    assert {r.name for r in cache.get(redis_client).rules} == {"talks", "extra"}

    with caplog.at_level(logging.ERROR):
        (tmp_path / "talks.yaml").write_text(GOOD + "cooldwn: 6h\n")
        assert watcher.check() is False
    assert "talks.yaml:4:1: unknown key 'cooldwn', did you mean 'cooldown'?" in caplog.text
    assert "keeping the last good ruleset" in caplog.text
    assert {r.name for r in cache.get(redis_client).rules} == {"talks", "extra"}

    (tmp_path / "talks.yaml").write_text(GOOD.replace("overleg", "onderhandel"))
    (tmp_path / "extra.yaml").unlink()
    assert watcher.check() is True
    (rule,) = cache.get(redis_client).rules
    assert rule.match.text == "(?i)onderhandel"


def test_a_rule_edit_during_a_burst_loses_no_article(
    tmp_path: Path,
    redis_url: str,
    redis_client: redis.Redis,
    http_server: LocalHTTPServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "talks.yaml").write_text(GOOD)
    cfg = tmp_path / "nm.yaml"
    cfg.write_text(f"data_dir: {tmp_path}\nchannels:\n  console: {{type: console}}\n")
    monkeypatch.setenv("NEWSMONITOR_CONFIG", str(cfg))
    watcher = RulesWatcher(rules, {"console"}, redis_client)
    watcher.load_initial()
    queue = make_queue("entries", redis_client)
    n = 30
    for i in range(n):
        body = (
            f"<html><body><article><p>Bericht {i}: het overleg gaat door, meldt de woordvoerder"
            " van de delegatie.</p></article></body></html>"
        )
        http_server.routes[f"/a/{i}"] = Response(
            body.encode(), headers={"Content-Type": "text/html"}
        )
        link = http_server.url(f"/a/{i}")
        entry = Entry(
            feed_name="t",
            feed_url=http_server.url("/rss"),
            link=link,
            canonical_url=link,
            title=f"Bericht {i}",
        )
        assert enqueue_entry_once(redis_client, queue, entry, 60)

    def edit_rules() -> None:
        for k in range(10):
            (rules / "talks.yaml").write_text(GOOD.replace("talks", f"talks{k}"))
            watcher.check()
            time.sleep(0.02)

    editor = threading.Thread(target=edit_rules)
    editor.start()
    SimpleWorker(
        [queue], connection=redis.Redis.from_url(redis_url), serializer=JSONSerializer
    ).work(burst=True)
    editor.join()
    assert queue.count == 0
    assert len(queue.finished_job_registry) == n
    assert redis_client.zcard("nm:articles") == n
