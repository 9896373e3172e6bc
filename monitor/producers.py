"""The RQ producers: every queue the project makes, and every job it puts on one.

Both sides enqueue (the daemon its entries, digests and silence alerts; the CLI and the console
replays; the entry job its deliveries and its re-reads), so the producers live in the core and
name the job functions by their dotted path: RQ stores that string anyway, and the core stays
free of ``workers/``.
The paths are a contract with jobs already queued in Redis: renaming a job function means
keeping its old path importable.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import redis
from redis.client import Pipeline
from rq import Callback, Queue, Retry
from rq.exceptions import DuplicateJobError
from rq.job import Job
from rq.serializers import JSONSerializer

from monitor import alertstore, keys
from monitor.alertstore import DeliveryState
from monitor.config import Config
from monitor.lifetimes import Lifetimes
from monitor.models import Alert, Entry

log = logging.getLogger("newsmonitor.deliver")

ENTRY_JOB = "workers.jobs.process_entry"
# Named, not imported: the queue calls it in the worker (workers/retries.py says what it does).
ENTRY_FAILURE_CALLBACK = "workers.retries.on_entry_failure"
# An entry job is retried on the schedule of ``fetch.page_retries`` (a page that cannot be read
# is tried again, then the entry is read from the feed's text); a job that raises for another
# reason is retried on the same schedule, and then on for as long as the cause is transient.
ENTRY_RESULT_TTL = 3600  # a finished job's result, for `status`; never beyond retention

DELIVERY_JOB = "workers.deliver.deliver"
DELIVERY_FAILURE_CALLBACK = "workers.deliver.on_delivery_failure"
DELIVERY_RESULT_TTL = 500
META_TRIES = "tries"
META_STATE_TTL = "state_ttl"  # how long the alert's delivery state is kept (the retention)
# A job whose meta holds this logs its own failed tries (a delivery: with its try count).
REPORTS_OWN_FAILURES = "nm_reports_own_failures"


def make_queue(name: str, connection: redis.Redis) -> Queue:
    """Every queue of the project: job payloads are plain dicts, so JSON is enough and safe."""
    return Queue(name, connection=connection, serializer=JSONSerializer)


def entry_retry(delays: Sequence[float]) -> Retry | None:
    """RQ's retry schedule for an entry job: one retry per wait (whole seconds; 0 = at once)."""
    return Retry(max=len(delays), interval=[round(d) for d in delays]) if delays else None


def enqueue_entry(
    queue: Queue,
    entry: Entry,
    job_id: str,
    job_timeout: float,
    life: Lifetimes,
    page_retries: Sequence[float],
    pipeline: Pipeline,
) -> None:
    """Queue the entry job inside the caller's transaction (the one that marks it seen)."""
    queue.enqueue_call(
        ENTRY_JOB,
        args=(entry.to_dict(),),
        job_id=job_id,
        timeout=int(job_timeout),
        result_ttl=min(ENTRY_RESULT_TTL, life.articles),
        failure_ttl=life.articles,
        description=f"entry {entry.link}",
        retry=entry_retry(page_retries),
        on_failure=Callback(ENTRY_FAILURE_CALLBACK),
        pipeline=pipeline,
    )


def enqueue_reread(queue: Queue, entry: Entry, cfg: Config) -> None:
    """One more entry job for this page, ``fetch.page_reread_after`` from now (an id of its
    own, so scheduling it again replaces it)."""
    identity = f"{entry.canonical_url or entry.link}\0{entry.updated or ''}\0reread"
    life = cfg.retention.lifetimes()
    queue.enqueue_in(
        timedelta(seconds=cfg.fetch.page_reread_after),
        ENTRY_JOB,
        args=(entry.to_dict(),),
        kwargs={"reread": True},
        job_id=keys.entry_job_id(identity),
        job_timeout=int(cfg.job_timeout),
        result_ttl=min(ENTRY_RESULT_TTL, life.articles),
        failure_ttl=life.articles,
        description=f"re-read {entry.link}",
        on_failure=Callback(ENTRY_FAILURE_CALLBACK),
    )


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
        "on_failure": Callback(DELIVERY_FAILURE_CALLBACK),
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
        alertstore.set_delivery_state(pipeline, ids, channel, DeliveryState.QUEUED, ttl=state_ttl)
        return queue.enqueue(DELIVERY_JOB, data, channel, pipeline=pipeline, **options)
    # Before the enqueue, and only if nothing is recorded: the job may run (and be "sent")
    # before this call returns, or be a copy of one that already did.
    alertstore.set_delivery_state(
        queue.connection, ids, channel, DeliveryState.QUEUED, only_if_new=True, ttl=state_ttl
    )
    try:
        return queue.enqueue(DELIVERY_JOB, data, channel, unique=True, **options)
    except DuplicateJobError:
        log.info("delivery of %s to %s is already queued", data["id"], channel)
        return None
