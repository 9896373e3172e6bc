"""Benchmark: classification speed against trafilatura extraction, and worker RSS.

usage: .venv/bin/python bench/classify.py [CORPUS_DIR] [--rounds N]

Classifies every corpus text (seeds, dev, dev2), with its published date as a worker does,
and, in the same run, extracts every page
under pages/ with trafilatura, then prints articles/s, the ratio of classification time per
article to extraction time per page, and the process RSS with everything loaded. Single
process, one core. Targets (issue 3): >= 500 articles/s on ~3 KB texts, ratio <= 10%,
RSS < 300 MB.

Times are CPU time of this process (time.process_time), so other work on a shared machine
does not count against us; classification reports the median round (and the best), which a
stray slow round cannot move.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere, without installing
TEXTS = ("seeds/articles.jsonl", "news/dev.jsonl", "news/dev2.jsonl")


def load_texts(corpus: Path) -> list[dict[str, str]]:
    rows = []
    for name in TEXTS:
        with (corpus / name).open(encoding="utf-8") as f:
            rows += [json.loads(line) for line in f if line.strip()]
    return rows


def time_classify(rows: list[dict[str, str]], rounds: int) -> tuple[float, float]:
    """Seconds per article: the median and the best of ``rounds`` rounds over all rows."""
    from workers.classify import classify_text

    for r in rows:  # warm-up: lexicons compile and token caches fill once per process
        classify_text(r["text"], r.get("lang"), r.get("title"), published=r.get("date"))
    per_round = []
    for _ in range(rounds):
        start = time.process_time()
        for r in rows:  # with the published date, as a worker classifies an article
            classify_text(r["text"], r.get("lang"), r.get("title"), published=r.get("date"))
        per_round.append((time.process_time() - start) / len(rows))
    return statistics.median(per_round), min(per_round)


def time_extract(pages: list[Path]) -> float:
    import trafilatura

    html = [p.read_text(encoding="utf-8", errors="replace") for p in pages]
    trafilatura.extract(html[0])
    start = time.process_time()
    for doc in html:
        trafilatura.extract(doc)
    return (time.process_time() - start) / len(html)


def rss_mb() -> float:
    status = Path(f"/proc/{os.getpid()}/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared" / "corpus"))
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    corpus = Path(args.corpus)
    rows = load_texts(corpus)
    pages = sorted((corpus / "pages").rglob("*.html"))
    per_article, best = time_classify(rows, args.rounds)
    per_page = time_extract(pages)
    avg_kb = sum(len(r["text"].encode()) for r in rows) / len(rows) / 1024
    print(
        f"classify: {len(rows)} texts, avg {avg_kb:.1f} KB, {per_article * 1000:.2f} ms each, "
        f"{1 / per_article:.0f} articles/s (median of {args.rounds} rounds; best "
        f"{1 / best:.0f}/s)"
    )
    print(f"extract:  {len(pages)} pages, {per_page * 1000:.2f} ms each")
    print(f"ratio classify/extract per item: {per_article / per_page:.1%}")
    print(f"RSS with classifier, language detector and trafilatura loaded: {rss_mb():.0f} MB")


if __name__ == "__main__":
    from workers.langdetect import detect_language

    detect_language("load the detector so the RSS figure includes it")
    main()
