from __future__ import annotations

import pytest
import redis

from monitor import feedstate, keys
from monitor.config import parse_config
from monitor.errors import RuleSetError
from monitor.models import Feed
from monitor.producers import make_queue
from monitor.rules import match_ruleset
from monitor.rules.compiled import RuleSet
from monitor.silence import check_silent_feeds
from tests.rulekit import article, event, rule

HOUR = 3600.0


def test_a_quiet_feed_alerts_once_per_silence(redis_client: redis.Redis) -> None:
    cfg = parse_config("channels:\n  hook: {type: console}\n", "c.yaml")
    rs = RuleSet([rule("name: quiet\nmatch: {feed_silent: 3, feed: '*nos*'}\nnotify: [hook]\n")])
    nos = Feed(url="https://feeds.nos.example/rss", name="nos")
    other = Feed(url="https://other.example/rss", name="other")
    t0 = 1_000_000.0
    for f in (nos, other):  # both usually post every 10 minutes
        feedstate.record_success(redis_client, f.url, None, None, 1, t0)
        feedstate.record_success(redis_client, f.url, None, None, 1, t0 + 600)
    assert check_silent_feeds(redis_client, rs, [nos, other], cfg, t0 + 600 + 1000) == []
    (alert,) = check_silent_feeds(redis_client, rs, [nos, other], cfg, t0 + 600 + 2 * HOUR)
    assert "nos" in (alert.article.title or "") and "silent" in (alert.article.title or "")
    assert check_silent_feeds(redis_client, rs, [nos, other], cfg, t0 + 600 + 3 * HOUR) == []
    assert make_queue(keys.QUEUE_ALERTS, redis_client).count == 1
    # it speaks again, then goes quiet again: a new alert
    feedstate.record_success(redis_client, nos.url, None, None, 1, t0 + 4 * HOUR)
    assert len(check_silent_feeds(redis_client, rs, [nos], cfg, t0 + 9 * HOUR)) == 1


def test_feed_silent_never_fires_on_articles_and_combines_only_with_feed() -> None:
    rs = RuleSet([rule("name: quiet\nmatch: {feed_silent: 2}\nnotify: [hook]\n")])
    assert match_ruleset(rs, article("a", "Er waren 300 aanvallen.", event("attack", 300))) == []
    with pytest.raises(RuleSetError, match="feed_silent is about feeds"):
        rule("name: q\nmatch: {feed_silent: 2, event: attack}\nnotify: [hook]\n")
