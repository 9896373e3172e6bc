"""The RQ job for one entry: read it, understand it, store it, alert on it.

The payload is a plain dict (JSON serializer). The job is idempotent: a retry or a second copy
re-reads the page and re-matches, and the per-(alert, channel) "sent" guard in the delivery job
keeps the alert from going out twice.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime
from functools import cache
from typing import Any

import httpx

from monitor import keys
from monitor.models import Alert, Article, Entry
from monitor.rules import match_ruleset
from monitor.rules.publish import RulesetCache
from workers.articles import read_article, store_article
from workers.classify import classify
from workers.context import current_config, current_redis, make_queue
from workers.deliver import enqueue_delivery
from workers.langdetect import detect_language

log = logging.getLogger("newsmonitor.job")
_rules = RulesetCache()
ALERT_TEXT_CHARS = 2000


@cache
def _http_client() -> httpx.Client:
    """One connection pool per worker process (follow_redirects off: fetch_page checks hops)."""
    return httpx.Client(follow_redirects=False, http2=False)


def alert_id(rule: str, article: Article) -> str:
    return hashlib.sha256(f"{rule}\0{article.id}".encode()).hexdigest()[:24]


def understand(article: Article) -> Article:
    """Language (when nobody said) and events."""
    if not article.lang:
        article = article.replace(lang=detect_language(f"{article.title or ''}\n{article.text}"))
    return article.replace(events=tuple(classify(article)))


def process_entry(entry_data: dict[str, Any]) -> dict[str, Any]:
    entry = Entry.from_dict(entry_data)
    cfg = current_config()
    r = current_redis()
    article = understand(read_article(_http_client(), entry, cfg.fetch))
    store_article(r, article)
    alerts_q = make_queue(keys.QUEUE_ALERTS, r)
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    ruleset = _rules.get(r)
    by_name = {x.name: x for x in ruleset.rules}
    # Deliveries carry the article without its full text: the message needs only the evidence.
    brief = article.replace(text=article.text[:ALERT_TEXT_CHARS])
    fired = []
    for m in match_ruleset(ruleset, article):
        rule = by_name[m.rule]
        alert = Alert(
            id=alert_id(m.rule, article),
            rule=m.rule,
            article=brief,
            matched=m.matched,
            events=m.events,
            created_at=now,
            severity=rule.severity,
        )
        for channel in rule.notify:
            enqueue_delivery(alerts_q, alert, channel, cfg)
        fired.append(m.rule)
        log.info("rule %s fired on %s", m.rule, article.url)
    return {"article": article.id, "events": len(article.events), "fired": fired}
