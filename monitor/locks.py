"""A short Redis lock (SET NX PX + compare-and-delete) for work that must not interleave.

Several workers on several machines may touch the same story or rule state at once; the lock
expires by itself if its holder dies, so a crash can delay others but never block them.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import redis

from monitor.errors import NewsmonitorError

_RELEASE = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
)


def release_lock(r: redis.Redis, key: str, token: str) -> bool:
    """Delete ``key`` only if it still holds ``token``: never free a lock someone else took
    after ours expired."""
    return bool(r.eval(_RELEASE, 1, key, token))


class LockTimeout(NewsmonitorError):
    retryable = True


@contextmanager
def redis_lock(
    r: redis.Redis, key: str, ttl_ms: int = 5000, wait_s: float = 10.0
) -> Iterator[None]:
    token = uuid.uuid4().hex
    deadline = time.monotonic() + wait_s
    delay = 0.001
    while not r.set(key, token, nx=True, px=ttl_ms):
        if time.monotonic() > deadline:
            raise LockTimeout(key, f"lock not acquired within {wait_s}s")
        time.sleep(delay)
        delay = min(delay * 2, 0.05)
    try:
        yield
    finally:
        release_lock(r, key, token)
