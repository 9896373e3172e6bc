"""The RQ job for one entry: read it, understand it, store it, alert on it.

The payload is a plain dict (JSON serializer). The job is idempotent: a retry or a second copy
re-reads the page and re-matches, the rule decision recognises an article it already alerted
on, and the per-(alert, channel) "sent" guard in the delivery job keeps the channel from getting
an alert twice.

Nothing is dropped: a page that cannot be read now raises while the queue still has retries for
the job (``fetch.page_retries``); on the last try the entry is read from the feed's own text
(``read_entry``). What happens when the job raises for other reasons is workers/retries.py's.
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
from rq import get_current_job

from monitor import alertstore, keys, metrics
from monitor.config import Config
from monitor.digests import hold_for_digest
from monitor.errors import NewsmonitorError
from monitor.http.fetch import make_client
from monitor.locks import redis_lock
from monitor.models import Alert, Article, Entry
from monitor.producers import enqueue_delivery, enqueue_reread, make_queue
from monitor.rules import match_ruleset
from monitor.rules.match import RuleMatch
from monitor.rules.publish import RulesetCache
from monitor.rules.schema import Rule
from workers.articles import article_id, feed_article, load_article, read_page, store_article
from workers.classify import classify
from workers.context import current_config, current_owner, current_redis
from workers.decide import Decision, alert_scope, decide
from workers.langdetect import detect_language
from workers.liveblog import update_article
from workers.render import describe_event
from workers.stories import Story, assign_story

log = logging.getLogger("newsmonitor.job")
_rules = RulesetCache()
# Deliveries carry the article without its full text: the message needs only the evidence.
ALERT_TEXT_CHARS = 2000
# How each decision reads in the log: "rule casualty-toll did not fire on <url>: already ...".
_VERDICT = {
    "send": "fired on",
    "digest": "fired (into its digest) on",
    "suppress": "did not fire on",
    "hold": "did not fire yet on",
}


@cache
def _http_client() -> httpx.Client:
    """One connection pool per worker process (redirects off: fetch_page checks every hop)."""
    client = make_client()
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
        verdict = _VERDICT.get(d.action, d.action)
        log.info("rule %s %s %s: %s", rule.name, verdict, article.url, d.reason)
        if d.action not in ("send", "digest"):
            continue
        metrics.record_alert(r, rule.name)
        alert = build_alert(rule, m, article, story, d)
        alertstore.record_alert(r, alert, [describe_event(e) for e in alert.events], life)
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


def _retries_left() -> bool:
    """Will the queue run this job again if it raises? (``fetch.page_retries`` at enqueue.)"""
    job = get_current_job()
    return bool(job is not None and job.retries_left)


def read_entry(r: redis.Redis, cfg: Config, entry: Entry, reread: bool) -> Article | None:
    """The entry's page, or on the last try the feed's text; None: a re-read that failed.

    A page that cannot be read now raises while the queue has retries left for this job. On
    the last try the feed's text is used, and a page that failed for a reason that may pass
    is re-read once, ``fetch.page_reread_after`` later: its full text may hold what the
    title did not.
    """
    try:
        return read_page(_http_client(), entry, cfg.fetch)
    except NewsmonitorError as exc:
        if reread:
            log.info("page %s still not read (%s); the feed's text stands", entry.link, exc.message)
            return None
        if exc.retryable and _retries_left():
            raise  # the worker logs the failed try with when the next one comes
        log.info("page %s not used (%s); reading the feed's text", entry.link, exc.message)
        if exc.retryable and cfg.fetch.page_reread_after > 0:
            schedule_reread(r, entry, cfg)
        return feed_article(entry, exc.message)


def schedule_reread(r: redis.Redis, entry: Entry, cfg: Config) -> None:
    enqueue_reread(make_queue(keys.QUEUE_ENTRIES, r), entry, cfg)


def process_entry(entry_data: dict[str, Any], reread: bool = False) -> dict[str, Any]:
    entry = Entry.from_dict(entry_data)
    cfg = current_config()
    r = current_redis()
    reading = read_entry(r, cfg, entry, reread)
    if reading is None:
        return {"article": article_id(entry), "skipped": "page still unreadable"}
    # One reading of a page at a time: liveblog updates compare against the stored one.
    lock = keys.article_lock(reading.id)
    with redis_lock(r, lock, ttl_ms=int(cfg.job_timeout * 1000), owner=current_owner()):
        got = _read_update(r, reading)
        if got is None:
            return {"article": reading.id, "skipped": "older than the stored reading"}
        stored, news = got
        # Alert before storing: a retry after a failed alert then sees the same update again.
        log.info(
            "read %s from the %s: %d chars, %d event(s)%s",
            reading.url,
            reading.extracted_from,
            len(news.text),
            len(news.events),
            " (an update)" if news.id != stored.id else "",
        )
        decisions = alert_on(r, cfg, news) if news.text else []
        store_article(r, stored, cfg.retention.articles)
    metrics.record_article(r, news)
    return {
        "article": stored.id,
        "read_from": stored.extracted_from,
        "events": len(news.events),
        "update": news.id != stored.id,
        "rules": {name: d.action for name, d in decisions},
    }
