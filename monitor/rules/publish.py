"""The ruleset travels through Redis: the daemon publishes, every worker on every machine reads.

Workers never read rule files from their own disk, so a worker on another machine runs exactly
the rules the daemon validated. A worker checks the small hash field per job and parses the
ruleset only when the hash changed.
"""

from __future__ import annotations

import threading

import redis

from monitor import keys
from monitor.errors import RuleError
from monitor.redisconn import as_str
from monitor.rules.compiled import RuleSet


def publish_ruleset(r: redis.Redis, ruleset: RuleSet) -> bool:
    """Store the ruleset; True if it differs from what was published."""
    key = keys.ruleset()
    if as_str(r.hget(key, "hash")) == ruleset.hash:
        return False
    # Rules first, hash last, in one transaction: a reader never sees a hash without its rules.
    r.hset(key, mapping={"rules": ruleset.to_json(), "hash": ruleset.hash})
    return True


class RulesetCache:
    """Per-process view of the published ruleset, refreshed when its hash changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._hash: str | None = None
        self._ruleset = RuleSet([])

    def get(self, r: redis.Redis) -> RuleSet:
        found = r.hget(keys.ruleset(), "hash")
        if found is None:
            # Matching nothing now would silently drop this article's alerts; the queue
            # retries the job once a daemon has published its rules.
            raise RuleError(
                keys.ruleset(), "no ruleset published (is a daemon running?)", retryable=True
            )
        current = as_str(found)
        with self._lock:
            if current != self._hash:
                raw = r.hget(keys.ruleset(), "rules")
                self._ruleset = RuleSet.from_json(as_str(raw) if raw else "[]")
                self._hash = current
            return self._ruleset
