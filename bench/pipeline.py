"""Pipeline cost against bare extraction, measured in one run (these machines are noisy).

Every page of ../shared/corpus/pages is served from a local HTTP server and pushed through what
a worker does with it — fetch (httpx), extract, store in a real Redis, match the shipped rules —
and, in the same process, through bare ``trafilatura.extract`` on the same bytes. Printed: both
times per page and their ratio (target: pipeline <= 1.3x bare extraction), and the same with
classification added, for reference.

usage: python bench/pipeline.py [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

from monitor.config import FetchConfig  # noqa: E402
from monitor.embedded_redis import EmbeddedRedis  # noqa: E402
from monitor.models import Entry  # noqa: E402
from monitor.rules import load_rules, match_ruleset  # noqa: E402
from monitor.urls import canonical_url  # noqa: E402
from tests.conftest import corpus_dir  # noqa: E402
from tests.servers import LocalHTTPServer, Response  # noqa: E402
from workers.articles import read_article, store_article  # noqa: E402
from workers.fetch import make_client  # noqa: E402
from workers.jobs import understand  # noqa: E402


def load_pages(corpus: Path) -> list[tuple[str, bytes]]:
    truth = json.loads((corpus / "pages" / "ground-truth.json").read_text())
    return [(name, (corpus / "pages" / name).read_bytes()) for name in sorted(truth)]


def bare(pages: list[tuple[str, bytes]]) -> float:
    t = time.perf_counter()
    for _, body in pages:
        trafilatura.extract(body)
    return time.perf_counter() - t


def pipeline(pages: list[tuple[str, bytes]], server: LocalHTTPServer, r, classify: bool) -> float:  # type: ignore[no-untyped-def]
    rules = load_rules(ROOT / "rules", {"console", "outbox"})
    cfg = FetchConfig(allow_private=True)
    client = make_client()  # the production client: total deadline, bounded inflation
    t = time.perf_counter()
    for i in range(len(pages)):
        url = server.url(f"/p/{i}.html")
        entry = Entry(
            feed_name="bench",
            feed_url=server.url("/feed"),
            link=url,
            canonical_url=canonical_url(url),
        )
        article = read_article(client, entry, cfg)
        if classify:
            article = understand(article)
        store_article(r, article)
        match_ruleset(rules, article)
    elapsed = time.perf_counter() - t
    client.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    pages = load_pages(corpus_dir())
    server = LocalHTTPServer().start()
    for i, (_, body) in enumerate(pages):
        server.routes[f"/p/{i}.html"] = Response(body, headers={"Content-Type": "text/html"})
    with tempfile.TemporaryDirectory() as tmp, EmbeddedRedis(Path(tmp)) as redis_server:
        r = redis_server.client()
        warnings.simplefilter("ignore")
        bare(pages[:3])
        pipeline(pages[:3], server, r, classify=False)  # warm imports and caches
        b = min(bare(pages) for _ in range(args.rounds))
        p = min(pipeline(pages, server, r, False) for _ in range(args.rounds))
        c = min(pipeline(pages, server, r, True) for _ in range(args.rounds))
    server.stop()
    n = len(pages)
    print(f"pages: {n}, best of {args.rounds} rounds")
    print(f"bare trafilatura.extract : {1000 * b / n:7.2f} ms/page")
    print(
        f"fetch+extract+store+match: {1000 * p / n:7.2f} ms/page  ratio {p / b:.2f}x",
        "(target <= 1.3x)",
    )
    print(f"  ... + language + classify: {1000 * c / n:7.2f} ms/page  ratio {c / b:.2f}x")


if __name__ == "__main__":
    main()
