"""Jobs the tests enqueue (RQ imports them by name, as it would our own)."""

from __future__ import annotations

import time

from rq import get_current_job


def hang_first_time(marker: str) -> str:
    """Hangs on its first run (so a test can kill its worker), returns at once when re-run."""
    job = get_current_job()
    assert job is not None
    if job.connection.set(marker, 1, nx=True):
        time.sleep(120)
    return "done"


def hold_lock_then_hang(marker: str, lock: str) -> str:
    """Takes ``lock`` as a job takes the article lock (owned by this run, for 10 minutes) and,
    on its first run, hangs inside it so a test can kill its worker there."""
    from monitor.locks import redis_lock
    from workers.context import current_owner

    job = get_current_job()
    assert job is not None
    with redis_lock(job.connection, lock, ttl_ms=600_000, owner=current_owner()):
        if job.connection.set(marker, 1, nx=True):
            time.sleep(120)
    return "done"


def note(key: str, value: str) -> None:
    """Appends ``value`` to a Redis list: the order in which jobs ran."""
    job = get_current_job()
    assert job is not None
    job.connection.rpush(key, value)


def fail_with_a_bug() -> None:
    raise ZeroDivisionError("a bug, not a bad page")
