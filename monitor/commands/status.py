"""``newsmonitor status``: one screen with feeds, queues, workers, last alerts and failures.

Gathering (Redis reads) and formatting (pure: data in, text out) are apart, so the screen is
tested without a terminal and ``--json`` prints the same data for scripts. Like every command
it reads the daemon's Redis, or, with no daemon running, the data directory's state through a
Redis started for the command (monitor/redisconn.py): feeds, deliveries and dead letters are
worth seeing most when the daemon is down.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import redis

from monitor import keys, metrics
from monitor.config import Config, load_config
from monitor.deliveries import read_dead_letters, read_deliveries
from monitor.feeds import state as feedstate
from monitor.feeds.list import all_feeds
from monitor.models import DeadLetter, Delivery
from monitor.queuestats import (
    FailedJob,
    QueueStats,
    WorkerInfo,
    latest_failed_jobs,
    list_workers,
    queue_stats,
)
from monitor.redisconn import as_str, redis_session
from monitor.statuses import FeedHealth

DEFAULT_ALERTS = 10
SHOWN_FAILURES = 3


@dataclass(frozen=True, slots=True)
class FeedStatus:
    name: str
    url: str
    health: FeedHealth
    last_success: float | None
    last_error: str | None
    last_error_at: float | None
    last_new_at: float | None = None  # when a poll last found a new entry


@dataclass(frozen=True, slots=True)
class Status:
    at: float
    rules: int
    ruleset_hash: str | None
    feeds: list[FeedStatus]
    queues: list[QueueStats]
    workers: list[WorkerInfo]
    alerts: list[Delivery]
    dead_letters: list[DeadLetter]
    # queue -> jobs failed for good for a bug, all time (newsmonitor_jobs_failed_total)
    jobs_failed: dict[str, int] = dataclasses.field(default_factory=dict)
    failed_jobs: list[FailedJob] = dataclasses.field(default_factory=list)  # newest first


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("status", help="one screen: feeds, queues, workers, alerts, failures")
    p.add_argument("--alerts", type=int, default=DEFAULT_ALERTS, help="last N deliveries (10)")
    p.add_argument("--json", action="store_true", help="the same data as one JSON object")
    p.set_defaults(func=cmd_status)


def cmd_status(args: argparse.Namespace) -> int:
    cfg = load_config(args.config)
    with redis_session(cfg) as conn:
        status = gather_status(conn, cfg, args.alerts)
    if args.json:
        print(json.dumps(status_dict(status), ensure_ascii=False, indent=2))
    else:
        print(format_status(status))
    return 0


# --- gathering ---------------------------------------------------------------------------
def gather_status(r: redis.Redis, cfg: Config, alerts: int = DEFAULT_ALERTS) -> Status:
    now = time.time()
    count, digest = read_ruleset_summary(r)
    return Status(
        at=now,
        rules=count,
        ruleset_hash=digest,
        feeds=[feed_status(r, f.name, f.url, now) for f in all_feeds(cfg, r)],
        queues=queue_stats(r),
        workers=list_workers(r),
        alerts=read_deliveries(r, alerts) if alerts > 0 else [],
        dead_letters=read_dead_letters(r),
        jobs_failed=read_jobs_failed(r),
        failed_jobs=latest_failed_jobs(r, SHOWN_FAILURES),
    )


def read_jobs_failed(r: redis.Redis) -> dict[str, int]:
    counted = metrics.read_counters(r).families.get(metrics.JOBS_FAILED, {})
    return {q: int(counted.get(q, 0)) for q in metrics.JOB_QUEUES}


def feed_status(r: redis.Redis, name: str, url: str, now: float) -> FeedStatus:
    state = feedstate.read_state(r, url)
    return FeedStatus(
        name=name,
        url=url,
        health=state.health(now),
        last_success=state.last_success,
        last_error=state.last_error,
        last_error_at=state.last_error_at,
        last_new_at=state.last_new_at,
    )


def read_ruleset_summary(r: redis.Redis) -> tuple[int, str | None]:
    """(rules published, their hash); (0, None) before the daemon has published any."""
    found: list[bytes | None] = r.hmget(keys.ruleset(), ["hash", "rules"])  # type: ignore[assignment]
    digest, rules = found
    count = len(json.loads(as_str(rules))) if rules else 0
    return count, as_str(digest) if digest else None


# --- formatting (pure) ---------------------------------------------------------------------
def ago(ts: float | None, now: float) -> str:
    """A short relative time: '45s ago', '3m ago', '2h ago', '4d ago'; 'never' for None."""
    if ts is None:
        return "never"
    secs = max(0, int(now - ts))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if secs >= size:
            return f"{secs // size}{unit} ago"
    return f"{secs}s ago"


def format_feed(f: FeedStatus, now: float, width: int) -> str:
    line = f"  {f.name:<{width}}  {f.health:<8} last success {ago(f.last_success, now)}"
    line += f", last new entry {ago(f.last_new_at, now)}"
    if f.health == FeedHealth.FAILING and f.last_error:
        line += f"\n  {'':<{width}}  error {ago(f.last_error_at, now)}: {f.last_error}"
    return line


def format_feeds(feeds: list[FeedStatus], now: float) -> list[str]:
    failing = sum(f.health == FeedHealth.FAILING for f in feeds)
    silent = sum(f.health == FeedHealth.SILENT for f in feeds)
    head = f"Feeds: {len(feeds)} ({failing} failing, {silent} silent)"
    width = max((len(f.name) for f in feeds), default=0)
    return [head, *(format_feed(f, now, width) for f in feeds)]


def format_queues(queues: list[QueueStats], jobs_failed: dict[str, int] | None = None) -> list[str]:
    """One line per queue; ``failed`` is what the failed registry holds now, the total after
    it every job that ever failed for a bug."""
    lines = ["Queues:"]
    for q in queues:
        line = f"  {q.name:<8}  {q.queued} queued, {q.started} running, {q.failed} failed"
        total = (jobs_failed or {}).get(q.name)
        if total is not None:
            line += f" ({total} failed for a bug in all)"
        lines.append(line)
    return lines


def format_failed_jobs(jobs: list[FailedJob], now: float) -> list[str]:
    """The jobs that failed last, each with what it raised; nothing when there are none."""
    if not jobs:
        return []
    lines = ["Failed jobs (newest first; each stays in its queue's failed registry):"]
    for job in jobs:
        lines.append(f"  {ago(job.at, now)}  {job.queue}  {job.description}\n    {job.error}")
    return lines


def format_workers(workers: list[WorkerInfo]) -> list[str]:
    lines = [f"Workers: {len(workers)}"]
    for w in workers:
        job = f"  job {w.current_job}" if w.current_job else ""
        lines.append(f"  {w.name}  {w.state}  [{', '.join(w.queues)}]{job}")
    return lines


def format_alerts(alerts: list[Delivery]) -> list[str]:
    lines = [f"Last deliveries: {len(alerts)}" if alerts else "Last deliveries: none yet"]
    for d in alerts:
        state = "sent  " if d.ok else "FAILED"
        lines.append(f"  {d.at}  {state}  {d.channel}  {d.rule or '-'}  {d.url or d.alert_id}")
    return lines


def format_dead_letters(letters: list[DeadLetter]) -> list[str]:
    if not letters:
        return ["Dead letters: 0"]
    lines = [f"Dead letters: {len(letters)} (newsmonitor deliveries --failed; ... retry --all)"]
    for letter in letters[:SHOWN_FAILURES]:
        lines.append(f"  {letter.at}  {letter.channel}  {letter.error}")
    return lines


def format_status(s: Status) -> str:
    when = datetime.fromtimestamp(s.at, UTC).strftime("%Y-%m-%d %H:%M:%SZ")
    rules = f"{s.rules} loaded, hash {s.ruleset_hash[:12]}" if s.ruleset_hash else "none published"
    sections = [
        [f"newsmonitor status at {when}", f"Rules: {rules}"],
        format_feeds(s.feeds, s.at),
        format_queues(s.queues, s.jobs_failed),
        format_failed_jobs(s.failed_jobs, s.at),
        format_workers(s.workers),
        format_alerts(s.alerts),
        format_dead_letters(s.dead_letters),
    ]
    return "\n\n".join("\n".join(lines) for lines in sections if lines)


def status_dict(s: Status) -> dict[str, Any]:
    """The --json shape: times as Unix seconds, the lists in full."""
    return {
        "at": s.at,
        "rules": {"count": s.rules, "hash": s.ruleset_hash},
        "feeds": [dataclasses.asdict(f) for f in s.feeds],
        "queues": {q.name: q.to_dict() for q in s.queues},
        "jobs_failed": dict(s.jobs_failed),
        "failed_jobs": [dataclasses.asdict(f) for f in s.failed_jobs],
        "workers": [worker_dict(w) for w in s.workers],
        "alerts": [d.to_dict() for d in s.alerts],
        "dead_letters": {
            "count": len(s.dead_letters),
            "latest": [_letter_summary(x) for x in s.dead_letters[:SHOWN_FAILURES]],
        },
    }


def _letter_summary(letter: DeadLetter) -> dict[str, Any]:
    """A dead letter without its alert body (the article text is for ``deliveries --failed``)."""
    fields = ("id", "at", "channel", "error", "error_type", "attempts")
    return {k: getattr(letter, k) for k in fields} | {"rule": letter.rule}


def worker_dict(w: WorkerInfo) -> dict[str, Any]:
    beat = w.last_heartbeat.timestamp() if w.last_heartbeat else None
    return {
        "name": w.name,
        "state": w.state,
        "queues": list(w.queues),
        "current_job": w.current_job,
        "last_heartbeat": beat,
    }
