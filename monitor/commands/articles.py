"""Articles for `rules test`, `backtest` and `classify`: read from a URL, a page file, a corpus
or Redis, then classified exactly as a worker would."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import redis

from monitor import keys
from monitor.config import Config
from monitor.errors import ConfigError
from monitor.jsonl import json_lines
from monitor.models import Article, Event
from monitor.redisconn import as_str
from monitor.urls import canonical_url, host_of


def read_rows(stream: IO[str], name: str) -> Iterator[dict[str, Any]]:
    """JSON Lines objects with a ``text``; a bad line names ``file:line``."""
    for where, row in json_lines(stream, name):
        if not isinstance(row.get("text"), str):
            raise ConfigError(where, 'each line needs a "text" string')
        yield row


def article_from_row(row: dict[str, Any], n: int, source_name: str) -> Article:
    url = str(row.get("url") or f"corpus:{source_name}#{row.get('id', n)}")
    return Article(
        id=str(row.get("id", n)),
        url=url,
        feed_name=str(row.get("feed") or row.get("source") or source_name),
        feed_url=str(row.get("feed_url") or url),
        source=host_of(url) if url.startswith("http") else str(row.get("source") or source_name),
        title=row.get("title"),
        text=row["text"],
        lang=row.get("lang"),
        published=row.get("date") or row.get("published"),
    )


def corpus_articles(path: Path) -> list[Article]:
    with path.open(encoding="utf-8") as f:
        return [
            article_from_row(row, n, path.name) for n, row in enumerate(read_rows(f, str(path)), 1)
        ]


def page_article(body: bytes, url: str) -> Article:
    from workers.extract import extract_article

    ex = extract_article(body, url)
    return Article(
        id=keys.content_hash(canonical_url(url) if url.startswith("http") else url),
        url=url,
        feed_name="(test)",
        feed_url=url,
        source=host_of(url) if url.startswith("http") else "(file)",
        title=ex.title,
        text=ex.text,
        lang=ex.lang,
        published=ex.date,
    )


def url_article(url: str, cfg: Config) -> Article:
    from monitor.http.fetch import fetch_page, make_client

    with make_client() as client:
        page = fetch_page(client, url, cfg.fetch, cfg.fetch.allow_private)
    return page_article(page.body, page.url)


def stored_articles(r: redis.Redis, since_s: float) -> Iterator[Article]:
    from workers.articles import load_article

    for aid in r.zrangebyscore(keys.articles_index(), time.time() - since_s, "+inf"):
        article = load_article(r, as_str(aid))
        if article is not None:
            yield article


def understood(articles: Iterable[Article], *, reclassify: bool = True) -> Iterator[Article]:
    from workers.pipeline import understand

    for a in articles:
        yield understand(a) if reclassify or not a.events else a


def with_gold(article: Article, gold: list[dict[str, Any]]) -> Article:
    events = tuple(
        Event(
            type=g["type"],
            evidence=g.get("evidence", ""),
            lang=article.lang or "",
            count=g.get("count"),
            approx=bool(g.get("approx", False)),
            weapon=g.get("weapon"),
            side=g.get("side"),
            location=g.get("location"),
            status=g.get("status"),
        )
        for g in gold
    )
    return article.replace(events=events)
