"""``newsmonitor feeds``: every feed's health, and adding, removing, importing, exporting feeds.

Feeds added here are stored in Redis, so a running daemon picks them up within seconds; the
ones in the config file are listed too but changed by editing the file.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from monitor.config import load_config
from monitor.configsections import FeedConfig
from monitor.durations import duration_arg, format_duration
from monitor.errors import ConfigError
from monitor.feeds import state as feedstate
from monitor.feeds.list import add_feeds, all_feeds, remove_feed
from monitor.feeds.opml import parse_opml, to_opml
from monitor.models import Feed
from monitor.redisconn import redis_session
from monitor.validation import field_problems

# FeedConfig's fields under the names `feeds add --help` gives them
ADD_ARGS = {"url": "URL", "name": "--name", "interval": "--interval"}


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    p = sub.add_parser("feeds", help="feed health; add, remove, import or export feeds")
    p.add_argument("--json", action="store_true", help="one JSON object per feed")
    p.set_defaults(func=cmd_list)
    fsub = p.add_subparsers(dest="feeds_command", metavar="ACTION")
    add = fsub.add_parser("add", help="poll a new feed (stored in Redis)")
    add.add_argument("url")
    add.add_argument("--name")
    add.add_argument("--interval", type=duration_arg, help="e.g. 2m; default: adaptive")
    add.add_argument("--backfill", action="store_true", help="alert on its current entries too")
    add.set_defaults(func=cmd_add)
    rm = fsub.add_parser("remove", help="stop polling a feed added with add/import")
    rm.add_argument("url")
    rm.set_defaults(func=cmd_remove)
    imp = fsub.add_parser("import", help="add every feed of an OPML file")
    imp.add_argument("file")
    imp.add_argument("--backfill", action="store_true")
    imp.set_defaults(func=cmd_import)
    exp = fsub.add_parser("export", help="write all feeds as OPML (to FILE or stdout)")
    exp.add_argument("file", nargs="?")
    exp.set_defaults(func=cmd_export)


def _ago(ts: float | None, now: float) -> str:
    if ts is None:
        return "never"
    delta = now - ts
    return f"{format_duration(round(abs(delta)))} {'ago' if delta >= 0 else 'from now'}"


def feed_row(feed: Feed, state: feedstate.FeedState, now: float) -> dict[str, Any]:
    per_day = state.per_day(now)
    return {
        "name": feed.name,
        "url": feed.url,
        "state": state.health(now),
        "last_success": state.last_success,
        "last_error": state.last_error,
        "errors": state.errors,
        "entries_per_day": round(per_day, 1) if per_day is not None else None,
        "next_poll": state.next_poll,
        "interval": feed.interval,
    }


def format_rows(rows: list[dict[str, Any]], now: float) -> str:
    head = f"{'FEED':24} {'STATE':8} {'LAST OK':>14} {'PER DAY':>8} {'NEXT POLL':>16}"
    lines = [head + "  LAST ERROR"]
    for row in rows:
        per_day = "-" if row["entries_per_day"] is None else f"{row['entries_per_day']:g}"
        error = (row["last_error"] or "")[:70] if row["errors"] else ""
        lines.append(
            f"{row['name'][:24]:24} {row['state']:8} {_ago(row['last_success'], now):>14} "
            f"{per_day:>8} {_ago(row['next_poll'], now):>16}  {error}"
        )
    return "\n".join(lines)


def cmd_list(args: argparse.Namespace) -> int:
    cfg = load_config(args.config)
    now = time.time()
    with redis_session(cfg) as r:
        rows = [feed_row(f, feedstate.read_state(r, f.url), now) for f in all_feeds(cfg, r)]
    if args.json:
        for row in rows:
            print(json.dumps(row))
    else:
        print(format_rows(rows, now))
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    cfg = load_config(args.config)
    try:
        fc = FeedConfig(
            url=args.url, name=args.name, interval=args.interval, backfill=args.backfill
        )
    except ValidationError as exc:
        raise ConfigError("feeds add", "; ".join(field_problems(exc, ADD_ARGS))) from exc
    with redis_session(cfg) as r:
        new = add_feeds(r, [fc.to_feed()])
    print(f"{'added' if new else 'updated'} {fc.url}")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    cfg = load_config(args.config)
    if args.url in {f.url for f in cfg.feed_list()}:
        print(f"{args.url} is in the config file {cfg.source}; remove it there", file=sys.stderr)
        return 1
    with redis_session(cfg) as r:
        gone = remove_feed(r, args.url)
    print(f"removed {args.url}" if gone else f"{args.url} was not added with feeds add/import")
    return 0 if gone else 1


def cmd_import(args: argparse.Namespace) -> int:
    cfg = load_config(args.config)
    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(str(path), f"cannot read: {exc.strerror}") from exc
    feeds = parse_opml(data, str(path), backfill=args.backfill)
    with redis_session(cfg) as r:
        new = add_feeds(r, feeds)
    print(f"{len(feeds)} feed(s) in {path}: {new} new, {len(feeds) - new} updated")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    cfg = load_config(args.config)
    with redis_session(cfg) as r:
        feeds = all_feeds(cfg, r)
    text = to_opml(feeds, title=f"newsmonitor feeds {datetime.now(UTC):%Y-%m-%d}")
    if args.file:
        Path(args.file).write_text(text, encoding="utf-8")
        print(f"{len(feeds)} feed(s) written to {args.file}")
    else:
        sys.stdout.write(text)
    return 0
