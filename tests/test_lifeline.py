"""Every worker dies with its daemon: also one whose daemon died while it booted, and one the
daemon respawned (item 16: a respawned worker was found running 18 minutes later)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.clirun import ROOT
from tests.procs import (
    alive,
    kill_all,
    newsmonitor,
    redis_servers_of,
    timed_wait,
    wait_gone,
    workers_of,
)
from tests.servers import wait_for
from tests.test_stop import config


def test_a_worker_whose_parent_died_while_it_booted_exits(tmp_path: Path, redis_url: str) -> None:
    """The parent is gone before the child can ask the kernel to follow it (prctl): without the
    parent-pid check the child would live on, adopted by init."""
    script = textwrap.dedent(
        f"""
        import os, sys, threading
        from monitor.supervisor import WorkerSpec, WorkerSupervisor
        sup = WorkerSupervisor(WorkerSpec(("entries",), {redis_url!r}), 1, lambda names: None)
        sup.start()
        print(sup.pids[0], flush=True)
        os._exit(0)  # at once: the child is still starting its interpreter
        """
    )
    env = {**os.environ, "NEWSMONITOR_MARK": str(tmp_path)}
    parent = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=30
    )
    child = int(parent.stdout.split()[0])
    wait_for(lambda: not alive(child), 15)
    assert not workers_of(str(tmp_path))


def test_a_child_that_asks_to_follow_an_already_dead_parent_exits(tmp_path: Path) -> None:
    """The race itself, made certain: the child calls hold_lifeline only after its parent is
    gone, so PDEATHSIG can never fire; the parent-pid check must end it."""
    out = tmp_path / "child.out"
    child_code = (
        "import sys, time; time.sleep(1.0)\n"
        "from monitor.lifeline import hold_lifeline\n"
        "hold_lifeline(int(sys.argv[1]))\n"
        f"open({str(out)!r}, 'w').write('outlived its parent'); time.sleep(30)\n"
    )
    parent_code = (
        "import os, subprocess, sys\n"
        f"p = subprocess.Popen([sys.executable, '-c', {child_code!r}, str(os.getpid())])\n"
        "print(p.pid, flush=True)\n"
    )
    parent = subprocess.run([sys.executable, "-c", parent_code], cwd=ROOT, capture_output=True, text=True, timeout=30)
    child = int(parent.stdout.split()[0])
    wait_for(lambda: not alive(child), 15)
    assert not out.exists()


@pytest.mark.slow
def test_a_respawned_worker_dies_with_its_daemon(tmp_path: Path) -> None:
    cfg = config(tmp_path, None, "10s")
    mark = str(tmp_path)
    with (tmp_path / "daemon.log").open("wb") as log:
        daemon = newsmonitor(cfg, log, "run", "--workers", "2")
        try:
            first = wait_for(lambda: len(w := workers_of(mark)) == 2 and w, 30)
            os.kill(first[0], signal.SIGKILL)
            now = wait_for(lambda: len(w := workers_of(mark)) == 2 and first[0] not in w and w, 15)
            assert len(set(now) - set(first)) == 1  # one new worker in place of the killed one
            time.sleep(0.5)  # the respawned one is well past its start-up now
            os.kill(daemon.pid, signal.SIGKILL)  # the daemon alone, no chance to clean up
            timed_wait(daemon, 10)
            left = wait_gone(mark, 10)
            assert not left, f"left: workers {workers_of(mark)}, redis {redis_servers_of(mark)}"
        finally:
            kill_all(mark, daemon)
    assert "respawning" in (tmp_path / "daemon.log").read_text()
