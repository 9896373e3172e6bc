"""SIGINT/SIGTERM over a daemon's life, and an exit that never waits without a bound.

- During start-up (embedded Redis starting, rules loading, workers spawning) the first signal
  interrupts whatever is running, like Ctrl-C in any program: ``StartupInterrupted`` unwinds
  the start-up, the caller stops what had started and exits 130.
- Once running, the first signal sets ``stop``: the caller stops polling and gives running
  jobs their grace. A second signal sets ``force``: stop now (jobs are requeued, not lost).

``exit_bounded``: Python joins every non-daemon thread at exit (concurrent.futures pools
included), so one poll stuck in a slow read would hold the process after everything else has
stopped. It waits briefly, then leaves without them.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from types import FrameType

log = logging.getLogger("newsmonitor")

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
INTERRUPTED = 130  # the shell's code for "stopped by Ctrl-C"


class StartupInterrupted(BaseException):
    """A stop signal during start-up (a BaseException, like KeyboardInterrupt, so no
    ``except Exception`` on the way swallows it)."""


class StopSignals:
    def __init__(self) -> None:
        self.stop = threading.Event()
        self.force = threading.Event()
        self._starting = True

    def install(self) -> StopSignals:
        for sig in STOP_SIGNALS:
            signal.signal(sig, self._handle)
        return self

    def started(self) -> None:
        """Start-up is over: from now on a signal asks for a stop instead of interrupting."""
        self._starting = False

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if self.stop.is_set():
            if not self.force.is_set():
                log.warning("received %s again: stopping now", name)
            self.force.set()
            return
        self.stop.set()
        if self._starting:
            self._starting = False
            log.info("received %s during start-up: stopping", name)
            raise StartupInterrupted(name)
        log.info("received %s: stopping (send it again to stop at once)", name)


class Deadline:
    """A point in time that several steps share: each waits at most for what is left."""

    def __init__(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds

    def left(self, floor: float = 0.0) -> float:
        return max(floor, self.at - time.monotonic())


def exit_bounded(code: int, wait: float = 1.0) -> int:
    """``code``, after at most ``wait`` seconds for lingering non-daemon threads; if any are
    still running then, the process leaves without them (os._exit, logs flushed first)."""
    deadline = Deadline(wait)
    current = threading.current_thread()
    for thread in threading.enumerate():
        if thread is not current and not thread.daemon:
            thread.join(deadline.left())
    lingering = [
        t.name for t in threading.enumerate() if t is not current and t.is_alive() and not t.daemon
    ]
    if lingering:
        log.warning("leaving %d busy thread(s) behind: %s", len(lingering), ", ".join(lingering))
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code
