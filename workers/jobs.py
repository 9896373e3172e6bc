"""The RQ job for one entry: read it, understand it, store it, alert on it.

The payload is a plain dict (JSON serializer). The job is idempotent: a retry or a second copy
re-reads the page and re-matches, the rule decision recognises an article it already alerted
on, and the per-(alert, channel) "sent" guard in the delivery job keeps the channel from getting
an alert twice.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import time
from datetime import UTC, datetime
from functools import cache
from typing import Any

import httpx
import redis

from monitor import keys, metrics
from monitor.config import Config
from monitor.locks import redis_lock
from monitor.models import Alert, Article, Entry
from monitor.rules import match_ruleset
from monitor.rules.match import RuleMatch
from monitor.rules.model import Rule
from monitor.rules.publish import RulesetCache
from workers.articles import load_article, read_article, store_article
from workers.classify import classify
from workers.context import current_config, current_redis, make_queue
from workers.decide import Decision, alert_scope, decide
from workers.deliver import enqueue_delivery
from workers.digest import hold_for_digest
from workers.langdetect import detect_language
from workers.liveblog import update_article
from workers.stories import Story, assign_story

log = logging.getLogger("newsmonitor.job")
_rules = RulesetCache()
# Deliveries carry the article without its full text: the message needs only the evidence.
ALERT_TEXT_CHARS = 2000


@cache
def _http_client() -> httpx.Client:
    """One connection pool per worker process (redirects off: fetch_page checks every hop)."""
    client = httpx.Client(follow_redirects=False)
    atexit.register(client.close)
    return client


def understand(article: Article) -> Article:
    """Language (when nobody said) and events."""
    if not article.lang:
        article = article.replace(lang=detect_language(f"{article.title or ''}\n{article.text}"))
    return article.replace(events=tuple(classify(article)))


def build_alert(rule: Rule, m: RuleMatch, article: Article, story: Story, d: Decision) -> Alert:
    scope = alert_scope(rule, article, story, d, m.events)
    return Alert(
        id=hashlib.sha256(f"{rule.name}\0{scope}".encode()).hexdigest()[:24],
        rule=rule.name,
        article=article.replace(text=article.text[:ALERT_TEXT_CHARS]),
        matched=m.matched,
        conditions=m.held,
        events=m.events,
        created_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        severity=rule.severity,
        story=story.id,
        sources=d.sources or story.sources,
        update=d.update,
        reason=d.reason,
        subject_template=rule.template.subject if rule.template else None,
        body_template=rule.template.body if rule.template else None,
    )


def alert_on(r: redis.Redis, cfg: Config, article: Article) -> list[tuple[str, Decision]]:
    """Match, decide, and send or hold; returns (rule, decision) for every rule that matched."""
    ruleset = _rules.get(r)
    matches = match_ruleset(ruleset, article)
    if not matches:
        return []
    life = cfg.retention.lifetimes()
    story = assign_story(r, article, life)
    alerts_q = make_queue(keys.QUEUE_ALERTS, r)
    out = []
    for m in matches:
        rule = ruleset.get(m.rule)
        assert rule is not None
        d = decide(r, rule, article, story, m.events, life=life)
        out.append((rule.name, d))
        log.info("rule %s on %s: %s (%s)", rule.name, article.url, d.action, d.reason)
        if d.action not in ("send", "digest"):
            continue
        metrics.record_alert(r, rule.name)
        alert = build_alert(rule, m, article, story, d)
        if d.action == "digest":
            hold_for_digest(r, rule, alert, time.time(), life)
            continue
        for channel in rule.notify:
            enqueue_delivery(alerts_q, alert, channel, cfg)
    return out


def _read_update(r: redis.Redis, article: Article) -> tuple[Article, Article] | None:
    """(what to store, what to alert on): for a new reading of a stored page (a liveblog that
    grew), only its new paragraphs are classified and alerted on. None: this reading is older
    than the stored one (an update job that waited out a retry while a later one ran)."""
    previous = load_article(r, article.id)
    if previous is None or previous.version == article.version:
        understood = understand(article)  # the first reading, or a retry of it
        return understood, understood
    if previous.version and article.version and article.version < previous.version:
        return None
    fresh = update_article(previous, article, article.version or "")
    fresh = understand(fresh) if fresh.text else fresh
    return article.replace(events=previous.events + fresh.events), fresh


def process_entry(entry_data: dict[str, Any]) -> dict[str, Any]:
    entry = Entry.from_dict(entry_data)
    cfg = current_config()
    r = current_redis()
    reading = read_article(_http_client(), entry, cfg.fetch)
    # One reading of a page at a time: liveblog updates compare against the stored one.
    with redis_lock(r, keys.article_lock(reading.id), ttl_ms=int(cfg.job_timeout * 1000)):
        got = _read_update(r, reading)
        if got is None:
            return {"article": reading.id, "skipped": "older than the stored reading"}
        stored, news = got
        # Alert before storing: a retry after a failed alert then sees the same update again.
        decisions = alert_on(r, cfg, news) if news.text else []
        store_article(r, stored, cfg.retention.articles)
    metrics.record_article(r, news)
    return {
        "article": stored.id,
        "events": len(news.events),
        "update": news.id != stored.id,
        "rules": {name: d.action for name, d in decisions},
    }
