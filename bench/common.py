"""Shared by the benchmarks: the feed server process and a private Redis."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent


@contextmanager
def feed_server() -> Iterator[str]:
    """Start bench/feedserver.py in its own process; yields its base URL."""
    with tempfile.TemporaryDirectory() as tmp:
        portfile = Path(tmp) / "port"
        proc = subprocess.Popen([sys.executable, str(HERE / "feedserver.py"), str(portfile)])
        try:
            deadline = time.monotonic() + 10
            while not portfile.exists() or not portfile.read_text():
                if time.monotonic() > deadline:
                    raise RuntimeError("feed server did not start")
                time.sleep(0.02)
            yield f"http://127.0.0.1:{portfile.read_text()}"
        finally:
            proc.terminate()
            proc.wait(10)


def rss_mb(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0
