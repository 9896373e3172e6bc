"""The daemon's polling cost on feeds shaped like real ones, beside a bare conditional-GET client.

Feeds come from bench/realfeeds.py in its own process: 20 items, ~16 KB, ETag and
Last-Modified; 70 % answer 304, 10 % gain an entry on every poll, 10 % resend identical bytes
without validators, 10 % answer 500. The poller measured is the real daemon, ``newsmonitor run
--no-workers`` as a subprocess, on a private Redis; its CPU (every thread) is read from /proc.
Feeds have a long interval; after the first cycle (which learns validators and marks each
feed's backlog seen), each measured cycle makes every feed due at once through the daemon's
timetable in Redis and ends when the daemon has polled every feed once more.

The baseline, in the same run and on the same feeds, is the least any poller must do: one
conditional GET per feed (If-None-Match and If-Modified-Since from its last answer) with a
bare httpx client in 16 threads, reading each body and nothing else.

Printed per feed count: CPU per poll of the daemon (its idle cost during the cycle included),
Redis's CPU per poll, the bare client's CPU per GET (and an asyncio client's, for the threads
or async question), their ratio (median of the interleaved rounds'), the share of one core that
10,000 feeds every 5 minutes would take (idle cost + marginal cost per poll x 33.3 polls/s),
and the growth of the CPU per poll from the smallest to the largest feed count.
Targets: <= 2x bare; < 10 % of a core (goal < 5 %); growth <= 1.2x.

``--keep-up N INTERVAL SECONDS`` instead runs N feeds at INTERVAL seconds for SECONDS from the
daemon's start and counts the polls made (keeping up means about N x SECONDS / INTERVAL) and
how late the most overdue feed was.

usage: python bench/polling.py [--feeds 1000 10000] [--rounds 3]
       python bench/polling.py --keep-up 2000 30 90
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import redis  # noqa: E402

from bench.realfeeds import PEEK, realistic_server  # noqa: E402
from monitor import keys  # noqa: E402
from monitor.embedded_redis import EmbeddedRedis  # noqa: E402

LONG_INTERVAL = "1h"  # measured cycles are made due by hand; nothing comes due by itself
SHARE_FEEDS, SHARE_INTERVAL = 10_000, 300.0
TICK = os.sysconf("SC_CLK_TCK")
IDLE_SECONDS = 10.0


def cpu_seconds(pid: int) -> float:
    """user + system CPU of a process, all its threads, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def polls_done(r: redis.Redis) -> int:
    raw = r.hgetall(keys.metrics())
    return sum(int(v) for k, v in raw.items() if k.decode().startswith("polls:"))  # type: ignore[union-attr]


def outcomes(r: redis.Redis) -> dict[str, int]:
    raw = r.hgetall(keys.metrics())
    return {k.decode()[6:]: int(v) for k, v in raw.items() if k.decode().startswith("polls:")}  # type: ignore[union-attr]


