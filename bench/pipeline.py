"""Pipeline CPU against bare extraction, measured in one run (these machines are noisy).

Every page of ../shared/corpus/pages is served from a local HTTP server in its own process
(bench/pageserver.py) and pushed through what a worker does with it — fetch (httpx, the
production client), extract, language, classify, store in a real Redis (its own process), match
the shipped rules — and, in the same process, through bare ``trafilatura.extract`` on the same
bytes. Printed: CPU time of this process per page (process_time, not wall: waiting for the
server or Redis is not work), median of the rounds with their range, and the ratios. Target:
the full path (with classification) <= 1.15x bare extraction.

usage: python bench/pipeline.py [--rounds N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

from bench.common import HERE, serve_script  # noqa: E402
from bench.pageserver import load_pages  # noqa: E402
from monitor.configsections import FetchConfig  # noqa: E402
from monitor.embedded_redis import EmbeddedRedis  # noqa: E402
from monitor.http.fetch import make_client  # noqa: E402
from monitor.models import Entry  # noqa: E402
from monitor.rules import load_rules, match_ruleset  # noqa: E402
from monitor.urls import canonical_url  # noqa: E402
from tests.conftest import corpus_dir  # noqa: E402
from workers.articles import read_article, store_article  # noqa: E402
from workers.pipeline import understand  # noqa: E402

# 418 of the 440 entries of the corpus feeds carry a date; the page is searched for one only
# when the entry has none (the last line measures that case).
FEED_DATE = "2024-03-11T10:00:00Z"


def bare(body: bytes) -> None:
    trafilatura.extract(body)


class Worker:
    """What a worker does with one entry: read its page, (understand it,) store, match."""

    def __init__(self, base: str, r) -> None:  # type: ignore[no-untyped-def]
        self.base, self.r = base, r
        self.rules = load_rules(ROOT / "rules", {"console", "outbox"})
        self.cfg = FetchConfig(allow_private=True)
        self.client = make_client()  # the production client: total deadline, bounded inflation

    def run(self, i: int, classify: bool, dated: bool = True) -> None:
        url = f"{self.base}/p/{i}.html"
        entry = Entry(
            feed_name="bench",
            feed_url=f"{self.base}/feed",
            link=url,
            canonical_url=canonical_url(url),
            published=FEED_DATE if dated else None,
        )
        article = read_article(self.client, entry, self.cfg)
        if classify:
            article = understand(article)
        store_article(self.r, article)
        match_ruleset(self.rules, article)


def cpu(func: Callable[[], None]) -> float:
    t = time.process_time()
    func()
    return time.process_time() - t


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    pages = load_pages(corpus_dir())
    n = len(pages)
    with serve_script(HERE / "pageserver.py") as base, tempfile.TemporaryDirectory() as tmp, EmbeddedRedis(Path(tmp)) as redis_server:
        r = redis_server.client()
        warnings.simplefilter("ignore")
        worker = Worker(base, r)
        variants: dict[str, Callable[[int], None]] = {
            "bare": lambda i: bare(pages[i][1]),
            "plain": lambda i: worker.run(i, classify=False),
            "full": lambda i: worker.run(i, classify=True),
            "undated": lambda i: worker.run(i, classify=True, dated=False),
        }
        for i in range(n):  # one pass of each first: imports, models and stop lists load once
            for run in variants.values():
                run(i)
        rounds: dict[str, list[float]] = {k: [] for k in variants}
        for _ in range(args.rounds):
            spent = dict.fromkeys(variants, 0.0)
            for i in range(n):  # page by page, all variants: a noisy neighbour hits all alike
                for key, run in variants.items():
                    spent[key] += cpu(lambda run=run, i=i: run(i))  # type: ignore[misc]
            for key, total in spent.items():
                rounds[key].append(total)
        worker.client.close()
    med = {k: statistics.median(v) for k, v in rounds.items()}
    print(f"pages: {n}; CPU of this process per page, median of {args.rounds} rounds (range)")

    def row(label: str, key: str) -> str:
        lo, hi = min(rounds[key]), max(rounds[key])
        return f"{label:44}: {1000 * med[key] / n:6.2f} ms/page ({1000 * lo / n:.2f}-{1000 * hi / n:.2f})"

    print(row("bare trafilatura.extract", "bare"))
    for label, key, note in (
        ("fetch+extract+store+match", "plain", ""),
        ("  ... + language + classify (the full path)", "full", "; target <= 1.15x"),
        ("  the full path, entries without a feed date", "undated", ""),
    ):
        ratios = [p / b for p, b in zip(rounds[key], rounds["bare"], strict=True)]
        spread = f"{min(ratios):.2f}-{max(ratios):.2f}"
        print(row(label, key), f"ratio {statistics.median(ratios):.2f}x (median of the rounds' ratios, {spread}){note}")


if __name__ == "__main__":
    main()
