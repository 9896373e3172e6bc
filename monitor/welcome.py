"""What the daemon tells a newcomer when it starts: where to look, and what it is waiting for.

A fresh `make run` alerts nothing for a long time, rightly: the items already in a feed when it
is first polled are marked seen, not alerted. Saying so at start (and pointing at the demo)
turns a silent terminal into an explained one.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from monitor.models import Feed


def waiting_line(feeds: Sequence[Feed], rules: int, known: Collection[str]) -> str:
    """One log line: what will make the first alert come (pure)."""
    if not feeds:
        return (
            "no feeds to poll: add some to the config or with `newsmonitor feeds add URL`; "
            "`newsmonitor demo` shows alerts on sample news"
        )
    if not rules:
        return "no rules: nothing will alert until a rule file is added to the rules folder"
    fresh = [f for f in feeds if f.url not in known and not f.backfill]
    line = f"waiting for new articles in {len(feeds)} feed(s) that match one of {rules} rule(s)"
    if fresh:
        line += (
            f"; {len(fresh)} feed(s) are polled for the first time: the items they hold now "
            "are marked seen, not alerted (backfill: true alerts on them). "
            "`newsmonitor demo` shows alerts on sample news at once"
        )
    return line
