"""The three shapes of alert id, pinned: they are stored in Redis (sent guards, delivery
states) and sent as Idempotency-Key and Message-ID, so a refactor must not change one byte."""

from __future__ import annotations

from types import SimpleNamespace

from monitor.digests import digest_alert
from monitor.feeds.silence import silence_alert
from monitor.models import Feed
from tests.rulekit import DUTCH_REPORT, article, event, rule
from workers.alerting import build_alert
from workers.decide import Action, Decision
from workers.stories import Story

TOLL = "name: toll\nmatch: {event: casualties}\nnotify: [hook]\n"


def _story() -> Story:
    return Story("story-1", "art-1", True, ("news.example",), 1, {})


def _match(*events: object) -> SimpleNamespace:
    return SimpleNamespace(events=events, matched=(), held=())


def test_an_entry_alert_id_is_the_rule_and_its_story_or_article() -> None:
    a = article("art-1", DUTCH_REPORT, event("casualties", 30))
    m = _match(*a.events)
    first = Decision(Action.SEND, "first alert")
    update = Decision(Action.SEND, "count rose", update=True)
    by_story = build_alert(rule(TOLL), m, a, _story(), first)  # type: ignore[arg-type]
    by_article = build_alert(rule(TOLL + "once_per: article\n"), m, a, _story(), first)  # type: ignore[arg-type]
    updated = build_alert(rule(TOLL), m, a, _story(), update)  # type: ignore[arg-type]
    assert by_story.id == "994b0b971399ddfdae97568e"  # sha256("toll\0s:story-1")[:24]
    assert by_article.id == "ab310c76573c103cef0bd5a8"  # sha256("toll\0a:art-1")[:24]
    assert updated.id == "0349e4ebb8e1cba9e2b14bb2"  # sha256("toll\0s:story-1:30")[:24]


def test_a_digest_id_is_the_rule_and_the_ids_it_batches() -> None:
    a = article("art-1", DUTCH_REPORT)
    items = [
        build_alert(rule(TOLL), _match(), a, _story(), Decision(Action.SEND, "x"))  # type: ignore[arg-type]
        for _ in range(2)
    ]
    items = [items[0].replace(id="aaa"), items[1].replace(id="bbb")]
    assert digest_alert(rule(TOLL), items).id == "dg68437d98c6832a3eed20db"


def test_a_silence_id_is_the_rule_the_feed_and_its_last_entry() -> None:
    feed = Feed(url="https://feed.example/rss", name="feed")
    state = SimpleNamespace(last_new_at=1700000000.0, avg_gap=600.0)
    alert = silence_alert(rule(TOLL), feed, state, 1700009000.0)  # type: ignore[arg-type]
    assert alert.id == "sl8485bf8248a3dc53a01d77"  # "sl" + sha256("toll\0<url>\0<last>")[:22]
    assert alert.created_at == "2023-11-15T00:43:20Z"
