"""One story, five outlets, two languages: one alert per rule and channel, through real RQ."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis
from rq import SimpleWorker
from rq.serializers import JSONSerializer

from monitor.models import Entry
from monitor.producers import ENTRY_JOB, make_queue
from monitor.rules.compiled import RuleSet
from monitor.rules.publish import publish_ruleset
from tests.rulekit import DUTCH_REPORT, ENGLISH_REPORT, rule
from tests.servers import LocalHTTPServer, Response
from workers.context import CONFIG_ENV

INTROS_NL = ["Het leger meldt:", "Uit het oosten:", "Van onze correspondent:"]
INTROS_EN = ["The army said:", "From the east:"]


def page(title: str, text: str, lang: str) -> bytes:
    return (
        f"<html lang='{lang}'><head><title>{title}</title></head><body><article><h1>{title}</h1>"
        f"<p>{text}</p></article></body></html>"
    ).encode()


@pytest.fixture
def site(
    http_server: LocalHTTPServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    redis_client: redis.Redis,
):  # type: ignore[no-untyped-def]
    http_server.routes["/hook"] = Response(b"ok")
    cfg = tmp_path / "nm.yaml"
    cfg.write_text(
        f"data_dir: {tmp_path}\nchannels:\n  hook: {{type: webhook, url: '{http_server.url('/hook')}'}}\n"
        "  console: {type: console}\n"
    )
    monkeypatch.setenv(CONFIG_ENV, str(cfg))
    ruleset = RuleSet(
        [
            rule(
                "name: big-combat\nmatch: {event: combat, count: '>= 100'}\nnotify: [hook, console]\n"
            ),
        ]
    )
    publish_ruleset(redis_client, ruleset)
    entries = []
    copies = [(f"nl{i}", intro, DUTCH_REPORT, "nl") for i, intro in enumerate(INTROS_NL)]
    copies += [(f"en{i}", intro, ENGLISH_REPORT, "en") for i, intro in enumerate(INTROS_EN)]
    for name, intro, text, lang in copies:
        path = f"/{name}/story.html"
        http_server.routes[path] = Response(
            page(f"{intro} zware dag", f"{intro} {text}", lang),
            headers={"Content-Type": "text/html"},
        )
        link = http_server.url(path)
        entries.append(
            Entry(
                feed_name=name,
                feed_url=http_server.url(f"/{name}/rss"),
                link=link,
                canonical_url=link,
                lang=lang,
            )
        )
    return entries


def run_all(redis_url: str) -> None:
    conn = redis.Redis.from_url(redis_url)
    queues = [make_queue("entries", conn), make_queue("alerts", conn)]
    SimpleWorker(queues, connection=conn, serializer=JSONSerializer).work(burst=True)


def test_five_feeds_two_languages_one_alert_per_rule_and_channel(
    site,
    redis_url: str,
    redis_client: redis.Redis,
    http_server: LocalHTTPServer,
    capsys: pytest.CaptureFixture[str],
) -> None:  # type: ignore[no-untyped-def]
    q = make_queue("entries", redis_client)
    for e in site:
        q.enqueue_call(ENTRY_JOB, args=(e.to_dict(),))
    run_all(redis_url)
    posts = http_server.requests_to("/hook")
    assert len(posts) == 1
    body = posts[0].json()
    assert body["rule"] == "big-combat" and any(ev["count"] == 261 for ev in body["events"])
    assert capsys.readouterr().out.count("big-combat") >= 1

    # Every job again (a retried or duplicated job): still one alert per channel.
    for e in site:
        q.enqueue_call(ENTRY_JOB, args=(e.to_dict(),))
    run_all(redis_url)
    assert len(http_server.requests_to("/hook")) == 1
