"""Riding out a Redis outage: reconnect with backoff, and say so once, not once per try.

A Redis restart used to kill every worker (12 deaths in 5 s, 78 tracebacks): redis-py gave up
after its default retries and RQ's work loop quit on the ConnectionError. Here every command
of a process goes through one ``OutageRetry`` on its connection pool, which

- retries connection errors and timeouts with exponential backoff: for ever in a worker (it
  can do nothing without Redis, keeps its job meanwhile, and is stopped by its supervisor with
  a signal, never by Redis), a few times in the daemon (its periodic jobs skip a beat and try
  again on their next tick, so the scheduler's threads never pile up behind a dead server);
- reports to the process's ``RedisOutage``, which logs one line when the first command fails
  and one when a command succeeds again.
"""

from __future__ import annotations

import copy
import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

log = logging.getLogger("newsmonitor.redis")

T = TypeVar("T")

# A restart of a local Redis takes about a second; retries start fast and settle at the cap,
# so a worker is back within RETRY_CAP of the server.
RETRY_BASE = 0.05
RETRY_CAP = 2.0
DAEMON_RETRIES = 3  # 0.05 + 0.1 + 0.2 s, then the periodic job gives up this tick
FOREVER = -1
# Connection errors (the server went away, refused, reset) and timeouts; a command that Redis
# itself rejected (ResponseError) is a bug or bad data, and retrying cannot help.
RETRIED = (redis.ConnectionError, redis.TimeoutError, TimeoutError, ConnectionError)


class RedisOutage:
    """Whether this process can reach Redis now; logs the start and the end of each outage.

    While a server shuts down it refuses new connections but still answers on old ones for a
    moment; a success there is not the end of the outage. It ends with a command that failed
    and then got through, or with any success once no command has failed for ``settle`` s.
    """

    def __init__(self, where: str = "redis", settle: float = 1.0) -> None:
        self.where, self.settle = where, settle
        self.since: float | None = None
        self._last_failure = 0.0
        self._lock = threading.Lock()

    @property
    def down(self) -> bool:
        return self.since is not None

    def failed(self, error: BaseException) -> None:
        with self._lock:
            self._last_failure = time.monotonic()
            if self.since is not None:
                return
            self.since = self._last_failure
        log.warning("%s unreachable (%s); retrying with backoff", self.where, error or repr(error))

    def succeeded(self, after_failing: bool) -> None:
        with self._lock:
            if self.since is None:
                return
            now = time.monotonic()
            if not after_failing and now - self._last_failure < self.settle:
                return
            lasted, self.since = now - self.since, None
        log.info("%s reachable again after %.1fs", self.where, lasted)


class OutageRetry(Retry):
    """redis-py's Retry that tells a RedisOutage about failures and the recovery after them.

    redis-py deep-copies the retry object into every connection; the copies share the outage,
    so a process logs each outage once however many connections it has.
    """

    def __init__(self, outage: RedisOutage, retries: int, cap: float = RETRY_CAP) -> None:
        super().__init__(ExponentialBackoff(cap=cap, base=RETRY_BASE), retries, RETRIED)
        self.outage = outage

    def __deepcopy__(self, memo: dict[int, Any]) -> OutageRetry:
        clone = copy.copy(self)
        clone._backoff = copy.deepcopy(self._backoff, memo)
        return clone

    def call_with_retry(
        self,
        do: Callable[[], T],
        fail: Callable[..., Any],
        is_retryable: Callable[[Exception], bool] | None = None,
        with_failure_count: bool = False,
    ) -> T:
        failures = []

        def report(error: Exception, *count: int) -> Any:
            failures.append(error)
            self.outage.failed(error)
            return fail(error, *count) if with_failure_count else fail(error)

        def retryable(error: Exception) -> bool:
            # A wrong password is a ConnectionError too, but no reconnect will fix it.
            if isinstance(error, redis.AuthenticationError):
                return False
            return is_retryable(error) if is_retryable is not None else True

        result = super().call_with_retry(do, report, retryable, with_failure_count)
        if self.outage.down:
            self.outage.succeeded(after_failing=bool(failures))
        return result


# One per process: the process's own view of whether Redis answers.
PROCESS_OUTAGE = RedisOutage()


def outage_retry(outage: RedisOutage, *, forever: bool) -> OutageRetry:
    return OutageRetry(outage, FOREVER if forever else DAEMON_RETRIES)


def is_outage(exc: BaseException) -> bool:
    """An error that means "Redis is not reachable now" (already logged by the outage)."""
    return isinstance(exc, RETRIED)
