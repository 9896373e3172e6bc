"""Seen-entry bookkeeping: an entry is marked seen in the same transaction that enqueues it.

Identity is the canonical article URL (the same story linked from two feeds is one entry) and,
as a second key, the feed's own guid (a feed that rewrites its links keeps its guid). WATCH on
both keys makes two pollers racing on one entry enqueue it once: the loser's EXEC fails.

A marker holds the entry's ``updated`` time: an entry seen again with a later one (a liveblog
that grew) is enqueued again, as an update, under a job id of its own.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

import redis
from rq import Callback, Queue, Retry

from monitor import keys
from monitor.configsections import DEFAULT_PAGE_RETRIES
from monitor.lifetimes import DEFAULT_LIFETIMES, Lifetimes
from monitor.models import Entry
from monitor.redisconn import as_str

log = logging.getLogger("newsmonitor.poll")

ENTRY_JOB = "workers.jobs.process_entry"
# Named, not imported: the queue calls it in the worker (workers/retries.py says what it does).
ENTRY_FAILURE_CALLBACK = "workers.retries.on_entry_failure"
# An entry job is retried on the schedule of ``fetch.page_retries`` (a page that cannot be read
# is tried again, then the entry is read from the feed's text); a job that raises for another
# reason is retried on the same schedule, and then on for as long as the cause is transient.
ENTRY_RESULT_TTL = 3600  # a finished job's result, for `status`; never beyond retention


def _seen_keys(entry: Entry) -> list[str]:
    out = [keys.seen_url(entry.canonical_url or entry.link)]
    if entry.guid:
        out.append(keys.seen_guid(entry.feed_url, entry.guid))
    return out


def is_seen(r: redis.Redis, entry: Entry) -> bool:
    return bool(r.exists(*_seen_keys(entry)))


def unseen(r: redis.Redis, entries: Sequence[Entry]) -> list[int]:
    """Positions of the entries that are news (never seen, or seen with an older ``updated``),
    read in one round trip. Only a hint: ``enqueue_entry_once`` decides, atomically; this
    spares it the entries a changed feed still carries from earlier polls (most of them)."""
    if not entries:
        return []
    per_entry = [_seen_keys(e) for e in entries]
    marks = r.mget([k for ks in per_entry for k in ks])
    out, at = [], 0
    for i, (entry, ks) in enumerate(zip(entries, per_entry, strict=True)):
        if _is_news(entry, marks[at : at + len(ks)]):
            out.append(i)
        at += len(ks)
    return out


def _marker(entry: Entry) -> str:
    return f"u:{entry.updated or ''}"


def _is_news(entry: Entry, marks: list[bytes | str | None]) -> bool:
    """Never seen, or seen only with an older ``updated`` time."""
    found = [as_str(m) for m in marks if m is not None]
    if not found:
        return True
    if not entry.updated:
        return False
    return all(not m.startswith("u:") or m[2:] < entry.updated for m in found)


def entry_retry(delays: Sequence[float]) -> Retry | None:
    """RQ's retry schedule for an entry job: one retry per wait (whole seconds; 0 = at once)."""
    return Retry(max=len(delays), interval=[round(d) for d in delays]) if delays else None


def enqueue_entry_once(
    r: redis.Redis,
    queue: Queue,
    entry: Entry,
    job_timeout: float,
    life: Lifetimes = DEFAULT_LIFETIMES,
    page_retries: Sequence[float] = DEFAULT_PAGE_RETRIES,
) -> bool:
    """Enqueue the entry unless seen (in this version); True if this call enqueued it."""
    seen = _seen_keys(entry)
    identity = entry.canonical_url or entry.link
    with r.pipeline() as pipe:
        try:
            pipe.watch(*seen)
            marks = pipe.mget(*seen)
            if not _is_news(entry, marks):
                return False
            if any(m is not None for m in marks):
                identity += f"\0{entry.updated}"  # an update: a job of its own
            pipe.multi()
            queue.enqueue_call(
                ENTRY_JOB,
                args=(entry.to_dict(),),
                job_id=keys.entry_job_id(identity),
                timeout=int(job_timeout),
                result_ttl=min(ENTRY_RESULT_TTL, life.articles),
                failure_ttl=life.articles,
                description=f"entry {entry.link}",
                retry=entry_retry(page_retries),
                on_failure=Callback(ENTRY_FAILURE_CALLBACK),
                pipeline=pipe,
            )
            for key in seen:
                pipe.set(key, _marker(entry), ex=life.seen)
            pipe.execute()
        except redis.WatchError:
            return False  # another poller took it between our check and EXEC
    kind = "update of" if "\0" in identity else "new entry"
    log.info("enqueued %s %s (%s): %s", kind, entry.link, entry.feed_name, entry.title or "")
    return True


def mark_seen(
    r: redis.Redis, entries: Iterable[Entry], life: Lifetimes = DEFAULT_LIFETIMES
) -> int:
    """Mark entries seen without processing them (a new feed's backlog); returns how many."""
    n = 0
    with r.pipeline(transaction=False) as pipe:
        for entry in entries:
            for key in _seen_keys(entry):
                pipe.set(key, _marker(entry), ex=life.seen, nx=True)
            n += 1
        pipe.execute()
    return n
