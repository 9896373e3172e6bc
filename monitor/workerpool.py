"""RQ's WorkerPool, adjusted for a daemon that also runs a scheduler in threads.

- Workers are SimpleWorkers (a job runs in the worker process: ~4 ms instead of ~13 ms for a
  forked work horse) and the pool respawns one that crashes.
- Worker processes are started with ``spawn``, not ``fork``: the daemon has scheduler and HTTP
  threads, and forking a threaded process can copy a held lock into the child.
- Each worker gets its own process group, so Ctrl-C in the terminal reaches only the daemon,
  which then asks each worker once for a warm shutdown (RQ turns a second SIGINT into a cold
  shutdown that abandons the job in flight), and PDEATHSIG, so a killed daemon leaves no worker.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Sequence
from multiprocessing.process import BaseProcess
from typing import Any

import redis
from rq import SimpleWorker
from rq.serializers import JSONSerializer
from rq.worker_pool import WorkerPool, run_worker

from monitor.embedded_redis import _die_with_parent
from monitor.sweep import keep_alive

log = logging.getLogger("newsmonitor.workers")


class NewsWorker(SimpleWorker):
    """A SimpleWorker that keeps a short liveness key fresh, so monitor.sweep can requeue its
    job within seconds if the process is killed."""

    def work(self, *args: Any, **kwargs: Any) -> bool:
        stop = threading.Event()
        keep_alive(self.connection, self.name, stop)
        try:
            return super().work(*args, **kwargs)
        finally:
            stop.set()


def _run_worker_detached(*args: Any, **kwargs: Any) -> None:
    os.setpgid(0, 0)
    # SIGKILL, not SIGTERM: RQ answers SIGTERM by finishing its job first, and a worker that
    # outlives its daemon would finish against whatever Redis comes up next. Killed, its job
    # is requeued by the daemon's sweep (monitor/sweep.py).
    _die_with_parent(signal.SIGKILL)
    run_worker(*args, **kwargs)


class NewsWorkerPool(WorkerPool):
    def __init__(
        self,
        queues: Sequence[str],
        connection: redis.Redis,
        num_workers: int,
        on_stop: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(
            queues,
            connection=connection,
            num_workers=num_workers,
            worker_class=NewsWorker,
            serializer=JSONSerializer,
        )
        self._on_stop = on_stop

    def get_worker_process(
        self, name: str, burst: bool, _sleep: float = 0, logging_level: str = "INFO"
    ) -> BaseProcess:
        ctx = multiprocessing.get_context("spawn")
        return ctx.Process(
            target=_run_worker_detached,
            args=(
                name,
                self._queue_names,
                self._connection_class,
                self._pool_class,
                self._pool_kwargs,
            ),
            kwargs={
                "_sleep": _sleep,
                "burst": burst,
                "logging_level": logging_level,
                "worker_class": self.worker_class,
                "job_class": self.job_class,
                "queue_class": self.queue_class,
                "serializer": self.serializer,
                "exception_handlers": self.exception_handlers,
            },
            name=f"newsmonitor worker {name}",
        )

    def request_stop(self, signum: Any = None, frame: Any = None) -> None:
        if self.status == self.Status.STOPPED:
            return  # one warm shutdown per worker, however often we are signalled
        log.info("stopping: no new polls, workers finish their jobs")
        if self._on_stop is not None:
            self._on_stop()
        super().request_stop(signum, frame)
