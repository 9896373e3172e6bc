"""Redis locks (SET NX PX + compare-and-delete) for work that must not interleave, fenced
against dead holders.

Several workers on several machines may touch the same article, story or delivery at once.
A lock expires by itself if its holder dies, but a lock that must outlive the longest job (the
article lock: ``job_timeout``) would then block the requeued run of a killed worker's job for
minutes. So a lock taken inside a job records its owner (job id + worker name, ``LockOwner``),
and whoever finds it held by a worker whose liveness key is gone (monitor/sweep.py keeps one per
live worker) takes it over at once: the dead cannot finish, and nobody else will free it.

The same mechanism serves the article lock (workers/pipeline.py), the per-rule and story locks,
and the delivery guard (workers/deliver.py).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import redis

from monitor import keys
from monitor.errors import NewsmonitorError
from monitor.redisconn import as_str

_RELEASE = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
)
# Replace the holder's token with ours only if it is still the token we judged dead.
_TAKE_OVER = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then "
    "return redis.call('set', KEYS[1], ARGV[2], 'PX', ARGV[3]) end return false"
)
_SEP = "|"  # job ids and worker names are letters, digits, '-', '_' and ':': never '|'


@dataclass(frozen=True, slots=True)
class LockOwner:
    """Who holds a lock: the RQ job and the worker process running it."""

    job_id: str
    worker: str

    def token(self) -> str:
        return _SEP.join((self.job_id, self.worker, uuid.uuid4().hex))

    @staticmethod
    def of(token: str) -> LockOwner | None:
        parts = token.split(_SEP)
        return LockOwner(parts[0], parts[1]) if len(parts) == 3 and parts[1] else None


class LockTimeout(NewsmonitorError):
    retryable = True


def release_lock(r: redis.Redis, key: str, token: str) -> bool:
    """Delete ``key`` only if it still holds ``token``: never free a lock someone else took
    after ours expired (or took over from us)."""
    return bool(r.eval(_RELEASE, 1, key, token))


def holder_is_dead(r: redis.Redis, token: str) -> bool:
    """True when the token names a worker whose liveness key is gone. A token without an
    owner (taken outside a job, e.g. by a command) is never judged dead: it expires instead."""
    owner = LockOwner.of(token)
    return owner is not None and not r.exists(keys.worker_alive(owner.worker))


def try_lock(r: redis.Redis, key: str, ttl_ms: int, owner: LockOwner | None = None) -> str | None:
    """The lock's token if we got it (free, or taken over from a dead worker), else None."""
    token = owner.token() if owner is not None else uuid.uuid4().hex
    if r.set(key, token, nx=True, px=ttl_ms):
        return token
    held = r.get(key)
    if held is None:  # freed between our SET and GET: try once more
        return token if r.set(key, token, nx=True, px=ttl_ms) else None
    if not holder_is_dead(r, as_str(held)):
        return None
    return token if r.eval(_TAKE_OVER, 1, key, held, token, ttl_ms) else None


@contextmanager
def redis_lock(
    r: redis.Redis,
    key: str,
    ttl_ms: int = 5000,
    wait_s: float = 10.0,
    owner: LockOwner | None = None,
) -> Iterator[None]:
    """Hold ``key`` for the block; wait up to ``wait_s`` for a live holder, none for a dead one."""
    deadline = time.monotonic() + wait_s
    delay = 0.001
    while (token := try_lock(r, key, ttl_ms, owner)) is None:
        if time.monotonic() > deadline:
            raise LockTimeout(key, f"lock not acquired within {wait_s}s")
        time.sleep(delay)
        delay = min(delay * 2, 0.05)
    try:
        yield
    finally:
        release_lock(r, key, token)
