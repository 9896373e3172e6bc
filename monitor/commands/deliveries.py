"""``newsmonitor deliveries``: what was sent, what failed for good, and replaying the failures.

newsmonitor deliveries [--limit N]     recent deliveries, newest first
newsmonitor deliveries --failed        the dead letters, each with its error
newsmonitor deliveries retry --all     re-enqueue every dead letter on the alerts queue
newsmonitor deliveries retry ID...     re-enqueue the named ones
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import redis

from monitor import keys
from monitor.config import Config, load_config
from monitor.deliveries import read_dead_letters, read_deliveries, replay_dead_letters
from monitor.models import DeadLetter, Delivery
from monitor.producers import make_queue
from monitor.redisconn import redis_session

DEFAULT_LIMIT = 50


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("deliveries", help="list deliveries and dead letters; retry failures")
    p.add_argument("--failed", action="store_true", help="list dead letters with their error")
    p.add_argument("--limit", type=int, default=DEFAULT_LIMIT, help="how many (default 50)")
    p.add_argument("--json", action="store_true", help="one JSON record per line")
    p.set_defaults(func=cmd_list)
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    r = actions.add_parser("retry", help="re-enqueue dead letters on the alerts queue")
    which = r.add_mutually_exclusive_group(required=True)
    which.add_argument("--all", action="store_true", help="every dead letter")
    which.add_argument("ids", nargs="*", default=[], metavar="ID", help="dead-letter ids")
    r.set_defaults(func=cmd_retry)


@contextmanager
def _redis(args: argparse.Namespace) -> Iterator[tuple[Config, redis.Redis]]:
    """The daemon's Redis; the embedded one is started for the command if it is not running."""
    cfg = load_config(args.config)
    with redis_session(cfg) as conn:
        yield cfg, conn


def format_delivery(d: Delivery) -> str:
    state = "sent  " if d.ok else "FAILED"
    line = f"{d.at}  {state}  {d.channel:<16} {d.rule or '-':<24} {d.url or d.alert_id}"
    return line + (f"\n    {d.error}" if d.error else "")


def format_dead_letter(letter: DeadLetter) -> str:
    return (
        f"{letter.id}\n    at {letter.at}, channel {letter.channel}, "
        f"rule {letter.rule}, {letter.attempts} tries\n"
        f"    article: {letter.article.get('url')}\n    error: {letter.error}"
    )


def _emit(rows: list[Any], fmt: Callable[[Any], str], as_json: bool, empty: str) -> None:
    if not rows and not as_json:
        print(empty)
    for row in rows:
        if as_json:
            data = row.to_dict() if isinstance(row, Delivery | DeadLetter) else row
            print(json.dumps(data, ensure_ascii=False))
        else:
            print(fmt(row))


def cmd_list(args: argparse.Namespace) -> int:
    with _redis(args) as (_, conn):
        if args.failed:
            letters = read_dead_letters(conn)[: args.limit]
            _emit(letters, format_dead_letter, args.json, "no dead letters")
        else:
            rows = read_deliveries(conn, args.limit)
            _emit(rows, format_delivery, args.json, "no deliveries yet")
    return 0


def cmd_retry(args: argparse.Namespace) -> int:
    wanted = None if args.all else set(args.ids)
    with _redis(args) as (cfg, conn):
        done = replay_dead_letters(conn, make_queue(keys.QUEUE_ALERTS, conn), cfg, wanted)
    for letter_id in done:
        print(f"re-enqueued {letter_id}")
    missing = sorted((wanted or set()) - set(done))
    for letter_id in missing:
        print(f"newsmonitor: no dead letter with id {letter_id}", file=sys.stderr)
    print(f"{len(done)} dead letter(s) re-enqueued on queue {keys.QUEUE_ALERTS}")
    return 1 if missing else 0
