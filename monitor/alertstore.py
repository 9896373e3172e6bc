"""The alerts that were made, where each one's delivery stands, and how often each rule fired.

Deliveries and dead letters say what happened to a message; people asking "which alerts went
out, and why" need the alert itself, kept after its jobs are gone. So each alert is stored once
(SET NX: a replayed job neither stores it twice nor counts a second hit), without the article
text, for the retention window, in two indexes (all alerts, and per rule) trimmed on write.
Each (alert, channel) has a small state record that the delivery job moves along:

    held -> queued -> sent
              |  ^
              v  |  (retry)
           retrying -> dead -> queued (replayed)

"queued" is written before or in the same transaction as the enqueue, never after it: a worker
that delivers at once must not have its "sent" overwritten by a late "queued".
Writers are the jobs (workers/); the reader is the console.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import redis
from redis.client import Pipeline

from monitor import keys
from monitor.lifetimes import ARTICLE_TTL, DAY, DEFAULT_LIFETIMES, Lifetimes
from monitor.models import Alert
from monitor.redisconn import as_str


class DeliveryState(StrEnum):
    """Where (alert, channel) stands; the value is what the state record holds (and the
    console shows)."""

    HELD = "held"  # in the rule's digest, not yet sent
    QUEUED = "queued"
    SENT = "sent"
    RETRYING = "retrying"
    DEAD = "dead"


def utc_day(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d")


def _record(alert: Alert, words: Sequence[str]) -> dict[str, Any]:
    """The alert as stored: no article text (the evidence is in the events), no templates."""
    data = alert.to_dict()
    data["article"]["text"] = ""
    for name in ("subject_template", "body_template", "items"):
        data.pop(name, None)
    data["words"] = list(words)
    return data


def record_alert(
    r: redis.Redis,
    alert: Alert,
    words: Sequence[str],
    life: Lifetimes = DEFAULT_LIFETIMES,
    now: float | None = None,
) -> bool:
    """Store the alert (``words``: each event in words) and count the rule's hit; False when
    it was stored before (a retried job), which then counts nothing."""
    now = time.time() if now is None else now
    ttl = life.articles
    if not r.set(keys.alert(alert.id), json.dumps(_record(alert, words)), nx=True, ex=ttl):
        return False
    hits = keys.rule_hits(alert.rule, utc_day(now))
    with r.pipeline() as pipe:
        for index in (keys.alerts_index(), keys.rule_alerts(alert.rule)):
            pipe.zadd(index, {alert.id: now})
            pipe.zremrangebyscore(index, 0, now - ttl)
            pipe.zremrangebyrank(index, 0, -keys.ALERTS_MAX - 1)
            pipe.expire(index, ttl)
        pipe.incr(hits)
        pipe.expire(hits, keys.HITS_DAYS * DAY)
        pipe.hset(keys.rules_last_fired(), alert.rule, now)
        pipe.expire(keys.rules_last_fired(), ttl)
        pipe.execute()
    return True


def set_delivery_state(
    conn: redis.Redis | Pipeline,
    alert_ids: Iterable[str],
    channel: str,
    state: DeliveryState,
    *,
    attempt: int | None = None,
    error: str | None = None,
    only_if_new: bool = False,
    ttl: int = ARTICLE_TTL,
) -> None:
    """Record where (alert, channel) stands. ``only_if_new`` leaves an existing state alone
    (the first enqueue of a delivery that may already be running or done)."""
    value = json.dumps(
        {
            "state": state,
            "at": datetime.now(UTC).replace(microsecond=0).isoformat(),
            "attempt": attempt,
            "error": error,
        },
        ensure_ascii=False,
    )
    pipe = conn.pipeline() if isinstance(conn, redis.Redis) else conn
    for alert_id in alert_ids:
        key = keys.alert_deliveries(alert_id)
        if only_if_new:
            pipe.hsetnx(key, channel, value)
        else:
            pipe.hset(key, channel, value)
        pipe.expire(key, ttl)
    if pipe is not conn:
        pipe.execute()


def delivery_ids(alert: Mapping[str, Any]) -> list[str]:
    """The alerts whose state a delivery of ``alert`` (as a dict) moves: a digest's items too."""
    return [alert["id"], *(item["id"] for item in alert.get("items") or ())]


# --- reading (the console) ----------------------------------------------------------------
def read_alerts(
    r: redis.Redis, rule: str | None = None, limit: int = 50, offset: int = 0
) -> list[dict[str, Any]]:
    """Newest first, each with ``deliveries`` (channel -> state); ``rule`` filters."""
    index = keys.rule_alerts(rule) if rule else keys.alerts_index()
    ids = [as_str(x) for x in r.zrevrange(index, offset, offset + max(limit, 1) - 1)]
    if not ids:
        return []
    with r.pipeline(transaction=False) as pipe:
        for aid in ids:
            pipe.get(keys.alert(aid))
            pipe.hgetall(keys.alert_deliveries(aid))
        replies = pipe.execute()
    out = []
    for raw, states in zip(replies[::2], replies[1::2], strict=True):
        if raw is None:  # expired between the index read and now
            continue
        record = json.loads(as_str(raw))
        record["deliveries"] = {
            as_str(ch): json.loads(as_str(v)) for ch, v in sorted(states.items())
        }
        out.append(record)
    return out


def count_alerts(r: redis.Redis, rule: str | None = None) -> int:
    return int(r.zcard(keys.rule_alerts(rule) if rule else keys.alerts_index()))


def read_rule_hits(r: redis.Redis, rule: str, days: int, now: float | None = None) -> list[int]:
    """The rule's alerts per UTC day, oldest first, ending today."""
    now = time.time() if now is None else now
    names = [keys.rule_hits(rule, utc_day(now - i * DAY)) for i in range(days - 1, -1, -1)]
    return [int(v) if v else 0 for v in r.mget(names)]


def read_last_fired(r: redis.Redis) -> dict[str, float]:
    raw: dict[bytes, bytes] = r.hgetall(keys.rules_last_fired())  # type: ignore[assignment]
    return {as_str(k): float(v) for k, v in raw.items()}
