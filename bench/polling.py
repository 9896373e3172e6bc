"""One polling cycle over 1,000 feeds on a local server: wall time, CPU, share of 304s.

The feeds are mixed as real ones are: 70 % unchanged (the server answers the stored ETag with
304), 10 % with a new entry each time, 10 % slow (0.5 s), 10 % failing (HTTP 500). The server
runs in its own process, so the CPU printed is the poller's. The baseline, measured in the same
run, is the least any poller must do: one conditional GET per feed with a bare httpx client.
Target: a cycle of 1,000 mostly-unchanged feeds uses < 10 % of one core at a 5-minute interval.

usage: python bench/polling.py [--feeds N]
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.common import feed_server  # noqa: E402
from monitor import feedstate, keys  # noqa: E402
from monitor.config import parse_config  # noqa: E402
from monitor.embedded_redis import EmbeddedRedis  # noqa: E402
from monitor.leader import Leadership  # noqa: E402
from monitor.models import Feed  # noqa: E402
from monitor.polling import Poller  # noqa: E402
from workers.context import make_queue  # noqa: E402
from workers.fetch import make_client  # noqa: E402

INTERVAL = 300.0


def cycle(poller: Poller, r, feeds: list[Feed]) -> tuple[float, float, dict[str, int]]:  # type: ignore[no-untyped-def]
    """Make every feed due, poll until each has been polled once; (wall, cpu, outcomes)."""
    results: dict[str, int] = {}
    poller.on_result = lambda res: results.__setitem__(res.status, results.get(res.status, 0) + 1)
    r.zadd(keys.feeds_due(), {f.url: 0 for f in feeds})
    wall, cpu = time.perf_counter(), time.process_time()
    while sum(results.values()) < len(feeds):
        poller.tick()
        time.sleep(0.01)
    return time.perf_counter() - wall, time.process_time() - cpu, results


def bare(feeds: list[Feed], etags: dict[str, str]) -> tuple[float, float, int]:
    wall, cpu = time.perf_counter(), time.process_time()
    with httpx.Client(timeout=5) as client, ThreadPoolExecutor(16) as pool:

        def get(f: Feed) -> int:
            headers = {"If-None-Match": etags[f.url]} if f.url in etags else {}
            return client.get(f.url, headers=headers).status_code

        codes = list(pool.map(get, feeds))
    return time.perf_counter() - wall, time.process_time() - cpu, codes.count(304)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--feeds", type=int, default=1000)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)  # the 100 failing feeds are expected
    cfg = parse_config("polling: {threads: 16, per_host: 16}\nfetch: {read_timeout: 5s}\n", "bench")
    with (
        feed_server() as base,
        tempfile.TemporaryDirectory() as tmp,
        EmbeddedRedis(Path(tmp)) as server,
    ):
        r = server.client()
        feeds = [
            Feed(url=f"{base}/f/{i}.xml", name=f"f{i}", interval=INTERVAL)
            for i in range(args.feeds)
        ]
        lead = Leadership(r)
        lead.check()
        client = make_client()  # the production client: total deadline per fetch
        poller = Poller(r, cfg, client, make_queue("entries", r), lead)
        poller.set_feeds(feeds)
        cycle(poller, r, feeds)  # the first cycle learns the ETags (and marks backlogs seen)
        wall, cpu, outcomes = cycle(poller, r, feeds)
        etags = {f.url: e for f in feeds if (e := feedstate.read_state(r, f.url).etag)}
        b_wall, b_cpu, b304 = bare(feeds, etags)
        poller.shutdown()
        client.close()
    n = len(feeds)
    print(f"feeds: {n} (70% unchanged, 10% new, 10% slow 0.5 s, 10% HTTP 500)")
    print(
        f"poll cycle : wall {wall:6.2f} s  cpu {cpu:6.2f} s  outcomes {dict(sorted(outcomes.items()))}"
    )
    print(f"bare GETs  : wall {b_wall:6.2f} s  cpu {b_cpu:6.2f} s  304s {b304 / n:.0%}")
    print(
        f"ratio cpu poller/bare: {cpu / b_cpu:.2f}x; unchanged share {outcomes.get('unchanged', 0) / n:.0%}"
    )
    print(f"one core at a {INTERVAL:.0f} s interval: {cpu / INTERVAL:.1%} (target < 10%)")


if __name__ == "__main__":
    main()
