"""Building and storing Articles: from the entry's page, or from the feed's own text."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import httpx
import redis

from monitor import keys
from monitor.configsections import FetchConfig
from monitor.errors import NewsmonitorError
from monitor.http.fetch import fetch_page
from monitor.http.netguard import is_private_url
from monitor.lifetimes import ARTICLE_TTL
from monitor.models import Article, Entry
from monitor.redisconn import as_str
from monitor.text import text_from_html
from monitor.urls import canonical_url, host_of
from workers.extract import extract_article


def article_id(entry: Entry) -> str:
    return keys.content_hash(entry.canonical_url or canonical_url(entry.link))


def _now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _feed_text(entry: Entry) -> str:
    parts = [entry.content, entry.summary]
    return "\n\n".join(text_from_html(p) for p in parts if p and p.strip())


def read_page(client: httpx.Client, entry: Entry, cfg: FetchConfig) -> Article:
    """The entry read from its page; NewsmonitorError (naming the page) when it cannot be:
    ``retryable`` when a later try may succeed (5xx, timeout, network)."""
    allow_private = cfg.allow_private or is_private_url(entry.feed_url)
    page = fetch_page(client, entry.link, cfg, allow_private)
    # The feed's date wins over the page's (below): the page is searched only without one.
    extracted = extract_article(page.body, page.url, want_date=entry.published is None)
    return _article(entry, extracted.text, "page").replace(
        title=extracted.title or entry.title,
        lang=entry.lang or extracted.lang,
        published=entry.published or extracted.date,
    )


def feed_article(entry: Entry, page_error: str | None = None) -> Article:
    """The entry as the feed gave it: its summary and content, else its title, as the text;
    ``page_error`` says why the page was not used."""
    text = _feed_text(entry) or (entry.title or "")
    return _article(entry, text, "feed").replace(page_error=page_error)


def _article(entry: Entry, text: str, extracted_from: str) -> Article:
    return Article(
        id=article_id(entry),
        url=entry.link,
        feed_name=entry.feed_name,
        feed_url=entry.feed_url,
        source=host_of(entry.link),
        title=entry.title,
        text=text,
        lang=entry.lang,
        published=entry.published,
        fetched_at=_now_iso(),
        extracted_from=extracted_from,
        version=entry.updated,
    )


def read_article(client: httpx.Client, entry: Entry, cfg: FetchConfig) -> Article:
    """The page when it can be read now, else the feed's text (no retries: see workers/pipeline.py
    for how an entry job waits for a page first)."""
    try:
        return read_page(client, entry, cfg)
    except NewsmonitorError as exc:
        return feed_article(entry, exc.message)


def store_article(r: redis.Redis, article: Article, ttl: float = ARTICLE_TTL) -> None:
    """Store the article with its events for the retention window ``ttl`` (seconds)."""
    with r.pipeline() as pipe:
        pipe.set(keys.article(article.id), json.dumps(article.to_dict()), ex=int(ttl))
        pipe.zadd(keys.articles_index(), {article.id: time.time()})
        pipe.execute()


def load_article(r: redis.Redis, aid: str) -> Article | None:
    raw = r.get(keys.article(aid))
    return Article.from_dict(json.loads(as_str(raw))) if raw else None
