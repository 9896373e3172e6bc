"""The Prometheus text for /metrics, built at scrape time from Redis.

Counters come from the metrics hash every process adds to (monitor/metrics.py); gauges are read
live from RQ's keys. A prometheus_client ``Collector`` yields the families and
``generate_latest`` writes the format, so escaping and the ``_total``/``_bucket`` suffixes are
the library's job, not ours.
"""

from __future__ import annotations

from collections.abc import Iterator

import redis
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4, generate_latest
from prometheus_client.registry import Collector
from prometheus_client.utils import floatToGoString

from monitor import keys, metrics
from monitor.metrics import Counters
from monitor.queuestats import count_workers, queue_stats

CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4
NS = "newsmonitor"

# (family in the hash, metric name, help, label name or None, label values always shown)
_COUNTERS: tuple[tuple[str, str, str, str | None, tuple[str, ...]], ...] = (
    (metrics.POLLS, "polls", "Feed polls by outcome.", "outcome", metrics.POLL_OUTCOMES),
    (metrics.ENTRIES, "entries", "New feed entries enqueued for processing.", None, ()),
    (metrics.ARTICLES, "articles", "Articles read, classified and stored.", None, ()),
    (metrics.EVENTS, "events", "Events recognised in articles, by type.", "type", ()),
    (metrics.ALERTS, "alerts", "Alerts decided (sent or held for a digest), by rule.", "rule", ()),
    (
        metrics.DELIVERIES,
        "deliveries",
        "Delivery tries by outcome (failed: will retry; dead: failed for good).",
        "outcome",
        metrics.DELIVERY_OUTCOMES,
    ),
    (
        metrics.JOBS_FAILED,
        "jobs_failed",
        "Jobs failed for good for a bug (an unexpected error after their retries), by queue.",
        "queue",
        metrics.JOB_QUEUES,
    ),
)


def counter_families(c: Counters) -> Iterator[Metric]:
    for family, name, doc, label, always in _COUNTERS:
        if label is None:
            yield CounterMetricFamily(f"{NS}_{name}", doc, value=c.get(family))
            continue
        metric = CounterMetricFamily(f"{NS}_{name}", doc, labels=[label])
        values = dict.fromkeys(always, 0.0) | c.families.get(family, {})
        for value, n in sorted(values.items()):
            metric.add_metric([value], n)
        yield metric


def lag_histogram(c: Counters) -> HistogramMetricFamily:
    """Cumulative buckets from the stored per-bucket counts; ``le`` written as client libraries
    write it ("1.0"). A bound found in Redis but no longer in LAG_BUCKETS is still shown, so
    changing the buckets never drops counts."""
    stored = dict(c.lag_buckets())
    bounds = sorted(set(metrics.LAG_BUCKETS) | {b for b in stored if b != float("inf")})
    buckets, running = [], 0.0
    for bound in bounds:
        running += stored.get(bound, 0.0)
        buckets.append((floatToGoString(bound), running))
    buckets.append((metrics.INF, c.get(metrics.LAG_COUNT)))
    return HistogramMetricFamily(
        f"{NS}_delivery_lag_seconds",
        "Seconds from an article's publication to the delivery of its alert.",
        buckets=buckets,
        sum_value=c.get(metrics.LAG_SUM),
    )


def live_gauges(r: redis.Redis) -> Iterator[Metric]:
    depth = GaugeMetricFamily(f"{NS}_queue_depth", "Jobs waiting in a queue.", labels=["queue"])
    started = GaugeMetricFamily(
        f"{NS}_queue_started_jobs", "Jobs being run from a queue.", labels=["queue"]
    )
    failed = GaugeMetricFamily(
        f"{NS}_queue_failed_jobs", "Jobs in a queue's failed registry.", labels=["queue"]
    )
    for q in queue_stats(r):
        depth.add_metric([q.name], q.queued)
        started.add_metric([q.name], q.started)
        failed.add_metric([q.name], q.failed)
    yield from (depth, started, failed)
    yield GaugeMetricFamily(f"{NS}_workers", "RQ workers alive.", value=count_workers(r))
    yield GaugeMetricFamily(
        f"{NS}_dead_letters", "Deliveries that failed for good.", value=r.llen(keys.dead_letters())
    )


class RedisCollector(Collector):
    """Everything /metrics shows; Redis errors propagate so the scrape fails visibly."""

    def __init__(self, r: redis.Redis) -> None:
        self.r = r

    def collect(self) -> Iterator[Metric]:
        counters = metrics.read_counters(self.r)
        yield from counter_families(counters)
        yield lag_histogram(counters)
        yield from live_gauges(self.r)


def render_metrics(r: redis.Redis) -> bytes:
    return generate_latest(RedisCollector(r))
