"""Rule matching cost: 1,000 rules over 1,000 stored articles, beside the cost with 10 rules.

The articles are the corpus texts classified once, stored in a real (private) Redis and read
back as a worker would; rules are generated across every event type, count bound, language and
location, with one in ten also holding a text regex (which cannot be indexed). Rules are
indexed by the event types they need, so the cost should grow with the rules that can match an
article, not with all rules. Target: >= 200 articles/s per core with 1,000 rules.

usage: python bench/rules.py [--articles N] [--rules N]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.embedded_redis import EmbeddedRedis  # noqa: E402
from monitor.explain import corpus_articles, understood  # noqa: E402
from monitor.rules import RuleSet, match_ruleset  # noqa: E402
from monitor.rules.model import EVENT_TYPES, Rule  # noqa: E402
from tests.conftest import corpus_dir  # noqa: E402
from workers.articles import load_article, store_article  # noqa: E402

PLACES = ["Kyiv", "Kharkiv", "Pokrovsk", "Gaza*", "Odesa", "Donetsk", "Khan*", "Moscow"]


def make_rules(n: int, seed: int = 7) -> RuleSet:
    rnd = random.Random(seed)
    rules = []
    for i in range(n):
        match: dict[str, object] = {"event": rnd.sample(EVENT_TYPES, rnd.choice([1, 1, 2, 3]))}
        if rnd.random() < 0.5:
            match["count"] = rnd.choice([">= 10", ">= 100", "< 5", "10..500", "> 1000"])
        if rnd.random() < 0.3:
            match["lang"] = [rnd.choice(["nl", "en"])]
        if rnd.random() < 0.2:
            match["location"] = rnd.choice(PLACES)
        if rnd.random() < 0.1:
            match["text"] = rnd.choice(
                ["(?i)oekra|ukrain", "(?i)gaza", "(?i)drone", "(?i)rusland|russia"]
            )
        if rnd.random() < 0.1:
            match = {"any": [match, {"event": rnd.choice(EVENT_TYPES), "count": ">= 50"}]}
        rules.append(Rule.model_validate({"name": f"r{i}", "match": match, "notify": ["console"]}))
    return RuleSet(rules)


def load_corpus_articles(n: int):  # type: ignore[no-untyped-def]
    corpus = corpus_dir()
    base = []
    for name in ("seeds/articles.jsonl", "news/dev.jsonl", "news/dev2.jsonl"):
        base.extend(understood(corpus_articles(corpus / name)))
    return [base[i % len(base)].replace(id=f"a{i}") for i in range(n)]


def timed(r, ids: list[str], ruleset: RuleSet) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    fired = 0
    t = time.perf_counter()
    for aid in ids:
        article = load_article(r, aid)
        assert article is not None
        fired += len(match_ruleset(ruleset, article))
    return time.perf_counter() - t, fired


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--rules", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    articles = load_corpus_articles(args.articles)
    small, large = make_rules(10), make_rules(args.rules)
    with tempfile.TemporaryDirectory() as tmp, EmbeddedRedis(Path(tmp)) as server:
        r = server.client()
        for a in articles:
            store_article(r, a)
        ids = [a.id for a in articles]
        timed(r, ids[:50], large)  # warm up
        t_small, f_small = min(timed(r, ids, small) for _ in range(args.rounds))
        t_large, f_large = min(timed(r, ids, large) for _ in range(args.rounds))
    n = len(ids)
    print(f"articles: {n}, best of {args.rounds} rounds (load from Redis + match)")
    for ruleset, t, fired in ((small, t_small, f_small), (large, t_large, f_large)):
        rate, ms = n / t, 1000 * t / n
        print(f"{len(ruleset):5} rules: {rate:8.0f} articles/s ({ms:.3f} ms/article, {fired} hits)")
    ratio = t_large / t_small
    print(f"cost {len(large)} vs {len(small)} rules: {ratio:.2f}x; target >= 200 articles/s")


if __name__ == "__main__":
    main()
