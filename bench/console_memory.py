"""Memory: what the web console costs the daemon, measured against the same daemon without it.

Three runs of the real daemon (`newsmonitor run`, embedded Redis, 2 workers), each with a fresh
feed server and Redis and the same work: ENTRIES bench articles alerted to a local webhook,
then ROUNDS rounds of requests. Measured: the RSS of the daemon's own process (the console
lives there; workers are separate processes and do not change), the largest of a few samples
after the requests.

  no HTTP          health.enabled: false             the baseline
  health only      console.enabled: false            /healthz and /metrics scraped each round
  console          a token set                       every page and JSON twin, a rule check and a
                                                     rule test on the stored articles, each round

Target: the console run's RSS exceeds the baseline by under 30 MB.

usage: python bench/console_memory.py [--entries N] [--rounds N]
"""

from __future__ import annotations

import argparse
import socket
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.common import RULE, counting_hook, feed_server, live_daemon, rss_mb  # noqa: E402

TARGET_MB = 30.0
PAGES = ["/", "/stories", "/feeds", "/rules", "/deliveries", "/rules/drones/edit", "/rules/new"]
APIS = ["/api/alerts", "/api/stories", "/api/feeds", "/api/rules", "/api/deliveries", "/api/rules/drones"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def exercise(client: httpx.Client, url: str, console: bool) -> int:
    paths = ["/healthz", "/metrics"] + (PAGES + APIS if console else [])
    for path in paths:
        client.get(url + path).raise_for_status()
    if console:
        client.post(url + "/api/rules/check", content=RULE).raise_for_status()
        client.post(url + "/api/rules/test", content=RULE, params={"since": "1h"}).raise_for_status()
    return len(paths) + (2 if console else 0)


def run(mode: str, entries: int, rounds: int) -> tuple[float, int, int]:
    """(daemon RSS in MB, alerts received, requests made)."""
    port = free_port()
    health = "{enabled: false}" if mode == "no HTTP" else f"{{port: {port}}}"
    extra = {"health only": "console: {enabled: false}\n", "console": "console: {token: bench-console-token}\n"}
    requests = 0
    with (
        counting_hook() as (hook_url, received),
        feed_server() as base,
        tempfile.TemporaryDirectory() as tmp,
        live_daemon(tmp, base, hook_url, extra.get(mode, ""), health) as daemon,
        httpx.Client(timeout=60) as client,
    ):
        for i in range(entries):
            client.post(f"{base}/add", content=f"{base}/page/{30_000 + i}")
        deadline = time.time() + 120
        while received[0] < entries and time.time() < deadline:
            time.sleep(0.5)
        samples = []
        for _ in range(rounds):
            if mode != "no HTTP":
                requests += exercise(client, f"http://127.0.0.1:{port}", mode == "console")
            samples.append(rss_mb(daemon.pid))
        time.sleep(1)
        samples.append(rss_mb(daemon.pid))
    return max(samples), received[0], requests


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=200)  # the live feed keeps 200
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    results = {}
    for mode in ("no HTTP", "health only", "console"):
        rss, alerts, requests = run(mode, args.entries, args.rounds)
        results[mode] = rss
        print(f"{mode:12}  daemon RSS {rss:6.1f} MB  alerts {alerts:5}  requests {requests:5}", flush=True)
    base = results["no HTTP"]
    for mode in ("health only", "console"):
        print(f"{mode:12}  {results[mode] / base:.2f}x the daemon without HTTP, +{results[mode] - base:.1f} MB")
    grew = results["console"] - base
    verdict = "within" if grew < TARGET_MB else "OVER"
    print(f"console: +{grew:.1f} MB over the daemon without HTTP ({verdict} the {TARGET_MB:.0f} MB target)")


if __name__ == "__main__":
    main()
