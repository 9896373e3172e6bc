"""Rule matching cost: 1,000 rules over 1,000 stored articles, beside 10 rules and trying every rule.

The articles are the corpus texts classified once, stored in a real (private) Redis and read
back as a worker would; rules are generated across every event type, count bound, language and
location, with one in ten also holding a text regex (which cannot be indexed). Rules are
indexed by the event types they need, so the cost should grow with the rules that can match an
article, not with all rules (monitor/rules/index.py). Target: >= 2,000 articles/s per core with
1,000 rules, CPU time of this process (Redis runs in its own).

usage: python bench/rules.py [--articles N] [--rules N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.commands.articles import corpus_articles, understood  # noqa: E402
from monitor.embedded_redis import EmbeddedRedis  # noqa: E402
from monitor.models import Article  # noqa: E402
from monitor.rules import RuleMatch, RuleSet, match_ruleset  # noqa: E402
from monitor.rules.match import match_every_rule  # noqa: E402
from tests.conftest import corpus_dir  # noqa: E402
from tests.rulekit import random_rules  # noqa: E402
from workers.articles import load_article, store_article  # noqa: E402


def load_corpus_articles(n: int):  # type: ignore[no-untyped-def]
    corpus = corpus_dir()
    base = []
    for name in ("seeds/articles.jsonl", "news/dev.jsonl", "news/dev2.jsonl"):
        base.extend(understood(corpus_articles(corpus / name)))
    return [base[i % len(base)].replace(id=f"a{i}") for i in range(n)]


Matcher = Callable[[RuleSet, Article], list[RuleMatch]]


def timed(r, ids: list[str], ruleset: RuleSet, matcher: Matcher | None) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    """CPU seconds of this process to load every article from Redis and match it (matcher
    None: load only); and the number of rules fired."""
    fired = 0
    t = time.process_time()
    for aid in ids:
        article = load_article(r, aid)
        assert article is not None
        if matcher is not None:
            fired += len(matcher(ruleset, article))
    return time.process_time() - t, fired


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--rules", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    articles = load_corpus_articles(args.articles)
    small, large = random_rules(10), random_rules(args.rules)
    with tempfile.TemporaryDirectory() as tmp, EmbeddedRedis(Path(tmp)) as server:
        r = server.client()
        for a in articles:
            store_article(r, a)
        ids = [a.id for a in articles]
        timed(r, ids[:50], large, match_ruleset)  # warm up (and build the index)
        rows = {}
        for label, ruleset, matcher in (
            ("load only", small, None),
            (f"{len(small)} rules, index", small, match_ruleset),
            (f"{len(large)} rules, index", large, match_ruleset),
            (f"{len(large)} rules, every rule", large, match_every_rule),
        ):
            runs = [timed(r, ids, ruleset, matcher) for _ in range(args.rounds)]
            rows[label] = (statistics.median(t for t, _ in runs), [t for t, _ in runs], runs[0][1])
    n = len(ids)
    print(f"articles: {n}; CPU of this process (load from Redis + match), median of {args.rounds} rounds")
    for label, (t, ts, fired) in rows.items():
        spread = f"{n / max(ts):.0f}-{n / min(ts):.0f}"
        print(f"{label:26}: {n / t:7.0f} articles/s per core (range {spread}; {1000 * t / n:.3f} ms/article, {fired} hits)")
    index = rows[f"{len(large)} rules, index"][0]
    brute = rows[f"{len(large)} rules, every rule"][0]
    print(f"{len(large)} rules: index {brute / index:.1f}x faster than trying every rule; target >= 2000 articles/s per core")


if __name__ == "__main__":
    main()
