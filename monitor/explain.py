"""Articles for `rules test` and `backtest`: read from a URL, a page file, a corpus or Redis,
then classified exactly as a worker would."""

from __future__ import annotations

import sys
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
from monitor.rules.match import RuleMatch
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
        id=keys.digest(canonical_url(url)) if url.startswith("http") else keys.digest(url),
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
    from workers.fetch import fetch_page, make_client

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


MAX_NOT_EVENTS = 8  # mentions that are no events, listed per article by ``rules test``


def not_events(article: Article, types: frozenset[str] | None) -> list[Any]:
    """Mentions of the rule's event types that the classifier read but did not count as
    events (background, a wish, a denial, ...), each with its reason: why a rule did not fire.
    Nothing for a rule without event conditions."""
    from workers.classify.reading import read_text

    if types is None:
        return []
    reading = read_text(article.text, article.lang, article.title, article.published)
    seen: dict[tuple[str, int | None, str], Any] = {}
    for d in reading.dropped:
        if d.event.type in types:
            seen.setdefault((d.event.type, d.event.count, d.reason), d)
    return list(seen.values())[:MAX_NOT_EVENTS]


def _count(e: Event) -> str:
    return f" {e.count}{'~' if e.approx else ''}" if e.count is not None else ""


def explain_lines(m: RuleMatch, article: Article, dropped: Iterable[Any] = ()) -> list[str]:
    head = f"{'FIRES' if m.fired else 'no'}  {article.id}  {article.title or article.url}"
    lines = [head]
    lines += [f"    {r}" for r in m.reasons]
    for e in m.events:
        lines.append(f"    event {e.type}{_count(e)}: {' '.join(e.evidence.split())[:200]}")
    for s in m.matched:
        lines.append(f"    text: {s[:200]}")
    for d in dropped:
        lines.append(f"    not an event: {d.event.type}{_count(d.event)} ({d.reason}): "
                     f"{' '.join(d.event.evidence.split())[:160]}")
    return lines


class Progress:
    """A one-line progress bar on stderr (only when it is a terminal)."""

    def __init__(self, total: int, label: str) -> None:
        self.total, self.label, self.done = total, label, 0
        self.tty = sys.stderr.isatty()

    def step(self) -> None:
        self.done += 1
        if self.tty and (self.done == self.total or self.done % 10 == 0):
            width = 30
            filled = width * self.done // max(self.total, 1)
            sys.stderr.write(
                f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}"
            )
            if self.done == self.total:
                sys.stderr.write("\n")
            sys.stderr.flush()
