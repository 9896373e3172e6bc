"""The alerts view as data: each alert with what matched, in words and with its evidence, the
story's other sources as they are now, and where its delivery stands on every channel."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import redis

from monitor import alertstore, keys
from monitor.console.safety import scrub
from monitor.redisconn import as_str

MAX_LIMIT = 200
EVENT_FIELDS = ("type", "count", "approx", "weapon", "side", "location", "status")


def alerts_view(
    r: redis.Redis,
    rule: str | None = None,
    limit: int = 50,
    offset: int = 0,
    secrets: Sequence[str] = (),
) -> dict[str, Any]:
    limit = max(1, min(limit, MAX_LIMIT))
    records = alertstore.read_alerts(r, rule, limit, max(offset, 0))
    live = _story_sources(r, [rec.get("story") for rec in records])
    return {
        "rule": rule,
        "total": alertstore.count_alerts(r, rule),
        "limit": limit,
        "offset": offset,
        "alerts": [alert_row(rec, live.get(rec.get("story") or ""), secrets) for rec in records],
    }


def _story_sources(r: redis.Redis, story_ids: list[str | None]) -> dict[str, list[str]]:
    """Every source a story has now (it may have grown since the alert); absent once the
    story expired."""
    ids = sorted({s for s in story_ids if s})
    with r.pipeline(transaction=False) as pipe:
        for sid in ids:
            pipe.hkeys(keys.story_sources(sid))
        found = pipe.execute()
    return {sid: sorted(as_str(h) for h in hosts) for sid, hosts in zip(ids, found, strict=True)}


def alert_row(
    record: dict[str, Any], story_sources: list[str] | None, secrets: Sequence[str] = ()
) -> dict[str, Any]:
    """One stored alert as the console shows it (pure)."""
    article = record.get("article") or {}
    words = record.get("words") or []
    events = []
    for i, e in enumerate(record.get("events") or []):
        events.append(
            {
                "words": words[i] if i < len(words) else e.get("type"),
                "evidence": " ".join((e.get("evidence") or "").split()),
                **{k: e.get(k) for k in EVENT_FIELDS},
            }
        )
    own = article.get("source")
    sources = set(record.get("sources") or ()) | set(story_sources or ())
    return {
        "id": record["id"],
        "rule": record.get("rule"),
        "severity": record.get("severity") or "info",
        "created_at": record.get("created_at"),
        "update": bool(record.get("update")),
        "reason": record.get("reason"),
        "title": article.get("title"),
        "url": article.get("url"),
        "source": own,
        "feed": article.get("feed_name"),
        "published": article.get("published"),
        "lang": article.get("lang"),
        "events": events,
        "matched": [" ".join(m.split()) for m in record.get("matched") or ()],
        "story": {"id": record.get("story"), "other_sources": sorted(sources - {own})},
        "deliveries": {
            channel: {**state, "error": scrub(state.get("error"), secrets)}
            for channel, state in (record.get("deliveries") or {}).items()
        },
    }
