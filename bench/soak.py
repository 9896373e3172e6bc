"""Soak: 20,000 entries through the whole system, memory measured as it goes.

The real daemon (`newsmonitor run`, embedded Redis, 2 workers) polls the local feed server
(its own process), whose live feed gains entries at a steady rate; a rule alerts on each one to
a local webhook. Retention is set short (articles and seen markers: 120 s) so the run passes
through many retention windows. Printed at the start and at every eighth: the daemon's RSS (with its
workers), Redis used memory and key count. Once the retention window is full (well before half
time) memory must stay flat, so the baseline is the half-time row: the end is compared with it
(target: no growth beyond the retention window).

usage: python bench/soak.py [--entries N] [--rate R]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import redis  # noqa: E402

from bench.common import counting_hook, feed_server, live_daemon, rss_mb  # noqa: E402

RETENTION = 120


def tree_rss(pid: int) -> float:
    """RSS of a process and its children, in MB."""
    total = rss_mb(pid)
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        total += tree_rss(int(child))
    return total


def redis_memory(sock: Path) -> tuple[float, int]:
    r = redis.Redis(unix_socket_path=str(sock))
    try:
        return int(r.info("memory")["used_memory"]) / 2**20, int(r.dbsize())
    finally:
        r.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--rate", type=float, default=25.0)
    args = parser.parse_args()
    with counting_hook() as (hook_url, received), feed_server() as base, tempfile.TemporaryDirectory() as tmp:
        sock = Path(tmp) / "data" / "redis.sock"
        rows = []
        with live_daemon(tmp, base, hook_url, f"retention: {{articles: {RETENTION}s, seen: {RETENTION}s}}\n") as daemon:
            t0 = time.time()
            mem, nkeys = redis_memory(sock)
            print(f"start: daemon+workers RSS {tree_rss(daemon.pid):6.0f} MB  redis {mem:6.1f} MB {nkeys:7} keys", flush=True)
            with httpx.Client() as client:
                for i in range(args.entries):
                    client.post(f"{base}/add", content=f"{base}/page/{20_000 + i}")
                    lag = t0 + (i + 1) / args.rate - time.time()
                    if lag > 0:
                        time.sleep(lag)
                    if (i + 1) % (args.entries // 8) == 0:
                        mem, nkeys = redis_memory(sock)
                        rows.append((i + 1, received[0], tree_rss(daemon.pid), mem, nkeys, time.time() - t0))
                        print(f"added {i + 1:6}  alerts {received[0]:6}  daemon+workers RSS {rows[-1][2]:6.0f} MB  "
                              f"redis {mem:6.1f} MB {nkeys:7} keys  t={rows[-1][5]:.0f}s", flush=True)
            deadline = time.time() + 120
            while received[0] < args.entries and time.time() < deadline:
                time.sleep(1)
    half, last = rows[len(rows) // 2 - 1], rows[-1]
    print(f"alerts received: {received[0]} of {args.entries}")
    print(f"half time -> end: RSS {last[2] / half[2]:.2f}x, redis memory {last[3] / half[3]:.2f}x, "
          f"keys {last[4] / max(half[4], 1):.2f}x (target: flat once the {RETENTION} s retention window is full)")


if __name__ == "__main__":
    main()