def wait_polls(r: redis.Redis, target: int, timeout: float, daemon: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + timeout
    while polls_done(r) < target:
        if daemon.poll() is not None:
            raise RuntimeError(f"the daemon exited with {daemon.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {polls_done(r)} of {target} polls after {timeout:.0f}s")
        time.sleep(0.05)


def feed_urls(base: str, n: int) -> list[str]:
    return [f"{base}/r/{i}.xml" for i in range(n)]


@contextmanager
def daemon(tmp: Path, urls: list[str], interval: str, redis_url: str) -> Iterator[subprocess.Popen[bytes]]:
    """`newsmonitor run --no-workers` on these feeds (all on one host, so per_host is raised)."""
    cfg = tmp / "nm.yaml"
    lines = [
        f"data_dir: {tmp}/data",
        f"rules: {tmp}/rules",
        "health: {enabled: false}",
        "polling: {threads: 16, per_host: 16}",
        "feeds:",
        *(f"  - {{url: '{u}', name: f{i}, interval: {interval}}}" for i, u in enumerate(urls)),
    ]
    (tmp / "rules").mkdir(exist_ok=True)
    cfg.write_text("\n".join(lines) + "\n")
    env = dict(os.environ, REDIS_URL=redis_url)
    argv = [sys.executable, "-m", "monitor.cli", "--log-level", "ERROR", "--config", str(cfg), "run", "--no-workers"]
    proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    try:
        yield proc
    finally:
        proc.terminate()
        proc.wait(60)


def bare_pass(urls: list[str], validators: dict[str, dict[str, str]]) -> tuple[float, dict[int, int]]:
    """One conditional GET per feed in 16 threads; (CPU seconds of this process, answers)."""
    codes: dict[int, int] = {}
    cpu = time.process_time()
    with httpx.Client(timeout=10) as client, ThreadPoolExecutor(16) as pool:

        def get(url: str) -> int:
            resp = client.get(url, headers={PEEK: "1", **validators.get(url, {})})
            learn(validators, url, resp)
            return resp.status_code

        for code in pool.map(get, urls):
            codes[code] = codes.get(code, 0) + 1
    return time.process_time() - cpu, codes


def bare_async_pass(urls: list[str], validators: dict[str, dict[str, str]]) -> float:
    """The same GETs from an asyncio client, 16 at a time: the other way to poll."""

    async def run() -> None:
        limit = asyncio.Semaphore(16)
        async with httpx.AsyncClient(timeout=10) as client:

            async def get(url: str) -> None:
                async with limit:
                    headers = {PEEK: "1", **validators.get(url, {})}
                    learn(validators, url, await client.get(url, headers=headers))

            await asyncio.gather(*(get(u) for u in urls))

    cpu = time.process_time()
    asyncio.run(run())
    return time.process_time() - cpu


def learn(validators: dict[str, dict[str, str]], url: str, resp: httpx.Response) -> None:
    got = {}
    if etag := resp.headers.get("etag"):
        got["If-None-Match"] = etag
    if modified := resp.headers.get("last-modified"):
        got["If-Modified-Since"] = modified
    validators[url] = got or validators.get(url, {})


@dataclass
class Cycle:
    cpu: float  # daemon CPU seconds for the cycle
    redis_cpu: float
    wall: float
    mix: dict[str, int]


def steady_cycle(r: redis.Redis, proc: subprocess.Popen[bytes], urls: list[str], redis_pid: int | None) -> Cycle:
    """Make every feed due and wait until the daemon has polled each once more."""
    before, before_out = polls_done(r), outcomes(r)
    cpu0 = cpu_seconds(proc.pid)
    rcpu0 = cpu_seconds(redis_pid) if redis_pid else 0.0
    wall0 = time.monotonic()
    r.zadd(keys.feeds_due(), dict.fromkeys(urls, time.time()), xx=True)
    wait_polls(r, before + len(urls), 1800, proc)
    after_out = outcomes(r)
    return Cycle(
        cpu_seconds(proc.pid) - cpu0,
        (cpu_seconds(redis_pid) if redis_pid else 0.0) - rcpu0,
        time.monotonic() - wall0,
        {k: after_out.get(k, 0) - before_out.get(k, 0) for k in after_out},
    )


@contextmanager
def running_daemon(base: str, n: int, tmp: Path) -> Iterator[tuple[redis.Redis, subprocess.Popen[bytes], list[str], int | None, float]]:
    """The daemon on n feeds of ``base`` after its first cycle (validators, hashes, backlogs);
    yields (redis client, daemon, feed URLs, redis pid, seconds the first cycle took)."""
    with EmbeddedRedis(tmp / "redis") as server:
        r = server.client()
        urls = feed_urls(base, n)
        with daemon(tmp, urls, LONG_INTERVAL, server.url) as proc:
            t0 = time.monotonic()
            wait_polls(r, n, 1800, proc)
            yield r, proc, urls, server.process.pid if server.process else None, time.monotonic() - t0


def measure(n: int, rounds: int) -> dict[str, float]:
    with realistic_server() as base, tempfile.TemporaryDirectory() as tmp, running_daemon(base, n, Path(tmp)) as (r, proc, urls, redis_pid, first):
        time.sleep(2)
        idle_cpu = cpu_seconds(proc.pid)
        time.sleep(IDLE_SECONDS)
        idle_rate = (cpu_seconds(proc.pid) - idle_cpu) / IDLE_SECONDS
        validators: dict[str, dict[str, str]] = {}
        bare_pass(urls, validators)  # learns the validators
        cycles, bare, bare_async = [], [], []
        for _ in range(rounds):  # interleaved: a noisy neighbour hits all alike
            cycles.append(steady_cycle(r, proc, urls, redis_pid))
            time.sleep(1)
            bare.append(bare_pass(urls, validators))
            bare_async.append(bare_async_pass(urls, validators))
    per_poll = [c.cpu / n for c in cycles]
    bare_cpu = [c / n for c, _ in bare]
    ratio = statistics.median(d / b for d, b in zip(per_poll, bare_cpu, strict=True))
    wall = statistics.median(c.wall for c in cycles)
    cpu = statistics.median(per_poll)
    marginal = max(0.0, cpu - idle_rate * wall / n)
    share = idle_rate + marginal * SHARE_FEEDS / SHARE_INTERVAL
    print(f"\n{n} feeds: first cycle {first:.1f}s; steady cycles (median of {rounds}) {wall:.2f}s wall, outcomes {dict(sorted(cycles[-1].mix.items()))}")
    print(f"  daemon   : {1000 * cpu:6.3f} ms CPU per poll  (rounds {', '.join(f'{1000 * x:.3f}' for x in per_poll)}); idle {100 * idle_rate:.2f} % of a core")
    print(f"  redis    : {1000 * statistics.median(c.redis_cpu / n for c in cycles):6.3f} ms CPU per poll (its own process)")
    print(f"  bare GET : {1000 * statistics.median(bare_cpu):6.3f} ms CPU per poll  (rounds {', '.join(f'{1000 * x:.3f}' for x in bare_cpu)}); answers {bare[-1][1]}")
    print(f"  bare GET, asyncio client: {1000 * statistics.median(bare_async) / n:6.3f} ms CPU per poll (threads vs async, same GETs)")
    print(f"  ratio daemon/bare: {ratio:.2f}x, median of the rounds' ratios (target <= 2x)")
    print(f"  {SHARE_FEEDS} feeds every {SHARE_INTERVAL:.0f}s: {share:.1%} of a core (target < 10 %, goal < 5 %)")
    return {"cpu": cpu, "ratio": ratio, "share": share}


def keep_up(n: int, interval: float, seconds: float) -> None:
    with realistic_server() as base, tempfile.TemporaryDirectory() as tmp, EmbeddedRedis(Path(tmp) / "redis") as server:
        r = server.client()
        with daemon(Path(tmp), feed_urls(base, n), f"{interval:g}s", server.url) as proc:
            while r.zcard(keys.feeds_due()) < n:  # the daemon has loaded its feeds
                time.sleep(0.05)
            start, cpu0 = time.monotonic(), cpu_seconds(proc.pid)
            late: list[float] = []
            while (elapsed := time.monotonic() - start) < seconds:
                oldest = r.zrange(keys.feeds_due(), 0, 0, withscores=True)
                late.append(max(0.0, time.time() - oldest[0][1]) if oldest else 0.0)
                time.sleep(max(0.0, min(1.0, seconds - elapsed)))
            done, cpu = polls_done(r), cpu_seconds(proc.pid) - cpu0
    expected = n * seconds / interval
    print(f"{n} feeds every {interval:g}s for {seconds:g}s from start: {done} polls (keeping up: ~{expected:.0f}); daemon CPU {cpu:.1f}s ({cpu / seconds:.0%} of a core)")
    steady = late[len(late) // 3 :] or late
    print(f"  most overdue feed, sampled each second: median {statistics.median(late):.1f}s, max {max(late):.1f}s (last two thirds: max {max(steady):.1f}s)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--feeds", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep-up", type=float, nargs=3, metavar=("FEEDS", "INTERVAL", "SECONDS"))
    args = parser.parse_args()
    if args.keep_up:
        n, interval, seconds = args.keep_up
        keep_up(int(n), interval, seconds)
        return
    print("realistic feeds: 20 items, ~16 KB; 70% 304, 10% a new entry each poll, 10% identical bytes without validators, 10% HTTP 500")
    results = [measure(n, args.rounds) for n in args.feeds]
    if len(results) > 1:
        growth = results[-1]["cpu"] / results[0]["cpu"]
        print(f"\ngrowth of CPU per poll, {args.feeds[0]} -> {args.feeds[-1]} feeds: {growth:.2f}x (target <= 1.2x)")


if __name__ == "__main__":
    main()
