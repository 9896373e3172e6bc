"""When an entry job raises: retried while the cause can pass, failed for good only for a bug.

An entry job ends in RQ's failed registry only when the entry itself is at fault, which in
practice means our code is: an unexpected exception that came back on every retry. Every other
cause is outside the entry and passes on its own or with the operator's help, so the job must
outlive it:

- a page that cannot be read never gets here: the job reads the feed's text on its last try;
- Redis unreachable, read-only, loading or out of memory; an article lock held too long
  (``LockTimeout``); a config file that no longer loads (``ConfigError``): every error of
  ours (``NewsmonitorError``) names something outside the entry;
- a worker that died under the job (``AbandonedJobError``): the sweep counts those deaths and
  parks a job that kills its worker again and again (monitor/sweep.py).

RQ runs a job's failure callback on every failed try, before it decides whether to retry
(rq/worker/base.py ``_finalize_failure``, and the started-registry cleanup for abandoned jobs),
and decides on the job's ``retries_left``. So on the last try of a transient failure the
callback grants one more retry, after TRANSIENT_RETRY_DELAY, as often as it takes; a bug on
its last try is counted (``newsmonitor_jobs_failed_total{queue}``) and logged once.
"""

from __future__ import annotations

import logging
from types import TracebackType

import redis
from rq.exceptions import AbandonedJobError
from rq.job import Job

from monitor import metrics
from monitor.errors import NewsmonitorError

log = logging.getLogger("newsmonitor.job")

TRANSIENT_RETRY_DELAY = 60
META_TRANSIENT = "nm_transient_retries"
_TRANSIENT_TYPES = (
    NewsmonitorError,
    AbandonedJobError,
    redis.ConnectionError,
    redis.TimeoutError,
    redis.ReadOnlyError,
)
# Redis answers these while it cannot take writes for now (full, loading, failing over).
_TRANSIENT_REPLIES = ("OOM", "LOADING", "BUSY", "MASTERDOWN", "TRYAGAIN", "READONLY")


def is_transient(exc: BaseException | None) -> bool:
    """A failure the entry cannot cause and a later try can get past."""
    if isinstance(exc, _TRANSIENT_TYPES):
        return True
    return isinstance(exc, redis.ResponseError) and str(exc).startswith(_TRANSIENT_REPLIES)


def describe(job: Job) -> str:
    return job.description or job.id


def on_entry_failure(
    job: Job,
    connection: redis.Redis,
    exc_type: type[BaseException] | None,
    exc: BaseException | None,
    tb: TracebackType | None,
) -> None:
    """RQ failure callback of entry jobs (see the module docstring); never raises."""
    if job.retries_left:
        return  # RQ tries again on its own schedule
    reason = f"{exc_type.__name__ if exc_type else 'error'}: {exc}"
    if is_transient(exc):
        n = int(job.meta.get(META_TRANSIENT, 0)) + 1
        job.meta[META_TRANSIENT] = n
        job.retries_left = 1
        job.retry_intervals = [TRANSIENT_RETRY_DELAY]
        log.warning(
            "%s: %s; not the entry's fault, trying again in %ds (extra try %d)",
            describe(job),
            reason,
            TRANSIENT_RETRY_DELAY,
            n,
        )
        return
    metrics.record_job_failed(connection, job.origin)
    log.error("%s failed for good (a bug?): %s; kept in the failed jobs", describe(job), reason)
