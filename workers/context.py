"""What a job needs from its process: the config and the Redis connection it runs on.

Jobs take plain dicts, so the settings they act on cannot travel with them; each worker process
loads the config named by NEWSMONITOR_CONFIG once and reloads it when the variable or the file
changes, so a long-lived worker follows an edited config without a restart.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import redis
from rq import get_current_job

from monitor.config import Config, load_config
from monitor.locks import LockOwner

CONFIG_ENV = "NEWSMONITOR_CONFIG"

_lock = threading.Lock()
_cached: tuple[tuple[str | None, float | None], Config] | None = None


def _config_stamp() -> tuple[str | None, float | None]:
    path = os.environ.get(CONFIG_ENV) or None
    if path is None:
        return None, None
    try:
        return path, Path(path).stat().st_mtime
    except OSError:
        return path, None  # load_config reports the unreadable file with its name


def current_config() -> Config:
    """The process-wide config; cached until NEWSMONITOR_CONFIG or the file's mtime changes."""
    global _cached
    stamp = _config_stamp()
    with _lock:
        if _cached is None or _cached[0] != stamp:
            _cached = (stamp, load_config(stamp[0]))
        return _cached[1]


def current_redis() -> redis.Redis:
    """The connection of the running RQ job: the job and its queue share one Redis."""
    job = get_current_job()
    if job is None:
        raise RuntimeError("current_redis() called outside an RQ job")
    return job.connection


def current_owner() -> LockOwner | None:
    """The running job and its worker, as the owner of the locks it takes (monitor.locks):
    a lock left by this run is taken over at once if the worker dies. None outside a job."""
    job = get_current_job()
    if job is None or not job.worker_name:
        return None
    return LockOwner(job.id, job.worker_name)
