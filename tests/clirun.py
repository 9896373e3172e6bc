"""The real ``newsmonitor`` command as a user runs it: a subprocess, its exit code and output.

The environment is the test's minus what would point the command at the wrong state
(REDIS_URL, NEWSMONITOR_CONFIG), so each test says where its config and data are.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "monitor.cli"]


def user_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "NEWSMONITOR_CONFIG")}
    return {**env, "PYTHONPATH": str(ROOT)}


def run_cli(*argv: str, cwd: Path = ROOT, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *argv], cwd=cwd, env=user_env(), capture_output=True, text=True, timeout=timeout
    )
