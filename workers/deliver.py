"""The delivery job: one alert to one channel, exactly once, retried, never silently dropped.

Exactly once. RQ forgets a finished job after its result TTL, so the job id cannot guard against
a second send. Two Redis keys do (monitor.keys):
  ``sent``     long-lived; checked before sending and set after the channel accepted the alert;
  ``sending``  a lock (monitor.locks) so two copies of the job cannot send at the same time;
               a copy that finds it held by a live worker fails with a retryable error and
               tries again later; one held by a dead worker is taken over at once.
The one gap left is a worker killed after the channel accepted but before ``sent`` was set: that
alert is sent again on the retry. At-least-once there is the price of never losing an alert.

Retries (RQ 3, read from rq/worker/base.py and rq/registry.py): the job is enqueued with
``Retry(max=retries, interval=backoff)``. RQ runs the ``on_failure`` callback on *every* failed
try, before it decides whether to retry, and also for a job abandoned by a dead worker; the job's
``retries_left`` tells whether RQ will try again. So the callback writes the dead letter only when
``retries_left`` is 0. A PermanentDeliveryError must not be retried at all: the job catches it,
writes the dead letter itself and returns normally, which is RQ's public way to end a job.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Collection
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

import redis
from redis.client import Pipeline
from rq import Callback, Queue, Retry, get_current_job
from rq.exceptions import DuplicateJobError
from rq.job import Job

from monitor import alertstore, keys, metrics
from monitor.config import Config
from monitor.errors import DeliveryError, PermanentDeliveryError
from monitor.lifetimes import ARTICLE_TTL
from monitor.locks import LockOwner, release_lock, try_lock
from monitor.models import Alert, Delivery
from monitor.newsworker import REPORTS_OWN_FAILURES
from workers.channels import SendContext, send_alert
from workers.channels.targets import RedisTargets
from workers.context import current_config, current_owner, current_redis
from workers.retries import is_transient

log = logging.getLogger("newsmonitor.deliver")

DELIVERIES_LOG_MAX = 1000
DELIVERY_RESULT_TTL = 500
# The sending lock outlives the longest send (the job timeout) by this much, so it never expires
# under a live sender, and frees itself soon after a dead one.
LOCK_MARGIN = 30
META_TRIES = "tries"
META_STATE_TTL = "state_ttl"  # how long the alert's delivery state is kept (the retention)


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def enqueue_delivery(
    queue: Queue,
    alert: Alert | dict[str, Any],
    channel: str,
    cfg: Config,
    *,
    job_id: str | None = None,
    pipeline: Pipeline | None = None,
) -> Job | None:
    """Queue one delivery with retries; None when the same delivery is already queued.

    The default job id is the delivery's own id, enqueued with ``unique=True``, so enqueuing the
    same (alert, channel) twice while its job exists is a no-op. A replay passes a fresh id.
    """
    data = alert.to_dict() if isinstance(alert, Alert) else alert
    retries = cfg.delivery.retries
    state_ttl = cfg.retention.lifetimes().articles
    options: dict[str, Any] = {
        "job_id": job_id or keys.delivery_job_id(data["id"], channel),
        "retry": Retry(max=retries, interval=cfg.delivery.backoff or 0) if retries else None,
        "on_failure": Callback(on_delivery_failure),
        "job_timeout": int(cfg.job_timeout),
        "meta": {META_TRIES: retries + 1, META_STATE_TTL: state_ttl, REPORTS_OWN_FAILURES: True},
        "description": f"deliver {data['id']} to {channel}",
        # A failed job holds the alert and its traceback; the dead-letter list keeps what
        # matters, so the job itself need not outlive the retention window.
        "failure_ttl": cfg.retention.lifetimes().articles,
        "result_ttl": min(DELIVERY_RESULT_TTL, cfg.retention.lifetimes().articles),
    }
    ids = alertstore.delivery_ids(data)
    if pipeline is not None:
        # A replay or a digest: "queued" in the enqueue's own transaction.
        alertstore.set_delivery_state(pipeline, ids, channel, alertstore.QUEUED, ttl=state_ttl)
        return queue.enqueue(deliver, data, channel, pipeline=pipeline, **options)
    # Before the enqueue, and only if nothing is recorded: the job may run (and be "sent")
    # before this call returns, or be a copy of one that already did.
    alertstore.set_delivery_state(
        queue.connection, ids, channel, alertstore.QUEUED, only_if_new=True, ttl=state_ttl
    )
    try:
        return queue.enqueue(deliver, data, channel, unique=True, **options)
    except DuplicateJobError:
        log.info("delivery of %s to %s is already queued", data["id"], channel)
        return None


def attempt_number(job: Job | None) -> int:
    """Which try this is (1-based): RQ counts down ``retries_left`` from ``Retry.max``."""
    if job is None:
        return 1
    tries = int(job.meta.get(META_TRIES, 1))
    return tries - (job.retries_left or 0)


def deliver(alert: dict[str, Any], channel: str) -> dict[str, Any]:
    """RQ job: send ``alert`` (an Alert as a dict) to the configured channel named ``channel``."""
    job = get_current_job()
    attempt = attempt_number(job)
    conn = current_redis()
    model = Alert.from_dict(alert)
    try:
        status = deliver_alert(conn, model, channel, current_config(), attempt, current_owner())
    except PermanentDeliveryError as exc:
        record_failure(conn, alert, channel, exc, attempt, state_ttl(job))
        status = "dead"
    else:
        lag = metrics.lag_since(model.article.published) if status == "sent" else None
        metrics.record_delivery(conn, status, lag)
    return {"status": status, "alert_id": model.id, "channel": channel, "attempt": attempt}


def deliver_alert(
    conn: redis.Redis,
    alert: Alert,
    channel: str,
    cfg: Config,
    attempt: int = 1,
    owner: LockOwner | None = None,
) -> str:
    """Send under the exactly-once guard: "sent", or "duplicate" when it was sent before.

    ``owner`` is this run (job and worker). A lock held by a live worker raises a retryable
    DeliveryError rather than waiting; one held by a dead worker is taken over at once.
    """
    sent_key, lock_key = keys.sent(alert.id, channel), keys.sending(alert.id, channel)
    if conn.exists(sent_key):
        log.info("alert %s already sent to %s; not sending again", alert.id, channel)
        return "duplicate"
    token = try_lock(conn, lock_key, (int(cfg.job_timeout) + LOCK_MARGIN) * 1000, owner)
    if token is None:
        raise DeliveryError(f"channel {channel}", f"alert {alert.id} is being sent by another job")
    try:
        if conn.exists(sent_key):  # the other copy finished between our check and our lock
            return "duplicate"
        at = _send(conn, alert, channel, cfg)
        conn.set(sent_key, at, ex=cfg.retention.lifetimes().sent)
    finally:
        release_lock(conn, lock_key, token)
    data = alert.to_dict()
    with conn.pipeline() as pipe:
        record_delivery(pipe, _delivery(data, channel, True, attempt, at))
        alertstore.set_delivery_state(
            pipe,
            alertstore.delivery_ids(data),
            channel,
            alertstore.SENT,
            attempt=attempt,
            ttl=cfg.retention.lifetimes().articles,
        )
        pipe.execute()
    log.info("alert %s (rule %s) sent to %s", alert.id, alert.rule, channel)
    return "sent"


def _send(conn: redis.Redis, alert: Alert, channel: str, cfg: Config) -> str:
    channel_cfg = cfg.channels.get(channel)
    if channel_cfg is None:
        raise PermanentDeliveryError(f"channel {channel}", "not in the config (renamed?)")
    sent_at = now_utc()
    targets = RedisTargets(conn, alert.id, channel, cfg.retention.lifetimes().sent)
    ctx = SendContext(data_dir=cfg.data_dir, sent_at=sent_at, targets=targets)
    send_alert(alert, channel, channel_cfg, ctx)
    return sent_at.isoformat()


def on_delivery_failure(
    job: Job,
    connection: redis.Redis,
    exc_type: type[BaseException] | None,
    exc: BaseException | None,
    tb: TracebackType | None,
) -> None:
    """RQ failure callback, run on every failed try: dead-letter only when no retry is left.
    This is the one line a failed try logs (REPORTS_OWN_FAILURES: the worker leaves it to us)."""
    alert, channel = job.args[0], job.args[1]
    attempt = attempt_number(job)
    error = exc if exc is not None else (exc_type or RuntimeError)("unknown failure")
    if job.retries_left:
        alertstore.set_delivery_state(
            connection,
            alertstore.delivery_ids(alert),
            channel,
            alertstore.RETRYING,
            attempt=attempt,
            error=_describe(error),
            ttl=state_ttl(job),
        )
        log.warning(
            "delivery of %s to %s failed (try %d of %d), will retry: %s",
            alert.get("id"),
            channel,
            attempt,
            job.meta.get(META_TRIES, 1),
            _describe(error),
        )
        metrics.record_delivery(connection, "failed")
        return
    if not is_transient(error):  # not the channel, Redis or a dead worker: our own bug
        metrics.record_job_failed(connection, job.origin)
    record_failure(connection, alert, channel, error, attempt, state_ttl(job))


def state_ttl(job: Job | None) -> int:
    """The retention the delivery was enqueued with (a job from before it was recorded: the
    default)."""
    meta = job.meta if job is not None else {}
    return int(meta.get(META_STATE_TTL) or ARTICLE_TTL)


def _describe(error: BaseException) -> str:
    return str(error) or type(error).__name__


def _delivery(
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
    at, text = now_utc().isoformat(), _describe(error)
    letter = {
        "id": keys.delivery_job_id(alert["id"], channel),
        "alert": alert,
        "channel": channel,
        "error": text,
        "error_type": type(error).__name__,
        "attempts": attempts,
        "at": at,
    }
    with conn.pipeline() as pipe:
        pipe.lpush(keys.dead_letters(), json.dumps(letter, ensure_ascii=False))
        pipe.ltrim(keys.dead_letters(), 0, keys.DEAD_LETTER_MAX - 1)
        record_delivery(pipe, _delivery(alert, channel, False, attempts, at, text))
        alertstore.set_delivery_state(
            pipe,
            alertstore.delivery_ids(alert),
            channel,
            alertstore.DEAD,
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


def read_dead_letters(conn: redis.Redis) -> list[dict[str, Any]]:
    return [json.loads(r) for r in conn.lrange(keys.dead_letters(), 0, -1)]


def replay_dead_letters(
    conn: redis.Redis, queue: Queue, cfg: Config, ids: Collection[str] | None = None
) -> list[str]:
    """Re-enqueue dead letters (all, or those whose id is in ``ids``); returns the ids done.

    Each letter is enqueued and removed in one MULTI/EXEC, so it is either still listed or
    queued, never neither. Should two replays race, the ``sent`` guard stops a second send.
    """
    done: list[str] = []
    for raw in conn.lrange(keys.dead_letters(), 0, -1):
        letter = json.loads(raw)
        if ids is not None and letter["id"] not in ids:
            continue
        fresh_id = f"{letter['id']}-replay-{uuid.uuid4().hex[:8]}"
        with conn.pipeline() as pipe:
            enqueue_delivery(
                queue, letter["alert"], letter["channel"], cfg, job_id=fresh_id, pipeline=pipe
            )
            pipe.lrem(keys.dead_letters(), 1, raw)  # type: ignore[arg-type]  # bytes work
            pipe.execute()
        done.append(letter["id"])
    return done
