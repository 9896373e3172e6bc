"""Benchmark: what the apprise channel costs a worker process, and that others pay nothing.

usage: .venv/bin/python bench/apprise_cost.py [--rounds N]

Starts fresh interpreters that import the worker modules and load a config, once without and
once with an apprise channel (which imports Apprise and checks the URL), and prints the
median CPU time and peak RSS of each, and the difference. A worker whose config has no apprise
channel must not import Apprise at all (the first line says whether it did).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = {
    "without apprise": "channels: {console: {type: console}}\n",
    "with apprise": (
        "channels: {chat: {type: apprise, urls: "
        "['slack://T0123ABCD/B0123ABCD/abcdefghijklmnopqrstuvwx/#news']}}\n"
    ),
}
PROBE = """
import json, resource, sys, time
t0 = time.process_time()
import workers.jobs, workers.deliver, workers.channels
from monitor.config import load_config
load_config(sys.argv[1])
print(json.dumps({
    "cpu": time.process_time() - t0,
    "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "apprise": "apprise" in sys.modules,
}))
"""


def probe(config: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(config)], cwd=ROOT, capture_output=True, check=True
    )
    return dict(json.loads(out.stdout))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in CONFIGS.items():
            path = Path(tmp) / f"{name.replace(' ', '-')}.yaml"
            path.write_text(text, encoding="utf-8")
            runs = [probe(path) for _ in range(args.rounds)]
            results[name] = {
                "cpu": statistics.median(r["cpu"] for r in runs),
                "rss_mb": statistics.median(r["rss_mb"] for r in runs),
                "apprise": any(r["apprise"] for r in runs),
            }
            r = results[name]
            print(
                f"{name:16} apprise imported: {bool(r['apprise'])!s:5}  "
                f"cpu {r['cpu']:.2f} s  peak RSS {r['rss_mb']:.0f} MB"
            )
    base, more = results["without apprise"], results["with apprise"]
    print(
        f"apprise costs: +{more['cpu'] - base['cpu']:.2f} s CPU "
        f"({more['cpu'] / base['cpu']:.2f}x start-up), +{more['rss_mb'] - base['rss_mb']:.0f} MB "
        f"RSS ({more['rss_mb'] / base['rss_mb']:.2f}x), only where a channel uses it"
    )


if __name__ == "__main__":
    main()
