"""The real ``newsmonitor`` command as a user runs it: a subprocess, its exit code and output.

The environment is the test's minus what would point the command at the wrong state
(REDIS_URL, NEWSMONITOR_CONFIG), so each test says where its config and data are.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
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


def start_cli(
    argv: Sequence[str], log: Path, cwd: Path = ROOT, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """The command in the background, stdout and stderr in ``log``; the environment is
    ``user_env()`` unless ``env`` is given, so a command never finds a Redis the test did not
    choose."""
    with log.open("wb") as out:
        return subprocess.Popen(
            [*CLI, *argv],
            cwd=cwd,
            env=user_env() if env is None else env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
