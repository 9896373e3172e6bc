"""A liveblog grows under one URL: each new reading alerts on its new items only."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis
from rq import SimpleWorker
from rq.serializers import JSONSerializer

from monitor.dedup import enqueue_entry_once
from monitor.models import Entry
from monitor.producers import make_queue
from monitor.rules.compiled import RuleSet
from monitor.rules.publish import publish_ruleset
from tests.rulekit import rule
from tests.servers import LocalHTTPServer, Response
from workers.articles import load_article
from workers.context import CONFIG_ENV
from workers.liveblog import new_paragraphs

ITEMS = [
    "10:02 De gouverneur meldt dat de luchtverdediging de hele nacht actief was boven de regio.",
    "10:40 Volgens de luchtmacht zijn er vannacht 145 aanvallen met drones geweest op het land.",
    "11:15 In de hoofdstad zijn bij een raketaanval op een woonwijk 12 doden gevallen, meldt de burgemeester.",
]


def page(items: list[str]) -> bytes:
    paras = "".join(f"<p>{i}</p>" for i in items)
    return f"<html lang='nl'><body><article><h1>Liveblog oorlog</h1>{paras}</article></body></html>".encode()


def test_new_paragraphs_only() -> None:
    assert new_paragraphs("a\nb", "a\n b \nc\nd") == "c\nd"
    assert new_paragraphs("a", "a") == ""


@pytest.fixture
def setup(http_server: LocalHTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, redis_client: redis.Redis):  # type: ignore[no-untyped-def]
    http_server.routes["/hook"] = Response(b"ok")
    cfg = tmp_path / "nm.yaml"
    cfg.write_text(f"data_dir: {tmp_path}\nchannels:\n  hook: {{type: webhook, url: '{http_server.url('/hook')}'}}\n")
    monkeypatch.setenv(CONFIG_ENV, str(cfg))
    publish_ruleset(redis_client, RuleSet([
        rule("name: drones\nmatch: {event: attack, count: '>= 100'}\nnotify: [hook]\n"),
        rule("name: toll\nmatch: {event: casualties, count: '>= 10'}\nnotify: [hook]\n"),
    ]))


def process(redis_url: str, http_server: LocalHTTPServer, items: list[str], updated: str) -> None:
    http_server.routes["/live"] = Response(page(items), headers={"Content-Type": "text/html"})
    link = http_server.url("/live")
    conn = redis.Redis.from_url(redis_url)
    entry = Entry(feed_name="live", feed_url=http_server.url("/rss"), link=link, canonical_url=link, guid="live", updated=updated, lang="nl")
    assert enqueue_entry_once(conn, make_queue("entries", conn), entry, 60)
    queues = [make_queue("entries", conn), make_queue("alerts", conn)]
    SimpleWorker(queues, connection=conn, serializer=JSONSerializer).work(burst=True)


def test_each_new_item_alerts_once_with_its_own_evidence(setup, redis_url: str, redis_client: redis.Redis, http_server: LocalHTTPServer) -> None:  # type: ignore[no-untyped-def]
    process(redis_url, http_server, ITEMS[:1], "2025-02-16T10:05:00Z")
    assert http_server.requests_to("/hook") == []
    process(redis_url, http_server, ITEMS[:2], "2025-02-16T10:45:00Z")
    (first,) = [p.json() for p in http_server.requests_to("/hook")]
    assert first["rule"] == "drones" and "145 aanvallen" in first["events"][0]["evidence"]
    process(redis_url, http_server, ITEMS, "2025-02-16T11:20:00Z")
    posts = [p.json() for p in http_server.requests_to("/hook")]
    assert [p["rule"] for p in posts] == ["drones", "toll"]
    assert "12 doden" in posts[1]["events"][0]["evidence"]
    stored = next(a for a in [load_article(redis_client, k.decode()) for k in redis_client.zrange("nm:articles", 0, -1)] if a and a.url.endswith("/live"))
    assert {e.type for e in stored.events} >= {"attack", "casualties"}
