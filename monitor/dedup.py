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
from rq import Queue

from monitor import keys
from monitor.configsections import DEFAULT_PAGE_RETRIES
from monitor.lifetimes import DEFAULT_LIFETIMES, Lifetimes
from monitor.models import Entry
from monitor.producers import enqueue_entry
from monitor.redisconn import as_str

log = logging.getLogger("newsmonitor.poll")

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
            enqueue_entry(
                queue, entry, keys.entry_job_id(identity), job_timeout, life, page_retries, pipe
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
