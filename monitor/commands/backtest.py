"""``newsmonitor backtest``: replay stored or given articles through the rules.

Counts are of matches ("would have fired"): the stateful steps (once per story, windows,
cooldowns) depend on arrival order and time, which a replay does not have. With gold labels,
each rule is also applied to the article's gold events, and the classifier-driven firing is
scored against that: precision and recall per rule.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from monitor.config import Config, load_config
from monitor.durations import duration_arg
from monitor.jsonl import load_events
from monitor.models import Article
from monitor.rules import load_rules, match_ruleset


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    p = sub.add_parser("backtest", help="how often each rule would have fired")
    p.add_argument("--rules", help="rules folder (default: the config's)")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument(
        "--since", type=duration_arg, help="stored articles of the last DURATION (e.g. 7d)"
    )
    src.add_argument("--corpus", help="JSON Lines articles: {id, text, title?, lang?}")
    p.add_argument("--gold", help="gold events per article id (with --corpus)")
    p.add_argument("--json", action="store_true", help="print the result as one JSON object")
    p.set_defaults(func=cmd_backtest)


def _articles(args: argparse.Namespace, cfg: Config) -> list[Article]:
    from monitor.commands.articles import corpus_articles, stored_articles

    if args.corpus:
        return corpus_articles(Path(args.corpus))
    from monitor.redisconn import redis_session

    with redis_session(cfg) as r:
        return list(stored_articles(r, args.since))


def cmd_backtest(args: argparse.Namespace) -> int:
    from monitor.commands.articles import understood, with_gold
    from monitor.commands.progress import Progress

    cfg = load_config(args.config)
    ruleset = load_rules(Path(args.rules) if args.rules else cfg.rules, None)
    articles = _articles(args, cfg)
    gold = load_events(Path(args.gold)) if args.gold else None
    fired: Counter[str] = Counter()
    tp: Counter[str] = Counter()
    expected: Counter[str] = Counter()
    progress = Progress(len(articles), "backtest")
    for article in understood(articles, reclassify=bool(args.corpus)):
        got = {m.rule for m in match_ruleset(ruleset, article)}
        fired.update(got)
        if gold is not None:
            want = {
                m.rule for m in match_ruleset(ruleset, with_gold(article, gold.get(article.id, [])))
            }
            expected.update(want)
            tp.update(got & want)
        progress.step()
    rows = []
    for rule in ruleset.rules:
        row = {"rule": rule.name, "fired": fired[rule.name]}
        if gold is not None:
            p = tp[rule.name] / fired[rule.name] if fired[rule.name] else None
            rc = tp[rule.name] / expected[rule.name] if expected[rule.name] else None
            row |= {"expected": expected[rule.name], "precision": p, "recall": rc}
        rows.append(row)
    if args.json:
        print(json.dumps({"articles": len(articles), "rules": rows}))
        return 0
    print(f"{len(articles)} article(s), {len(ruleset)} rule(s)")
    for row in rows:
        line = f"{row['rule']:32} fired {row['fired']:5}"
        if gold is not None:
            fmt = lambda x: "  n/a" if x is None else f"{x:5.2f}"  # noqa: E731
            line += (
                f"   gold {row['expected']:5}  P {fmt(row['precision'])}  R {fmt(row['recall'])}"
            )
        print(line)
    return 0
