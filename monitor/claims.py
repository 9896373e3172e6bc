"""Taking a job off a queue so that a worker killed at any instant leaves it findable.

RQ pops a job id with BLPOP and registers it as started a few round trips later: a worker
SIGKILLed in between takes the only copy of the id with it, and the job is neither queued,
started nor failed; nobody will ever run it. (RQ's own intermediate queue closes that gap only
for a worker on a single queue, and our workers take two.) So our workers *move* the id
atomically (LMOVE) into a per-worker, per-queue claim list, and drop it from there only after
RQ has registered the job as started. The sweep puts the claims of dead workers back at the
front of their queues.

Priority: a worker looks at its queues in order (``alerts`` before ``entries``, see
``by_priority``) without blocking, and blocks only on the last one, for IDLE_WAIT at most, so
an alert enqueued while an idle worker waits for entries is taken within that time; a busy
worker takes it as soon as its current job ends.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import redis

from monitor import keys
from monitor.redisconn import as_str

IDLE_WAIT = 0.5
PRIORITY = (keys.QUEUE_ALERTS, keys.QUEUE_ENTRIES)
# Give a claimed job back to the front of its queue, unless another sweeper already did.
_PUT_BACK = (
    "if redis.call('lrem', KEYS[1], 1, ARGV[1]) == 1 then "
    "return redis.call('lpush', KEYS[2], ARGV[1]) end return 0"
)


def by_priority(names: Iterable[str]) -> list[str]:
    """Queue names in the order a worker serves them: deliveries before new entries."""

    def rank(name: str) -> int:
        return PRIORITY.index(name) if name in PRIORITY else len(PRIORITY)

    return sorted(names, key=rank)


def claim_next(
    r: redis.Redis, worker: str, queues: Sequence[tuple[str, str]], wait: float | None
) -> tuple[str, str] | None:
    """(queue name, job id) moved from the first non-empty queue into the worker's claim list.

    ``queues`` holds (name, RQ key) in priority order. ``wait`` None: do not block (burst);
    else block up to ``wait`` seconds on the last queue.
    """
    for i, (name, key) in enumerate(queues):
        last = i == len(queues) - 1
        if last and wait:
            # Redis takes a fractional timeout; redis-py's hint says int.
            job_id = r.blmove(key, keys.claimed(worker, name), wait, "LEFT", "RIGHT")  # type: ignore[arg-type]
        else:
            job_id = r.lmove(key, keys.claimed(worker, name), "LEFT", "RIGHT")
        if job_id is not None:
            return name, as_str(job_id)
    return None


def drop_claim(r: redis.Redis, worker: str, queue: str, job_id: str) -> None:
    """The job is registered as started (or gone): the claim has done its work."""
    r.lrem(keys.claimed(worker, queue), 1, job_id)


def put_back_claims(
    r: redis.Redis, worker: str, queues: Sequence[tuple[str, str]], started: set[str]
) -> list[str]:
    """Give a dead worker's claimed jobs back to their queues; returns their ids.

    A job in ``started`` (ids in a StartedJobRegistry) got as far as being registered: the
    registry sweep requeues it, so only the claim is dropped here. Run this before that
    sweep, so a job it requeues is never put back a second time from its claim.
    """
    back = []
    for name, key in queues:
        claim = keys.claimed(worker, name)
        for raw in r.lrange(claim, 0, -1):
            job_id = as_str(raw)
            if job_id in started:
                r.lrem(claim, 1, job_id)
            elif r.eval(_PUT_BACK, 2, claim, key, job_id):
                back.append(job_id)
    return back
