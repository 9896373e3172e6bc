"""The built-in ``feed_silent`` condition: alert when a feed has gone quiet.

A feed that stops producing entries is the failure feed pollers are worst at noticing. A rule
``match: {feed_silent: 3, feed: "*nos*"}`` fires when a matching feed produced nothing for
three times its usual gap between new entries (learned from its own history, see
monitor/feeds/state.py). It fires once per silence: the guard key names the last entry time, so
the next silence (after the feed has spoken again) alerts again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from fnmatch import fnmatchcase

import redis

from monitor import keys
from monitor.alerts import SILENCE, make_alert, silence_scope
from monitor.config import Config
from monitor.durations import format_duration
from monitor.feeds import state as feedstate
from monitor.models import Alert, Article, Feed
from monitor.producers import enqueue_delivery, make_queue
from monitor.rules.compiled import RuleSet
from monitor.rules.schema import Rule
from monitor.statuses import FeedHealth
from monitor.urls import host_of

log = logging.getLogger("newsmonitor.silence")


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def silence_alert(rule: Rule, feed: Feed, state: feedstate.FeedState, now: float) -> Alert:
    quiet = format_duration(round(now - (state.last_new_at or now)))
    usual = format_duration(round(state.avg_gap or 0))
    article = Article(
        id=f"silent-{keys.content_hash(feed.url)}",
        url=feed.url,
        feed_name=feed.name,
        feed_url=feed.url,
        source=host_of(feed.url),
        title=f"Feed {feed.name} has been silent for {quiet} (usually a new entry every {usual})",
        text=f"No new entries since {_iso(state.last_new_at or now)}.",
        published=_iso(now),
    )
    return make_alert(
        rule,
        silence_scope(feed.url, state.last_new_at),
        article,
        SILENCE,
        created_at=_iso(now),
        matched=(article.title or "",),
        reason="feed silent",
    )


def _matches(rule: Rule, feed: Feed) -> bool:
    globs = rule.match.feed
    return not globs or any(
        fnmatchcase(v.lower(), g.lower()) for g in globs for v in (feed.name, feed.url)
    )


def check_silent_feeds(
    r: redis.Redis, ruleset: RuleSet, feeds: Iterable[Feed], cfg: Config, now: float | None = None
) -> list[Alert]:
    """Alert for every (feed_silent rule, matching feed) that has gone quiet; returns them."""
    now = time.time() if now is None else now
    rules = [x for x in ruleset.rules if x.match.feed_silent is not None]
    if not rules:
        return []
    queue = make_queue(keys.QUEUE_ALERTS, r)
    sent = []
    for feed in feeds:
        state = feedstate.read_state(r, feed.url)
        for rule in rules:
            factor = rule.match.feed_silent or 0
            if not _matches(rule, feed) or state.health(now, factor) is not FeedHealth.SILENT:
                continue
            alert = silence_alert(rule, feed, state, now)
            guard = keys.fired(rule.name, f"silent:{alert.id}")
            if not r.set(guard, 1, nx=True, ex=cfg.retention.lifetimes().sent):
                continue  # this silence was alerted already
            for channel in rule.notify:
                enqueue_delivery(queue, alert, channel, cfg)
            log.warning("rule %s: %s", rule.name, alert.article.title)
            sent.append(alert)
    return sent
