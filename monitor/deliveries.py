"""What happened to deliveries: the deliveries log, the dead letters, and their replay.

The delivery job (workers/deliver.py) writes these; the CLI, the console and `status` read
them and replay dead letters, so they live in the core beside the producers.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

import redis
from redis.client import Pipeline
from rq import Queue

from monitor import alertstore, keys, metrics
from monitor.alertstore import DeliveryState
from monitor.config import Config
from monitor.lifetimes import ARTICLE_TTL
from monitor.models import DeadLetter, Delivery
from monitor.producers import enqueue_delivery

log = logging.getLogger("newsmonitor.deliver")

DELIVERIES_LOG_MAX = 1000


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def describe_error(error: BaseException) -> str:
    return str(error) or type(error).__name__


def delivery_record(
    alert: dict[str, Any], channel: str, ok: bool, attempts: int, at: str, error: str | None = None
) -> Delivery:
    article = alert.get("article") or {}
    return Delivery(
        alert_id=alert["id"],
        channel=channel,
        ok=ok,
        attempts=attempts,
        at=at,
        error=error,
        rule=alert.get("rule"),
        url=article.get("url"),
    )


def record_delivery(conn: redis.Redis | Pipeline, delivery: Delivery) -> None:
    pipe = conn.pipeline() if isinstance(conn, redis.Redis) else conn
    pipe.lpush(keys.deliveries_log(), json.dumps(delivery.to_dict(), ensure_ascii=False))
    pipe.ltrim(keys.deliveries_log(), 0, DELIVERIES_LOG_MAX - 1)
    if pipe is not conn:
        pipe.execute()


def record_failure(
    conn: redis.Redis,
    alert: dict[str, Any],
    channel: str,
    error: BaseException,
    attempts: int,
    ttl: int = ARTICLE_TTL,
) -> None:
    """A delivery that failed for good: into the dead-letter list and the deliveries log."""
    at, text = now_utc().isoformat(), describe_error(error)
    letter = DeadLetter(
        id=keys.delivery_job_id(alert["id"], channel),
        alert=alert,
        channel=channel,
        error=text,
        error_type=type(error).__name__,
        attempts=attempts,
        at=at,
    )
    with conn.pipeline() as pipe:
        pipe.lpush(keys.dead_letters(), json.dumps(letter.to_dict(), ensure_ascii=False))
        pipe.ltrim(keys.dead_letters(), 0, keys.DEAD_LETTER_MAX - 1)
        record_delivery(pipe, delivery_record(alert, channel, False, attempts, at, text))
        alertstore.set_delivery_state(
            pipe,
            alertstore.delivery_ids(alert),
            channel,
            DeliveryState.DEAD,
            attempt=attempts,
            error=text,
            ttl=ttl,
        )
        pipe.execute()
    metrics.record_delivery(conn, "dead")
    log.error(
        "delivery of %s to %s failed for good after %d tries: %s",
        alert["id"],
        channel,
        attempts,
        text,
    )


def read_deliveries(conn: redis.Redis, limit: int = 50) -> list[Delivery]:
    raw = conn.lrange(keys.deliveries_log(), 0, max(limit, 1) - 1)
    return [Delivery.from_dict(json.loads(r)) for r in raw]


def read_dead_letters(conn: redis.Redis) -> list[DeadLetter]:
    return [DeadLetter.from_dict(json.loads(r)) for r in conn.lrange(keys.dead_letters(), 0, -1)]


def replay_dead_letters(
    conn: redis.Redis, queue: Queue, cfg: Config, ids: Collection[str] | None = None
) -> list[str]:
    """Re-enqueue dead letters (all, or those whose id is in ``ids``); returns the ids done.

    Each letter is enqueued and removed in one MULTI/EXEC, so it is either still listed or
    queued, never neither. Should two replays race, the ``sent`` guard stops a second send.
    """
    done: list[str] = []
    for raw in conn.lrange(keys.dead_letters(), 0, -1):
        letter = DeadLetter.from_dict(json.loads(raw))
        if ids is not None and letter.id not in ids:
            continue
        fresh_id = f"{letter.id}-replay-{uuid.uuid4().hex[:8]}"
        with conn.pipeline() as pipe:
            enqueue_delivery(
                queue, letter.alert, letter.channel, cfg, job_id=fresh_id, pipeline=pipe
            )
            pipe.lrem(keys.dead_letters(), 1, raw)  # type: ignore[arg-type]  # bytes work
            pipe.execute()
        done.append(letter.id)
    return done
