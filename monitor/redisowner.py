"""Who holds a data directory's embedded Redis: a daemon, or a command that started it for itself.

A command that needs Redis (``status``, ``feeds``, ``deliveries``, ``backtest --since``) and
finds no server running starts the embedded one for its own few seconds and stops it after.
Three things must then never happen, each guarded here:

- a daemon starting meanwhile shares that temporary server and loses it when the command ends:
  the holder is recorded in ``redis.owner`` (role and pid), and a daemon waits for a command's
  server to stop before starting its own;
- two processes each start a server on the one AOF file, corrupting it: checking for a server
  and starting one happen under an exclusive lock on ``redis.lock``;
- a command stops its temporary server under another command that is sharing it: the holder
  waits (bounded) until it is the last client.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import redis

OWNER_NAME = "redis.owner"
LOCK_NAME = "redis.lock"
LOCK_TIMEOUT = 30.0  # the lock is held for a start (seconds) or a temporary stop (see below)
SHARERS_TIMEOUT = 10.0  # a temporary server waits this long for the commands sharing it
ROLE_DAEMON = "daemon"
ROLE_COMMAND = "command"


@dataclass(frozen=True)
class Holder:
    role: str  # ROLE_DAEMON or ROLE_COMMAND
    pid: int

    def describe(self) -> str:
        return f"a newsmonitor {self.role} (pid {self.pid})"


def read_holder(data_dir: Path) -> Holder | None:
    """The recorded holder; None when nothing (readable) is recorded."""
    try:
        role, pid = (data_dir / OWNER_NAME).read_text(encoding="ascii").split()
        return Holder(role, int(pid))
    except (OSError, ValueError):
        return None


def write_holder(data_dir: Path, holder: Holder) -> None:
    (data_dir / OWNER_NAME).write_text(f"{holder.role} {holder.pid}\n", encoding="ascii")


def clear_holder(data_dir: Path) -> None:
    (data_dir / OWNER_NAME).unlink(missing_ok=True)


@contextmanager
def data_dir_lock(data_dir: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[bool]:
    """Hold ``redis.lock`` exclusively; yields False if it could not be had within ``timeout``
    (the caller decides whether to go on). Closing the descriptor releases it, also when the
    process dies. A data dir that is gone (deleted under a running server) yields False too:
    stopping the server must not fail on it."""
    try:
        fd = os.open(data_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        yield False
        return
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                held = True
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    held = False
                    break
                time.sleep(0.05)
        yield held
    finally:
        os.close(fd)


def other_clients(client: redis.Redis) -> int:
    """How many connections besides ``client``'s own the server has."""
    me = client.client_id()
    return sum(1 for c in client.client_list() if int(c["id"]) != me)


def wait_until_alone(client: redis.Redis, timeout: float = SHARERS_TIMEOUT) -> int:
    """Wait until ``client`` is the server's only connection; the others still there at the end."""
    deadline = time.monotonic() + timeout
    others = other_clients(client)
    while others and time.monotonic() < deadline:
        time.sleep(0.05)
        others = other_clients(client)
    return others
