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

import logging
from types import TracebackType
from typing import Any

import redis
from rq import get_current_job
from rq.job import Job

from monitor import alertstore, keys, metrics
from monitor.alertstore import DeliveryState
from monitor.config import Config
from monitor.deliveries import (
    delivery_record,
    describe_error,
    now_utc,
    record_delivery,
    record_failure,
)
from monitor.errors import DeliveryError, PermanentDeliveryError
from monitor.lifetimes import ARTICLE_TTL
from monitor.locks import LockOwner, release_lock, try_lock
from monitor.models import Alert
from monitor.producers import META_STATE_TTL, META_TRIES
from workers.channels import SendContext, send_alert
from workers.channels.targets import RedisTargets
from workers.context import current_config, current_owner, current_redis
from workers.retries import is_transient

log = logging.getLogger("newsmonitor.deliver")

# The sending lock outlives the longest send (the job timeout) by this much, so it never expires
# under a live sender, and frees itself soon after a dead one.
LOCK_MARGIN = 30


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
        record_delivery(pipe, delivery_record(data, channel, True, attempt, at))
        alertstore.set_delivery_state(
            pipe,
            alertstore.delivery_ids(data),
            channel,
            DeliveryState.SENT,
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
            DeliveryState.RETRYING,
            attempt=attempt,
            error=describe_error(error),
            ttl=state_ttl(job),
        )
        log.warning(
            "delivery of %s to %s failed (try %d of %d), will retry: %s",
            alert.get("id"),
            channel,
            attempt,
            job.meta.get(META_TRIES, 1),
            describe_error(error),
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
