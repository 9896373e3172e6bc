"""Seen-entry bookkeeping: an entry is marked seen in the same transaction that enqueues it.

Identity is the canonical article URL (the same story linked from two feeds is one entry) and,
as a second key, the feed's own guid (a feed that rewrites its links keeps its guid). WATCH on
both keys makes two pollers racing on one entry enqueue it once: the loser's EXEC fails.

A marker holds the entry's ``updated`` time: an entry seen again with a later one (a liveblog
that grew) is enqueued again, as an update, under a job id of its own.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import redis
from rq import Queue, Retry

from monitor import keys
from monitor.models import Entry
from monitor.redisconn import as_str

log = logging.getLogger("newsmonitor.poll")

ENTRY_JOB = "workers.jobs.process_entry"
# A page that times out or a Redis hiccup is tried again: after 1 min, 5 min, 30 min. An entry
# that still fails stays in RQ's failed registry (see `newsmonitor status`), never silently gone.
ENTRY_RETRY_BACKOFF = (60, 300, 1800)
ENTRY_RESULT_TTL = 3600  # a finished job's result, for `status`; never beyond retention


def _seen_keys(entry: Entry) -> list[str]:
    out = [keys.seen_url(entry.canonical_url or entry.link)]
    if entry.guid:
        out.append(keys.seen_guid(entry.feed_url, entry.guid))
    return out


def is_seen(r: redis.Redis, entry: Entry) -> bool:
    return bool(r.exists(*_seen_keys(entry)))


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


def enqueue_entry_once(
    r: redis.Redis,
    queue: Queue,
    entry: Entry,
    job_timeout: float,
    life: keys.Lifetimes = keys.DEFAULT_LIFETIMES,
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
                retry=Retry(max=len(ENTRY_RETRY_BACKOFF), interval=list(ENTRY_RETRY_BACKOFF)),
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
    r: redis.Redis, entries: Iterable[Entry], life: keys.Lifetimes = keys.DEFAULT_LIFETIMES
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
