"""``newsmonitor classify [FILE|-]`` and ``newsmonitor eval GOLD.jsonl ARTICLES.jsonl``.

classify: JSON Lines in (``text``, optional ``id``, ``title``, ``lang``), JSON Lines out
(``{"id", "lang", "events"}``), so the classifier can be used and scored without the queue.
eval: classifies the articles and prints the reference scorer's report plus every miss.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from monitor.explain import read_rows


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg, unused-ignore]
    p = sub.add_parser("classify", help="read JSON Lines articles, write their events")
    p.add_argument("file", nargs="?", default="-", help="JSON Lines file, or - for stdin")
    p.set_defaults(func=cmd_classify)
    e = sub.add_parser("eval", help="score the classifier against gold labels")
    e.add_argument("gold", help="gold JSON Lines: {id, events}")
    e.add_argument("articles", help="articles JSON Lines: {id, text, title?, lang?}")
    e.add_argument("--json", action="store_true", help="print the scores as one JSON object")
    e.set_defaults(func=cmd_eval)


def classify_rows(rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """One output object per input row, ids defaulting to the line's position."""
    from workers.classify import classify_text
    from workers.langdetect import detect_language

    for n, row in enumerate(rows, 1):
        lang = row.get("lang") or detect_language(f"{row.get('title') or ''}\n{row['text']}")
        events = classify_text(row["text"], lang=lang, title=row.get("title"))
        yield {"id": row.get("id", n), "lang": lang, "events": [e.to_dict() for e in events]}


def cmd_classify(args: argparse.Namespace) -> int:
    if args.file == "-":
        rows = read_rows(sys.stdin, "<stdin>")
        for out in classify_rows(rows):
            print(json.dumps(out, ensure_ascii=False))
        return 0
    with open(args.file, encoding="utf-8") as f:
        for out in classify_rows(read_rows(f, args.file)):
            print(json.dumps(out, ensure_ascii=False))
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from monitor.jsonl import load_events
    from workers.classify.scoring import format_score, score

    gold = load_events(Path(args.gold))
    with open(args.articles, encoding="utf-8") as f:
        pred = {str(o["id"]): o["events"] for o in classify_rows(read_rows(f, args.articles))}
    result = score(gold, pred)
    if args.json:
        print(json.dumps(result.to_dict()))
        return 0
    print(format_score(result))
    for miss in result.misses:
        print(f"miss {miss.article} {miss.kind}: {miss.item}")
    return 0
