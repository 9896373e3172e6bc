"""A child process that dies with its parent, with no window in which it can outlive it.

Linux's PR_SET_PDEATHSIG asks the kernel to signal a process when its parent dies, with two
traps, both seen in practice (a respawned worker found running 18 minutes after its daemon):

- the child can only set it once it runs. If the parent died before that, the child has
  already been handed to init and the signal will never come. So the child is told its
  parent's pid and, right after prctl, checks that it still has that parent; if not, it exits.
- "parent" means the parent *thread*: the signal fires when the thread that spawned the child
  ends, even though the process lives on. So the daemon spawns workers only from its main
  thread (monitor/supervisor.py), which lives exactly as long as the daemon.

Kept free of heavy imports: a worker calls it first thing, before importing rq or httpx.
"""

from __future__ import annotations

import ctypes
import os
import signal

_PR_SET_PDEATHSIG = 1


def die_with_parent(sig: int = signal.SIGTERM) -> bool:
    """Ask the kernel to send ``sig`` to this process when its parent dies; False when the
    platform cannot (not Linux), in which case the parent's explicit stop still applies."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(_PR_SET_PDEATHSIG, sig, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def hold_lifeline(parent_pid: int, sig: int = signal.SIGKILL) -> None:
    """Die with ``parent_pid``; exit at once if it is already gone (the race above)."""
    die_with_parent(sig)
    if os.getppid() != parent_pid:
        os._exit(0)  # our parent died before we could ask to follow it
