"""Shared by the benchmarks: the feed server process and a private Redis."""

from __future__ import annotations

import os
import signal
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
    with serve_script(HERE / "feedserver.py") as base:
        yield base


@contextmanager
def serve_script(script: Path) -> Iterator[str]:
    """Start a server script (it writes its port to the file named by its argument) in its own
    process, so its CPU is not the measured one; yields its base URL."""
    with tempfile.TemporaryDirectory() as tmp:
        portfile = Path(tmp) / "port"
        proc = subprocess.Popen([sys.executable, str(script), str(portfile)])
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


@contextmanager
def counting_hook() -> Iterator[tuple[str, list[int]]]:
    """A webhook receiver in this process: yields its URL and a one-item list, the number of
    alerts it received so far."""
    from tests.servers import LocalHTTPServer, Request, Response

    received = [0]

    def receive(req: Request) -> Response:
        received[0] += 1
        return Response(b"ok")

    hook = LocalHTTPServer().start()
    hook.routes["/hook"] = receive
    try:
        yield hook.url("/hook"), received
    finally:
        hook.stop()


def rss_mb(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


RULE = "name: drones\nmatch: {event: attack, count: '>= 100'}\nonce_per: article\nnotify: [hook]\n"


@contextmanager
def live_daemon(
    tmp: str, base: str, hook_url: str, extra: str = "", health: str = "{enabled: false}"
) -> Iterator[subprocess.Popen[bytes]]:
    """`newsmonitor run` (embedded Redis in ``tmp``, 2 workers) polling the feed server's live
    feed every second, with one rule that alerts every bench entry to ``hook_url``."""
    rules = Path(tmp) / "rules"
    rules.mkdir()
    (rules / "drones.yaml").write_text(RULE)
    cfg = Path(tmp) / "nm.yaml"
    cfg.write_text(
        f"data_dir: {tmp}/data\nrules: {rules}\n"
        f"feeds:\n  - {{url: '{base}/live.xml', name: live, interval: 1s, backfill: true}}\n"
        f"channels:\n  hook: {{type: webhook, url: '{hook_url}'}}\nhealth: {health}\n{extra}"
    )
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    argv = [sys.executable, "-m", "monitor.cli", "--log-level", "WARNING", "--config", str(cfg), "run", "--workers", "2"]
    daemon = subprocess.Popen(argv, cwd=HERE.parent, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(3)  # start-up (workers import trafilatura) is not what the benches measure
        yield daemon
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(120)
