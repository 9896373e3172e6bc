"""Starting the real `newsmonitor` command as a subprocess, its output in a log file."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def start_cli(
    argv: Sequence[str], log: Path, cwd: Path = ROOT, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """``python -m monitor.cli ARGV`` with stdout and stderr in ``log``; REDIS_URL is dropped
    unless ``env`` gives it, so a command never finds a Redis the test did not choose."""
    if env is None:
        env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "monitor.cli", *argv],
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
