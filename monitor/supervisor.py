"""Worker processes: spawn them, respawn one that dies, and stop them all within a bound.

Why not RQ's WorkerPool: it asks workers to stop over Redis pub/sub, which a worker still
booting has not subscribed to, and then waits for them without a bound ("Waiting for workers
to shutdown..." for minutes, after Ctrl-C one second after start); it forks an RQ scheduler
from each worker that outlives a killed one. This supervisor uses signals only:

- each worker is ``python -m monitor.workerproc`` (a fresh interpreter, not a fork of a
  threaded daemon) in its own process group, so Ctrl-C in the terminal reaches only the daemon,
  which then stops its workers in order; it dies with the daemon (monitor/lifeline.py), and
  it is spawned from the caller's thread, which must be the main thread;
- stop: SIGTERM to every worker (RQ's warm shutdown: an idle worker leaves at once, a busy one
  after its job), then SIGKILL to those still running after the grace. ``force`` (a second
  Ctrl-C) cuts the grace short. A killed worker's job is left in the started registry or its
  claim list, for the caller to requeue (``on_dead``) — never lost;
- a worker that dies on its own is reported to ``on_dead`` at once (its job is requeued
  within a second, not when its liveness key lapses) and respawned, with a growing delay if
  it keeps dying young (a crash loop must not become a fork bomb).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from monitor.workerproc import WORKER_REDIS_ENV

log = logging.getLogger("newsmonitor.workers")

YOUNG = 5.0  # a worker that dies younger than this is crash-looping: respawn more slowly
MAX_RESPAWN_DELAY = 30.0
REAP_TIMEOUT = 2.0


@dataclass(frozen=True, slots=True)
class WorkerSpec:
    """What every worker process of one supervisor gets."""

    queues: tuple[str, ...]
    redis_url: str
    log_level: str = "INFO"
    log_format: str = "text"
    burst: bool = False

    def argv(self, name: str) -> list[str]:
        argv = [sys.executable, "-m", "monitor.workerproc", "--parent", str(os.getpid())]
        argv += ["--name", name, "--log-level", self.log_level, "--log-format", self.log_format]
        argv += ["--queues", *self.queues]
        return [*argv, "--burst"] if self.burst else argv


@dataclass(frozen=True, slots=True)
class Child:
    name: str
    process: subprocess.Popen[bytes]
    born: float


def describe_exit(code: int) -> str:
    return f"killed by {signal.Signals(-code).name}" if code < 0 else f"exited with code {code}"


class WorkerSupervisor:
    def __init__(
        self, spec: WorkerSpec, count: int, on_dead: Callable[[Sequence[str]], object]
    ) -> None:
        self.spec, self.count, self.on_dead = spec, count, on_dead
        self.children: dict[str, Child] = {}
        self._stopping = False
        self._respawn_delay = 0.0
        self._respawn_at = 0.0

    @property
    def pids(self) -> list[int]:
        return [c.process.pid for c in self.children.values()]

    def start(self) -> None:
        for _ in range(self.count):
            self._spawn()
        log.info("started %d worker(s) on %s", self.count, ", ".join(self.spec.queues))

    def _spawn(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            # PDEATHSIG follows the spawning *thread*: a worker spawned from a pool thread
            # would be killed when that thread ends, and outlive the daemon if it never does.
            raise RuntimeError("workers must be spawned from the main thread")
        name = uuid.uuid4().hex
        process = subprocess.Popen(
            self.spec.argv(name),
            env={**os.environ, WORKER_REDIS_ENV: self.spec.redis_url},
            stdin=subprocess.DEVNULL,
            process_group=0,
        )
        self.children[name] = Child(name, process, time.monotonic())

    def check(self) -> bool:
        """Reap workers that exited, report them, respawn them; False once a burst is done."""
        dead = [c for c in self._reap() if not (self.spec.burst and c.process.returncode == 0)]
        if dead:  # (a burst worker that found the queues empty is done, not dead)
            self.on_dead([c.name for c in dead])
        for child in dead:
            log.warning(
                "worker %s (pid %d) %s%s",
                child.name,
                child.process.pid,
                describe_exit(child.process.returncode),
                "" if self._stopping or self.spec.burst else "; respawning",
            )
            self._slow_down_if_young(child)
        now = time.monotonic()
        while self._may_spawn() and len(self.children) < self.count and now >= self._respawn_at:
            self._spawn()
        return bool(self.children) or not self.spec.burst

    def _may_spawn(self) -> bool:
        return not self._stopping and not self.spec.burst

    def _slow_down_if_young(self, child: Child) -> None:
        if time.monotonic() - child.born < YOUNG:
            self._respawn_delay = min(MAX_RESPAWN_DELAY, max(1.0, self._respawn_delay * 2))
        else:
            self._respawn_delay = 0.0
        self._respawn_at = time.monotonic() + self._respawn_delay

    def _reap(self) -> list[Child]:
        dead = [c for c in self.children.values() if c.process.poll() is not None]
        for child in dead:
            del self.children[child.name]
        return dead

    def stop(self, grace: float, force: threading.Event) -> list[str]:
        """Stop every worker within ``grace`` seconds (less if ``force`` is set); returns the
        names of those that did not stop cleanly (killed, or died), whose jobs the caller must
        requeue."""
        self._stopping = True
        for child in self.children.values():
            _signal(child, signal.SIGTERM)
        unclean: list[str] = []
        deadline = time.monotonic() + grace
        while self.children and time.monotonic() < deadline and not force.is_set():
            force.wait(0.05)
            unclean += [c.name for c in self._reap() if c.process.returncode != 0]
        killed = list(self.children.values())
        for child in killed:
            _signal(child, signal.SIGKILL)
        for child in killed:
            try:
                child.process.wait(REAP_TIMEOUT)
            except subprocess.TimeoutExpired:
                log.error("worker %s (pid %d) survived SIGKILL", child.name, child.process.pid)
        self.children.clear()
        if killed:
            log.warning(
                "%d worker(s) still busy %s: killed; their jobs go back to the queue",
                len(killed),
                "at the second signal" if force.is_set() else f"after {grace:.0f}s",
            )
        return unclean + [c.name for c in killed]


def _signal(child: Child, sig: int) -> None:
    """The worker's whole process group (it leads it): anything it started goes too."""
    try:
        if sig == signal.SIGKILL:
            os.killpg(child.process.pid, sig)
        else:
            child.process.send_signal(sig)
    except (ProcessLookupError, PermissionError):
        pass  # already gone
