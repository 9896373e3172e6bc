"""Counters for /metrics, kept in Redis because the work happens in many processes.

The poller runs in the daemon, jobs run in RQ worker processes on any machine: an in-process
counter would see one of them. So every process adds to one Redis hash (``keys.metrics()``)
and /metrics reads it. A field is ``<family>`` or ``<family>:<label value>``, e.g.
``polls:ok``, ``events:attack``, ``alerts:large-attack-count``; the lag histogram keeps
``lag_bucket:<upper bound>`` (not cumulative: one increment per value), ``lag_count`` and
``lag_sum``.

Recording is one pipelined round trip and never raises: a metric is not worth failing a job
for, so a Redis error is logged at debug level and the count is lost.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import ParamSpec

import redis

from monitor import keys
from monitor.models import Article
from monitor.statuses import PollStatus

log = logging.getLogger("newsmonitor.metrics")

POLLS, ENTRIES, ARTICLES, EVENTS, ALERTS, DELIVERIES, JOBS_FAILED = (
    "polls",
    "entries",
    "articles",
    "events",
    "alerts",
    "deliveries",
    "jobs_failed",
)
LAG_BUCKET, LAG_COUNT, LAG_SUM = "lag_bucket", "lag_count", "lag_sum"
# ok, unchanged, error, backlog: each PollStatus by the metric label it carries
POLL_OUTCOMES = tuple(dict.fromkeys(s.metric for s in PollStatus))
_POLL_STATUSES = frozenset(PollStatus)
DELIVERY_OUTCOMES = ("sent", "failed", "dead", "duplicate")
JOB_QUEUES = (keys.QUEUE_ENTRIES, keys.QUEUE_ALERTS)
OTHER = "other"  # an unknown outcome: counted, but never a new label value per typo or message
# Seconds from an article's publication to its delivery: feeds lag from seconds to a day.
LAG_BUCKETS: tuple[float, ...] = (1, 2, 5, 10, 30, 60, 300, 900, 3600, 21600, 86400)
INF = "+Inf"

P = ParamSpec("P")


def _never_raises(func: Callable[P, None]) -> Callable[P, None]:
    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            func(*args, **kwargs)
        except (redis.RedisError, OSError) as exc:
            log.debug("metric %s not recorded: %s", func.__name__, exc)

    return wrapper


def _incr(r: redis.Redis, counts: dict[str, int]) -> None:
    pipe = r.pipeline(transaction=False)
    _add(pipe, counts)
    pipe.execute()


def _add(pipe: redis.client.Pipeline, counts: dict[str, int]) -> None:
    for name, n in counts.items():
        if n:
            pipe.hincrby(keys.metrics(), name, n)


def _poll_counts(outcome: str, new_entries: int) -> dict[str, int]:
    """``outcome``: a PollStatus (or its value; the metric uses its ``metric`` label) or a label."""
    if outcome in _POLL_STATUSES:
        outcome = PollStatus(outcome).metric
    label = outcome if outcome in POLL_OUTCOMES else OTHER
    return {f"{POLLS}:{label}": 1, ENTRIES: new_entries}


@_never_raises
def record_poll(r: redis.Redis, outcome: str, new_entries: int = 0) -> None:
    """One poll of one feed; ``new_entries`` (those enqueued) also count towards ``entries``."""
    _incr(r, _poll_counts(outcome, new_entries))


def add_poll(pipe: redis.client.Pipeline, outcome: str, new_entries: int = 0) -> None:
    """``record_poll`` as part of the caller's pipeline (the poller's one write per poll)."""
    _add(pipe, _poll_counts(outcome, new_entries))


@_never_raises
def record_entries(r: redis.Redis, n: int) -> None:
    """New entries enqueued, for a caller that counts them apart from the poll."""
    _incr(r, {ENTRIES: n})


@_never_raises
def record_article(r: redis.Redis, article: Article) -> None:
    """One processed article and each of its events, by type."""
    counts = {ARTICLES: 1}
    for event in article.events:
        name = f"{EVENTS}:{event.type}"
        counts[name] = counts.get(name, 0) + 1
    _incr(r, counts)


@_never_raises
def record_alert(r: redis.Redis, rule: str) -> None:
    """A rule decided to alert (sent now or held for a digest)."""
    _incr(r, {f"{ALERTS}:{rule}": 1})


@_never_raises
def record_delivery(r: redis.Redis, outcome: str, lag_seconds: float | None = None) -> None:
    """One delivery try's outcome; ``lag_seconds`` (published -> delivered) for a sent alert."""
    label = outcome if outcome in DELIVERY_OUTCOMES else OTHER
    pipe = r.pipeline(transaction=False)
    pipe.hincrby(keys.metrics(), f"{DELIVERIES}:{label}", 1)
    if lag_seconds is not None and math.isfinite(lag_seconds):
        lag = max(0.0, lag_seconds)  # a clock ahead of ours is no negative lag
        pipe.hincrby(keys.metrics(), f"{LAG_BUCKET}:{bucket_for(lag)}", 1)
        pipe.hincrby(keys.metrics(), LAG_COUNT, 1)
        pipe.hincrbyfloat(keys.metrics(), LAG_SUM, lag)
    pipe.execute()


@_never_raises
def record_job_failed(r: redis.Redis, queue: str) -> None:
    """A job that ended in the failed registry for good: one of its own, i.e. a bug (an
    unexpected error after its retries, or a job that kept killing its worker)."""
    label = queue if queue in JOB_QUEUES else OTHER
    _incr(r, {f"{JOBS_FAILED}:{label}": 1})


def bucket_for(seconds: float) -> str:
    """The smallest upper bound that holds ``seconds``, as the field suffix."""
    for bound in LAG_BUCKETS:
        if seconds <= bound:
            return bound_text(bound)
    return INF


def bound_text(bound: float) -> str:
    return str(int(bound)) if float(bound).is_integer() else repr(float(bound))


def lag_since(published: str | None, now: datetime | None = None) -> float | None:
    """Seconds since an ISO 8601 publication time; None when absent, unreadable or date-only.

    A date without a time says nothing about lag in seconds, so it is left out rather than
    counted as midnight.
    """
    if not published or len(published.strip()) <= 10:
        return None
    try:
        when = datetime.fromisoformat(published.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return ((now or datetime.now(UTC)) - when).total_seconds()


@dataclass(frozen=True, slots=True)
class Counters:
    """The metrics hash, parsed: family -> label value -> count ("" for an unlabelled family)."""

    families: dict[str, dict[str, float]] = field(default_factory=dict)

    def get(self, family: str, label: str = "") -> float:
        return self.families.get(family, {}).get(label, 0.0)

    def lag_buckets(self) -> list[tuple[float, float]]:
        """(upper bound, count in that bucket alone), ascending; +Inf last."""
        raw = self.families.get(LAG_BUCKET, {})
        return sorted((float(le), n) for le, n in raw.items())


def parse_counters(raw: dict[bytes, bytes]) -> Counters:
    families: dict[str, dict[str, float]] = {}
    for name, value in raw.items():
        family, _, label = name.decode("utf-8", "replace").partition(":")
        families.setdefault(family, {})[label] = float(value)
    return Counters(families)


def read_counters(r: redis.Redis) -> Counters:
    """Every counter; raises the Redis error (a scrape should fail visibly, not read zero)."""
    raw: dict[bytes, bytes] = r.hgetall(keys.metrics())  # type: ignore[assignment]
    return parse_counters(raw)
