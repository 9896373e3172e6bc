"""What an alert says about its event, through real RQ to a real webhook receiver: the evidence
is the body sentence that states the event (not the page title), ``matched`` names the
conditions that held, and the event's words name the counted thing."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis
from rq import SimpleWorker
from rq.serializers import JSONSerializer

from monitor.models import Alert, Article, Entry, Event
from monitor.producers import ENTRY_JOB, make_queue
from monitor.rules.compiled import RuleSet
from monitor.rules.publish import publish_ruleset
from tests.rulekit import rule
from tests.servers import LocalHTTPServer, Response
from workers.context import CONFIG_ENV
from workers.render import describe_event, render_payload

TITLE = "Ukraine intercepts 210 Russian drones"
BODY = ("The war goes on. Ukraine's air force said it intercepted 210 Russian drones "
        "overnight, most of them over Kyiv. Nobody was hurt.")


@pytest.fixture
def entry(
    http_server: LocalHTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    redis_client: redis.Redis,
) -> Entry:
    http_server.routes["/hook"] = Response(b"ok")
    cfg = tmp_path / "nm.yaml"
    cfg.write_text(
        f"data_dir: {tmp_path}\nchannels:\n  hook: {{type: webhook, url: "
        f"'{http_server.url('/hook')}'}}\n"
    )
    monkeypatch.setenv(CONFIG_ENV, str(cfg))
    publish_ruleset(redis_client, RuleSet([rule(
        "name: drone-wave\nmatch: {event: interception, count: '>= 100', lang: [en]}\n"
        "notify: [hook]\n"
    )]))
    page = (f"<html lang='en'><head><title>{TITLE}</title></head><body><article>"
            f"<h1>{TITLE}</h1><p>{BODY}</p></article></body></html>").encode()
    http_server.routes["/a/1"] = Response(page, headers={"Content-Type": "text/html"})
    link = http_server.url("/a/1")
    return Entry(feed_name="wire", feed_url=http_server.url("/rss"), link=link,
                 canonical_url=link, lang="en", title=TITLE)


def test_webhook_evidence_matched_and_words(
    entry: Entry, redis_url: str, redis_client: redis.Redis, http_server: LocalHTTPServer
) -> None:
    make_queue("entries", redis_client).enqueue_call(ENTRY_JOB, args=(entry.to_dict(),))
    conn = redis.Redis.from_url(redis_url)
    queues = [make_queue("entries", conn), make_queue("alerts", conn)]
    SimpleWorker(queues, connection=conn, serializer=JSONSerializer).work(burst=True)
    (post,) = http_server.requests_to("/hook")
    body = post.json()
    (event,) = [e for e in body["events"] if e["type"] == "interception"]
    assert event["evidence"].startswith("Ukraine's air force said it intercepted 210")
    assert event["summary"] == "210 drones (interception)"
    assert body["matched"] == ["lang 'en'",
                               "event ['interception'], count >= 100: 1 event(s) (210)"]


def test_text_conditions_are_named_with_the_words_they_matched() -> None:
    from monitor.rules.match import match_rule

    r = rule("name: talks\nmatch:\n  text: '(?i)peace talks'\n  not: {text: exercise}\n"
             "notify: [hook]\n")
    article = Article(id="x", url="https://x.test/a", feed_name="f", feed_url="https://x.test",
                      source="x.test", title=None, lang="en",
                      text="Peace talks will begin in Istanbul next week, both sides said.")
    m = match_rule(RuleSet([r]).compiled[0], article)
    assert m.fired
    assert m.held[0].startswith("text /(?i)peace talks/: “Peace talks will begin")
    assert m.held[1] == "not (text /exercise/)"


def test_words_skip_names_before_the_counted_thing() -> None:
    event = Event("interception", "Ukraine intercepted 210 Russian drones.", "en", count=210)
    assert describe_event(event) == "210 drones (interception)"
    assert describe_event(event.replace(noun="drones")) == "210 drones (interception)"
    dutch = Event("casualties", "Er vielen veertig Oekraïense doden.", "nl", count=40,
                  noun="doden")
    assert describe_event(dutch) == "40 doden (casualties)"


def test_a_payload_without_named_conditions_keeps_the_matched_text() -> None:
    from datetime import UTC, datetime

    article = Article(id="y", url="https://x.test/y", feed_name="f", feed_url="https://x.test",
                      source="x.test", title="t", text="…")
    alert = Alert(id="a", rule="r", article=article, matched=("snippet",))
    assert render_payload(alert, datetime(2025, 3, 1, tzinfo=UTC))["matched"] == ["snippet"]
