"""The feeds view as data: the rows of ``newsmonitor feeds --json``, with no credentials.

A feed URL may carry a user and password or a token in its query, and an error message may
quote the URL: both are masked before they leave the process.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import redis

from monitor.commands.feeds import feed_row
from monitor.config import Config, mask_url
from monitor.console.safety import scrub
from monitor.feeds import state as feedstate
from monitor.feeds.list import all_feeds
from monitor.statuses import FeedHealth


def feeds_view(r: redis.Redis, cfg: Config, secrets: Sequence[str] = ()) -> dict[str, Any]:
    now = time.time()
    rows = []
    for feed in all_feeds(cfg, r):
        row = feed_row(feed, feedstate.read_state(r, feed.url), now)
        row["url"] = mask_url(feed.url)
        if row["name"] == feed.url:  # a feed without a name is named by its URL
            row["name"] = row["url"]
        row["last_error"] = scrub(row["last_error"], secrets) if row["errors"] else None
        rows.append(row)
    states = [row["state"] for row in rows]
    return {
        "at": now,
        "counts": {s.value: states.count(s) for s in FeedHealth},
        "feeds": rows,
    }
