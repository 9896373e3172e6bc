"""``newsmonitor classify [FILE|-] [--explain]`` and ``newsmonitor eval GOLD ARTICLES [--explain]``.

classify: JSON Lines in (``text``, optional ``id``, ``title``, ``lang``, ``date``/``published``),
JSON Lines out (``{"id", "lang", "events"}``), so the classifier can be used and scored without
the queue; ``--explain`` adds ``dropped``: the mentions that are no events, each with the kind
of reason and the words that decided it (background, irrealis, negation, ...).
eval: classifies the articles and prints the reference scorer's report plus every miss;
``--explain`` groups false positives and misses by kind instead.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from monitor.commands.articles import read_rows


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg, unused-ignore]
    p = sub.add_parser("classify", help="read JSON Lines articles, write their events")
    p.add_argument("file", nargs="?", default="-", help="JSON Lines file, or - for stdin")
    p.add_argument("--explain", action="store_true",
                   help="also list the mentions that are no events, and why")
    p.set_defaults(func=cmd_classify)
    e = sub.add_parser("eval", help="score the classifier against gold labels")
    e.add_argument("gold", help="gold JSON Lines: {id, events}")
    e.add_argument("articles", help="articles JSON Lines: {id, text, title?, lang?, date?}")
    e.add_argument("--json", action="store_true", help="print the scores as one JSON object")
    e.add_argument("--explain", action="store_true",
                   help="group false positives and misses by kind")
    e.set_defaults(func=cmd_eval)


def published_of(row: dict[str, Any]) -> str | None:
    value = row.get("published") or row.get("date")
    return str(value) if value else None


def read_articles(rows: Iterable[dict[str, Any]]) -> Iterator[tuple[Any, str | None, Any]]:
    """(id, language, Reading) per row, ids defaulting to the line's position."""
    from workers.classify.language import language_of
    from workers.classify.reading import read_text

    for n, row in enumerate(rows, 1):
        lang = language_of(row["text"], row.get("title"), row.get("lang"))
        reading = read_text(row["text"], lang, row.get("title"), published_of(row))
        yield row.get("id", n), lang, reading


def classify_rows(
    rows: Iterable[dict[str, Any]], explain: bool = False
) -> Iterator[dict[str, Any]]:
    """One output object per input row."""
    for aid, lang, reading in read_articles(rows):
        out: dict[str, Any] = {"id": aid, "lang": lang,
                               "events": [e.to_dict() for e in reading.events]}
        if explain:
            out["dropped"] = [d.to_dict() for d in reading.dropped]
        yield out


def cmd_classify(args: argparse.Namespace) -> int:
    if args.file == "-":
        for out in classify_rows(read_rows(sys.stdin, "<stdin>"), args.explain):
            print(json.dumps(out, ensure_ascii=False))
        return 0
    with open(args.file, encoding="utf-8") as f:
        for out in classify_rows(read_rows(f, args.file), args.explain):
            print(json.dumps(out, ensure_ascii=False))
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from monitor.jsonl import load_events
    from workers.classify.scoring import format_score, score

    gold = load_events(Path(args.gold))
    with open(args.articles, encoding="utf-8") as f:
        rows = list(read_rows(f, args.articles))
    readings = {str(aid): (lang, reading) for aid, lang, reading in read_articles(rows)}
    pred = {aid: [e.to_dict() for e in r.events] for aid, (_, r) in readings.items()}
    result = score(gold, pred)
    if args.explain:
        return _explain(gold, rows, readings, result.to_dict() if args.json else None,
                        format_score(result))
    if args.json:
        print(json.dumps(result.to_dict()))
        return 0
    print(format_score(result))
    for miss in result.misses:
        print(f"miss {miss.article} {miss.kind}: {miss.item}")
    return 0


def _explain(
    gold: dict[str, Any], rows: list[dict[str, Any]],
    readings: dict[str, tuple[str | None, Any]], as_json: dict[str, Any] | None, report: str,
) -> int:
    from workers.classify.diagnose import by_kind, diagnose
    from workers.classify.lexicon.loader import get_lexicon
    from workers.classify.reading import reference

    found = []
    for n, row in enumerate(rows, 1):
        aid = str(row.get("id", n))
        lang, reading = readings[aid]
        lexicon = get_lexicon(lang)
        if aid not in gold or lexicon is None:
            continue
        ref = reference(row["text"], row.get("title"), published_of(row))
        found += diagnose(aid, gold[aid], reading, lexicon, ref)
    groups = by_kind(found)
    if as_json is not None:
        as_json["by_kind"] = {k: [d.to_dict() for d in v] for k, v in groups.items()}
        print(json.dumps(as_json, ensure_ascii=False))
        return 0
    print(report)
    print("\nfalse positives and misses by kind:")
    for kind, items in groups.items():
        fps = sum(d.error == "false positive" for d in items)
        print(f"  {kind:18} {fps:4} false positive(s) {len(items) - fps:4} miss(es)")
    for kind, items in groups.items():
        if items:
            print(f"\n{kind} ({len(items)})")
        for d in items:
            print(f"  {'fp  ' if d.error == 'false positive' else 'miss'} {d.article} "
                  f"{d.item}: {d.detail}")
    return 0
