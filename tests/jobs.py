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
