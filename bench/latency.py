"""End-to-end latency: a new entry appears in a polled feed -> its webhook alert arrives.

The daemon runs as it does in production (`newsmonitor run`, embedded Redis, 2 workers) against
the local feed server (its own process) and a webhook receiver in this process. Entries are
added a few per second; each alert's latency is measured from the first feed response that
carried its entry (so the poll interval is not counted: the target is about what happens after
the poll that sees it) to the arrival of its webhook. The baseline, in the same run, is the
bare cost of one article's work: fetch + extract + classify of the same page in this process.
Target: p95 < 2 s.

usage: python bench/latency.py [--entries N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.common import feed_server, live_daemon  # noqa: E402
from tests.servers import LocalHTTPServer, Request, Response  # noqa: E402


def baseline(base: str, n: int = 20) -> float:
    from monitor.explain import page_article
    from workers.jobs import understand

    t = time.perf_counter()
    with httpx.Client() as client:
        for i in range(n):
            url = f"{base}/page/{i}"
            understand(page_article(client.get(url).content, url))
    return (time.perf_counter() - t) / n


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=200)
    parser.add_argument("--rate", type=float, default=5.0, help="entries added per second")
    args = parser.parse_args()
    arrivals: dict[str, float] = {}
    hook = LocalHTTPServer().start()

    def receive(req: Request) -> Response:
        arrivals.setdefault(req.json()["article"]["url"], time.time())
        return Response(b"ok")

    hook.routes["/hook"] = receive
    with feed_server() as base, tempfile.TemporaryDirectory() as tmp:
        per_article = baseline(base)
        with live_daemon(tmp, base, hook.url("/hook")):
            links = [f"{base}/page/{10_000 + i}" for i in range(args.entries)]
            with httpx.Client() as client:
                for link in links:
                    client.post(f"{base}/add", content=link)
                    time.sleep(1 / args.rate)
                deadline = time.time() + 60
                while len(arrivals) < len(links) and time.time() < deadline:
                    time.sleep(0.2)
                served = json.loads(client.get(f"{base}/served").text)
    hook.stop()
    lat = sorted(arrivals[u] - served[u] for u in links if u in arrivals and u in served)
    p50 = statistics.median(lat)
    p95 = lat[int(0.95 * (len(lat) - 1))]
    print(f"entries: {len(links)} at {args.rate}/s, alerts received: {len(arrivals)}")
    print(f"latency after the poll that saw the entry: p50 {p50:.2f} s  p95 {p95:.2f} s  max {lat[-1]:.2f} s (target p95 < 2 s)")
    print(f"baseline fetch+extract+classify of one page: {per_article * 1000:.0f} ms; p50 is {p50 / per_article:.1f}x that")


if __name__ == "__main__":
    main()
