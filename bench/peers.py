"""newsmonitor beside rss2email and newsboat: CPU per steady polling cycle on the same feeds.

All three poll the same N realistic feeds (bench/realfeeds.py: 20 items, ~16 KB, ETag and
Last-Modified; 70 % 304, 10 % a new entry each poll, 10 % identical bytes without validators,
10 % HTTP 500) from one local server in its own process. Each first runs one cycle that
learns the feeds (validators, seen entries), then ROUNDS steady cycles are measured:

- newsmonitor: the daemon (``run --no-workers``) stays up; a cycle makes every feed due and
  ends when each was polled once more; its CPU is read from /proc (bench/polling.py).
- rss2email: ``r2e run --no-send`` once per cycle (it reads the feeds one after another),
  the whole process's CPU (rusage of the child).
- newsboat: ``newsboat -x reload`` once per cycle (16 reload threads), the whole process;
  also its start-up alone (``-x print-unread`` on the same cache, no fetching).

They are Debian packages, installed by hand (the bench installs nothing):
    apt-get install -y rss2email newsboat
A peer that is not installed is skipped with a message.

usage: python bench/peers.py [--feeds 1000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.polling import feed_urls, running_daemon, steady_cycle  # noqa: E402
from bench.realfeeds import realistic_server  # noqa: E402

APT = "apt-get install -y rss2email newsboat"


def served(base: str) -> int:
    """Feed requests the server has answered so far (each peer must poll every feed)."""
    return int(httpx.get(f"{base}/count").text)


def child_cpu(argv: list[str], cwd: Path) -> float:
    """Run a command to its end; user + system CPU of it and its children."""
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_utime + usage.ru_stime


def ours(base: str, n: int, rounds: int) -> list[float]:
    with tempfile.TemporaryDirectory() as tmp, running_daemon(base, n, Path(tmp)) as (r, proc, urls, redis_pid, _):
        return [steady_cycle(r, proc, urls, redis_pid).cpu for _ in range(rounds)]


def rss2email(base: str, n: int, rounds: int) -> list[float] | None:
    if shutil.which("r2e") is None:
        print(f"rss2email: not installed, skipped ({APT})")
        return None
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        sections = "".join(f"[feed.f{i}]\nurl = {u}\n\n" for i, u in enumerate(feed_urls(base, n)))
        (work / "r2e.cfg").write_text(
            "[DEFAULT]\nto = bench@example.invalid\nfrom = bench@example.invalid\n"
            f"verbose = error\n\n{sections}"
        )
        feeds = [{"name": f"f{i}", "etag": None, "modified": None, "seen": {}} for i in range(n)]
        (work / "r2e.json").write_text(json.dumps({"version": 2, "feeds": feeds}))
        argv = ["r2e", "-c", "r2e.cfg", "-d", "r2e.json", "run", "--no-send"]
        child_cpu(argv, work)  # the first cycle: validators and seen entries
        return [child_cpu(argv, work) for _ in range(rounds)]


def newsboat(base: str, n: int, rounds: int) -> tuple[list[float], list[float]] | None:
    if shutil.which("newsboat") is None:
        print(f"newsboat: not installed, skipped ({APT})")
        return None
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "urls").write_text("\n".join(feed_urls(base, n)) + "\n")
        (work / "config").write_text("reload-threads 16\nsuppress-first-reload yes\n")
        common = ["newsboat", "-u", "urls", "-c", "cache.db", "-C", "config"]
        child_cpu([*common, "-x", "reload"], work)  # the first cycle
        cycles = [child_cpu([*common, "-x", "reload"], work) for _ in range(rounds)]
        startup = [child_cpu([*common, "-x", "print-unread"], work) for _ in range(rounds)]
        return cycles, startup


def show(name: str, values: list[float], note: str = "") -> None:
    spread = f"{min(values):.2f}-{max(values):.2f}"
    print(f"{name:12}: {statistics.median(values):6.2f} s CPU per steady cycle (range {spread}){note}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    n, rounds = args.feeds, args.rounds
    requests: dict[str, int] = {}
    with realistic_server() as base:
        at = served(base)
        mine = ours(base, n, rounds)
        requests["newsmonitor"], at = served(base) - at, served(base)
        r2e = rss2email(base, n, rounds)
        requests["rss2email"], at = served(base) - at, served(base)
        nb = newsboat(base, n, rounds)
        requests["newsboat"] = served(base) - at
    print(f"feed requests per peer (first cycle + {rounds} steady; {n} each expected): {requests}")
    print(f"{n} realistic feeds on one local server; median of {rounds} steady cycles")
    show("newsmonitor", mine, " (the daemon stays up: no start-up per cycle)")
    if r2e is not None:
        show("rss2email", r2e, " (whole process, one feed at a time)")
    if nb is not None:
        cycles, startup = nb
        show("newsboat", cycles, f" (whole process; its start-up alone {statistics.median(startup):.2f} s)")


if __name__ == "__main__":
    main()
