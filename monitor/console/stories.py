"""The stories view as data: the articles and sources of each story and how its counts grew.

A story lives as long as a copy of it can still arrive (STORY_TTL, monitor/lifetimes.py); its
articles live for the retention window, so a story's list can name an article whose page is no
longer stored: it is then shown by id alone.
"""

from __future__ import annotations

import json
from typing import Any

import redis

from monitor import keys
from monitor.console import charts
from monitor.redisconn import as_str

MAX_STORIES = 100
MAX_ARTICLES = 100  # per story, newest kept (a liveblog or a story every outlet carries)


def stories_view(r: redis.Redis, limit: int = 20, offset: int = 0) -> dict[str, Any]:
    limit = max(1, min(limit, MAX_STORIES))
    ids = [as_str(s) for s in r.zrevrange(keys.stories_index(), offset, offset + limit - 1)]
    stories = [s for s in (story_view(r, sid) for sid in ids) if s is not None]
    return {
        "total": int(r.zcard(keys.stories_index())),
        "limit": limit,
        "offset": offset,
        "stories": stories,
    }


def story_view(r: redis.Redis, story_id: str) -> dict[str, Any] | None:
    with r.pipeline(transaction=False) as pipe:
        pipe.hgetall(keys.story(story_id))
        pipe.hgetall(keys.story_sources(story_id))
        pipe.hgetall(keys.story_counts(story_id))
        pipe.zrevrange(keys.story_articles(story_id), 0, MAX_ARTICLES - 1, withscores=True)
        head, sources, counts, members = pipe.execute()
    if not head:
        return None
    joined = [(as_str(aid), float(t)) for aid, t in reversed(members)]  # oldest first
    with r.pipeline(transaction=False) as pipe:
        for aid, _ in joined:
            pipe.get(keys.article(aid))
        raws = pipe.execute()
    articles = [
        article_row(aid, t, json.loads(as_str(raw)) if raw else None)
        for (aid, t), raw in zip(joined, raws, strict=True)
    ]
    reports = [(a["joined"], a["counts"]) for a in articles]
    growth = charts.running_max(reports)
    info = {as_str(k): as_str(v) for k, v in head.items()}
    first = next((a for a in articles if a["id"] == info.get("first_article")), None)
    return {
        "id": story_id,
        "title": (first or (articles[0] if articles else {})).get("title"),
        "url": info.get("url"),
        "first_seen": _float(info.get("first_seen")),
        "last_seen": _float(info.get("last_seen")),
        "article_count": int(info.get("articles") or len(articles)),
        "sources": {as_str(h): float(t) for h, t in sorted(sources.items())},
        "counts": {as_str(t): int(c) for t, c in sorted(counts.items())},
        "growth": {t: [[when, c] for when, c in pts] for t, pts in growth.items()},
        "articles": articles,
    }


def article_row(article_id: str, joined: float, data: dict[str, Any] | None) -> dict[str, Any]:
    """One article of a story (pure); ``data`` is the stored article, None once expired."""
    data = data or {}
    counts: dict[str, int] = {}
    for e in data.get("events") or ():
        if e.get("count") is not None:
            counts[e["type"]] = max(counts.get(e["type"], 0), int(e["count"]))
    return {
        "id": article_id,
        "joined": joined,
        "title": data.get("title"),
        "url": data.get("url"),
        "source": data.get("source"),
        "lang": data.get("lang"),
        "published": data.get("published"),
        "events": sorted({e["type"] for e in data.get("events") or ()}),
        "counts": counts,
    }


def _float(v: str | None) -> float | None:
    return float(v) if v else None
