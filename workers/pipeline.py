"""An entry's way through a worker, stage by stage: ``process`` is the map.

read -> understand -> match, decide, enqueue delivery -> store. The article is stored after
alerting on it: a retry after a failed alert then sees the same update again.

The stages are idempotent: a retry or a second copy re-reads the page and re-matches, the rule
decision recognises an article it already alerted on, and the per-(alert, channel) "sent" guard
in the delivery job keeps the channel from getting an alert twice.

Nothing is dropped: a page that cannot be read now raises while the queue still has retries for
the job (``fetch.page_retries``); on the last try the entry is read from the feed's own text
(``read_entry``). What happens when the job raises for other reasons is workers/retries.py's.
"""

from __future__ import annotations

import atexit
import logging
from dataclasses import dataclass
from functools import cache

import httpx
import redis
from rq import get_current_job

from monitor import keys, metrics
from monitor.config import Config
from monitor.errors import NewsmonitorError
from monitor.http.fetch import make_client
from monitor.locks import LockOwner, redis_lock
from monitor.models import Article, Entry
from monitor.producers import enqueue_reread, make_queue
from workers.alerting import alert_on
from workers.articles import article_id, feed_article, load_article, read_page, store_article
from workers.classify import classify
from workers.classify.language import language_of
from workers.decide import Decision
from workers.liveblog import update_article

log = logging.getLogger("newsmonitor.job")


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one entry: ``skipped`` says why nothing was done, else what was."""

    article: str
    skipped: str | None = None
    read_from: str = ""
    events: int = 0
    update: bool = False
    decisions: tuple[tuple[str, Decision], ...] = ()  # (rule, decision) per matching rule


def process(
    r: redis.Redis, cfg: Config, entry: Entry, reread: bool = False, owner: LockOwner | None = None
) -> Outcome:
    """The stages of one entry, in order."""
    reading = read_entry(r, cfg, entry, reread)
    if reading is None:
        return Outcome(article_id(entry), skipped="page still unreadable")
    # One reading of a page at a time: liveblog updates compare against the stored one.
    lock = keys.article_lock(reading.id)
    with redis_lock(r, lock, ttl_ms=int(cfg.job_timeout * 1000), owner=owner):
        got = understand_reading(r, reading)
        if got is None:
            return Outcome(reading.id, skipped="older than the stored reading")
        stored, news = got
        log_reading(reading, stored, news)
        # Alert before storing: a retry after a failed alert then sees the same update again.
        decisions = alert_on(r, cfg, news) if news.text else []
        store_article(r, stored, cfg.retention.articles)
    metrics.record_article(r, news)
    return Outcome(
        stored.id,
        read_from=stored.extracted_from,
        events=len(news.events),
        update=news.id != stored.id,
        decisions=tuple(decisions),
    )


def understand(article: Article) -> Article:
    """Language (when nobody said) and events."""
    if not article.lang:
        article = article.replace(lang=language_of(article.text, article.title))
    return article.replace(events=tuple(classify(article)))


def understand_reading(r: redis.Redis, article: Article) -> tuple[Article, Article] | None:
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


def log_reading(reading: Article, stored: Article, news: Article) -> None:
    log.info(
        "read %s from the %s: %d chars, %d event(s)%s",
        reading.url,
        reading.extracted_from,
        len(news.text),
        len(news.events),
        " (an update)" if news.id != stored.id else "",
    )


@cache
def _http_client() -> httpx.Client:
    """One connection pool per worker process (redirects off: fetch_page checks every hop)."""
    client = make_client()
    atexit.register(client.close)
    return client


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
            enqueue_reread(make_queue(keys.QUEUE_ENTRIES, r), entry, cfg)
        return feed_article(entry, exc.message)

