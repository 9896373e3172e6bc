"""Exactly one active poller per Redis: a lock with a TTL that its holder keeps renewing.

Two daemons on one Redis (by mistake, or a standby on purpose) both run their schedulers, but a
poll only goes ahead in the one holding ``nm:leader``. The holder renews it every few seconds;
if it dies, the key expires after LEADER_TTL and the next check of a standby takes it, well
within the 30 s the operations promise.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import uuid

import redis

from monitor import keys
from monitor.locks import release_lock

log = logging.getLogger("newsmonitor.leader")

RENEW_INTERVAL = 5.0
_RENEW = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then "
    "return redis.call('expire', KEYS[1], ARGV[2]) end return 0"
)


class Leadership:
    def __init__(self, r: redis.Redis, ttl: int = keys.LEADER_TTL) -> None:
        self.r = r
        self.ttl = ttl
        self.id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._leader = threading.Event()

    @property
    def is_leader(self) -> bool:
        return self._leader.is_set()

    def check(self) -> bool:
        """Renew if we hold the lock, take it if it is free; returns whether we lead now."""
        try:
            held = bool(self.r.eval(_RENEW, 1, keys.leader(), self.id, self.ttl))
            if not held:
                held = bool(self.r.set(keys.leader(), self.id, nx=True, ex=self.ttl))
        except redis.RedisError as exc:  # an outage: logged once by monitor/outage.py
            log.debug("leader check failed: %s", exc)
            held = False
        if held != self.is_leader:
            log.info(
                "this daemon %s the active poller (%s)",
                "is now" if held else "is no longer",
                self.id,
            )
        (self._leader.set if held else self._leader.clear)()
        return held

    def release(self, r: redis.Redis | None = None) -> None:
        """Hand over at once (on ``r``, if the caller must not wait out an outage)."""
        with contextlib.suppress(redis.RedisError, OSError):  # else it expires on its own
            release_lock(r if r is not None else self.r, keys.leader(), self.id)
        self._leader.clear()
