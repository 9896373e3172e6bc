"""End-to-end latency: a new entry appears in a polled feed -> its webhook alert arrives.

The daemon runs as it does in production (`newsmonitor run`, embedded Redis, 2 workers) against
the local feed server (its own process) and a webhook receiver in this process. Entries are
added a few per second; each alert's latency is measured from the first feed response that
carried its entry (so the poll interval is not counted: the target is about what happens after
the poll that sees it) to the arrival of its webhook. The baseline, in the same run, is the
bare cost of one article's work: fetch + extract + classify of the same page in this process.
Target: p95 < 2 s.

Burst mode (``--burst N``, 500 in ``make bench``): N new entries appear in the feed at once.
Each alert's latency is measured from the end of its entry's job, as RQ recorded it in Redis
(the job's ``ended_at``, kept for an hour), to its webhook: what the alerts-first queue order
is about. Also the time from the first entry job's end to the first alert. Baselines, in the
same run: the same latency for entries added one at a time to an idle daemon, and one
article's work. Targets: first alert within 2 s of the first entry job's end; p95 < 5 s.

usage: python bench/latency.py [--entries N] [--rate R] | --burst N
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
from monitor.embedded_redis import SOCKET_NAME  # noqa: E402
from tests.servers import LocalHTTPServer, Request, Response  # noqa: E402


def baseline(base: str, n: int = 20) -> float:
    from monitor.commands.articles import page_article
    from workers.pipeline import understand

    t = time.perf_counter()
    with httpx.Client() as client:
        for i in range(n):
            url = f"{base}/page/{i}"
            understand(page_article(client.get(url).content, url))
    return (time.perf_counter() - t) / n


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[int(share * (len(ordered) - 1))]


def entry_jobs_ended(redis_url: str) -> dict[str, float]:
    """When each finished entry job ended (RQ's ``ended_at``), by the entry's link."""
    import redis
    from rq.job import Job
    from rq.registry import FinishedJobRegistry
    from rq.serializers import JSONSerializer

    from monitor import keys
    from monitor.producers import make_queue

    with redis.Redis.from_url(redis_url) as r:
        queue = make_queue(keys.QUEUE_ENTRIES, r)
        ids = FinishedJobRegistry(queue=queue, serializer=JSONSerializer).get_job_ids()
        jobs = Job.fetch_many(ids, connection=r, serializer=JSONSerializer)
    return {j.args[0]["link"]: j.ended_at.timestamp() for j in jobs if j is not None and j.ended_at}


def wait_for_alerts(arrivals: dict[str, float], links: list[str], timeout: float) -> None:
    deadline = time.time() + timeout
    while not all(u in arrivals for u in links) and time.time() < deadline:
        time.sleep(0.05)


def burst(hook_url: str, arrivals: dict[str, float], size: int) -> None:
    """Entries one at a time (the baseline), then ``size`` at once."""
    with feed_server() as base, tempfile.TemporaryDirectory() as tmp:
        per_article = baseline(base)
        redis_url = f"unix://{tmp}/data/{SOCKET_NAME}?db=0"
        with live_daemon(tmp, base, hook_url), httpx.Client() as client:
            idle = [f"{base}/page/{20_000 + i}" for i in range(10)]
            for link in idle:
                client.post(f"{base}/add", content=link)
                wait_for_alerts(arrivals, [link], 30)
            links = [f"{base}/page/{30_000 + i}" for i in range(size)]
            added = time.time()
            client.post(f"{base}/add", content="\n".join(links))
            wait_for_alerts(arrivals, links, 300)
            took = time.time() - added
            ended = entry_jobs_ended(redis_url)
    idle_lat = [arrivals[u] - ended[u] for u in idle if u in arrivals and u in ended]
    lat = [arrivals[u] - ended[u] for u in links if u in arrivals and u in ended]
    first_end = min(ended[u] for u in links if u in ended)
    first_alert = min(arrivals[u] for u in links if u in arrivals) - first_end
    p50, p95 = percentile(lat, 0.5), percentile(lat, 0.95)
    idle_p50 = percentile(idle_lat, 0.5)
    print(f"burst: {size} entries at once; alerts received: {sum(u in arrivals for u in links)} within {took:.1f} s")
    print(f"entry job end -> webhook: p50 {p50:.3f} s  p95 {p95:.3f} s  max {max(lat):.3f} s (target p95 < 5 s)")
    print(f"first alert {first_alert:.3f} s after the first entry job ended (target < 2 s)")
    print(f"baseline, entries one at a time: entry job end -> webhook p50 {idle_p50:.3f} s; the burst's p95 is {p95 / idle_p50:.1f}x that")
    print(f"baseline fetch+extract+classify of one page: {per_article * 1000:.0f} ms; the burst's p95 is {p95 / per_article:.1f}x that")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=200)
    parser.add_argument("--rate", type=float, default=5.0, help="entries added per second")
    parser.add_argument("--burst", type=int, default=0, metavar="N", help="N entries at once")
    args = parser.parse_args()
    arrivals: dict[str, float] = {}
    hook = LocalHTTPServer().start()

    def receive(req: Request) -> Response:
        arrivals.setdefault(req.json()["article"]["url"], time.time())
        return Response(b"ok")

    hook.routes["/hook"] = receive
    if args.burst:
        burst(hook.url("/hook"), arrivals, args.burst)
        hook.stop()
        return
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
