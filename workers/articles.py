"""Building and storing Articles: the page when it can be read, the feed's own text when not."""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime

import httpx
import redis

from monitor import keys
from monitor.config import FetchConfig
from monitor.errors import NewsmonitorError
from monitor.models import Article, Entry
from monitor.redisconn import as_str
from monitor.urls import canonical_url, host_of
from workers.extract import extract_article, text_from_html
from workers.fetch import fetch_page
from workers.netguard import is_private_url

log = logging.getLogger("newsmonitor.article")


def article_id(entry: Entry) -> str:
    return keys.digest(entry.canonical_url or canonical_url(entry.link))


def _now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _feed_text(entry: Entry) -> str:
    parts = [entry.content, entry.summary]
    return "\n\n".join(text_from_html(p) for p in parts if p and p.strip())


def read_article(
    client: httpx.Client, entry: Entry, cfg: FetchConfig, retry_page: bool = False
) -> Article:
    """Fetch and extract the entry's page; when it cannot be used, the feed's own text.

    With ``retry_page``, a page that failed for a reason that may pass (5xx, timeout, network)
    raises its FetchError instead, so the queue tries it again later; without it (the last
    try), the entry is read from the feed's title, summary and content, and the Article says
    so (``extracted_from="feed"``, ``page_error``). A page that can never be used (404,
    blocked address, too large, no article text) falls back at once.
    """
    base = _feed_article(entry)
    try:
        allow_private = cfg.allow_private or is_private_url(entry.feed_url)
        page = fetch_page(client, entry.link, cfg, allow_private)
        extracted = extract_article(page.body, page.url)
    except NewsmonitorError as exc:
        if exc.retryable and retry_page:
            log.info("page %s not read (%s); it will be tried again", entry.link, exc.message)
            raise
        log.info("page %s not used (%s); read from the feed's text", entry.link, exc.message)
        return base.replace(page_error=exc.message)
    return base.replace(
        title=extracted.title or entry.title,
        text=extracted.text,
        lang=entry.lang or extracted.lang,
        published=entry.published or extracted.date,
        extracted_from="page",
    )


def _feed_article(entry: Entry) -> Article:
    """The entry as the feed gave it: its summary and content, else its title, as the text."""
    return Article(
        id=article_id(entry),
        url=entry.link,
        feed_name=entry.feed_name,
        feed_url=entry.feed_url,
        source=host_of(entry.link),
        title=entry.title,
        text=_feed_text(entry) or (entry.title or ""),
        lang=entry.lang,
        published=entry.published,
        fetched_at=_now_iso(),
        extracted_from="feed",
        version=entry.updated,
    )


def store_article(r: redis.Redis, article: Article, ttl: float = keys.ARTICLE_TTL) -> None:
    """Store the article with its events for the retention window ``ttl`` (seconds)."""
    with r.pipeline() as pipe:
        pipe.set(keys.article(article.id), json.dumps(article.to_dict()), ex=int(ttl))
        pipe.zadd(keys.articles_index(), {article.id: time.time()})
        pipe.execute()


def load_article(r: redis.Redis, aid: str) -> Article | None:
    raw = r.get(keys.article(aid))
    return Article.from_dict(json.loads(as_str(raw))) if raw else None
