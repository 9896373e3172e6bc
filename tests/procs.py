"""Processes seen from outside, through /proc: what a daemon started, and what it left behind.

A test gives its daemon a folder of its own (config, data dir); every process of that run names
it: the workers in their environment (NEWSMONITOR_CONFIG), the embedded redis-server on its
command line (--dir). So "nothing left behind" is "no live process mentions the folder".
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import IO

from tests.clirun import CLI, ROOT, user_env


def _read(pid: int, name: str) -> bytes:
    try:
        return Path(f"/proc/{pid}/{name}").read_bytes()
    except OSError:
        return b""


def state(pid: int) -> str:
    """The process's state letter ("R", "S", "Z", ...); "" once it is gone."""
    stat = _read(pid, "stat").decode(errors="replace")
    return stat.rsplit(")", 1)[1].split()[0] if ")" in stat else ""


def alive(pid: int) -> bool:
    return state(pid) not in ("", "Z", "X")


def processes_of(marker: str) -> list[int]:
    """Live processes (not zombies) whose command line or environment mentions ``marker``."""
    needle = marker.encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        pid = int(entry.name)
        if (needle in _read(pid, "cmdline") or needle in _read(pid, "environ")) and alive(pid):
            found.append(pid)
    return found


def workers_of(marker: str) -> list[int]:
    return [p for p in processes_of(marker) if b"monitor.workerproc" in _read(p, "cmdline")]


def redis_servers_of(marker: str) -> list[int]:
    return [p for p in processes_of(marker) if b"redis-server" in _read(p, "cmdline")]


def wait_gone(marker: str, timeout: float) -> list[int]:
    """Wait until nothing of the run is left; what is still there at the timeout."""
    deadline = time.monotonic() + timeout
    while (left := processes_of(marker)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def kill_all(marker: str, *procs: subprocess.Popen[bytes]) -> None:
    """Cleanup after a failed test: nothing of the run may outlive it, and the processes the
    test started are reaped."""
    for pid in processes_of(marker):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    for proc in procs:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(10)


def newsmonitor(cfg: Path, log: IO[bytes], *args: str) -> subprocess.Popen[bytes]:
    """``newsmonitor --config CFG ARGS...`` in a session of its own, as a terminal would run it."""
    return subprocess.Popen(
        [*CLI, "--config", str(cfg), *args],
        cwd=ROOT,
        env=user_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def timed_wait(proc: subprocess.Popen[bytes], timeout: float) -> tuple[int, float]:
    """(exit code, seconds it took); fails the test if the process does not exit in time."""
    start = time.monotonic()
    try:
        code = proc.wait(timeout)
    except subprocess.TimeoutExpired as exc:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        raise AssertionError(f"still running {timeout}s after the signal") from exc
    return code, time.monotonic() - start
