"""What every scenario does: its config, waiting for the alerts, and the checks at its end."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from tests.faults.ledger import Receivers, tally
from tests.faults.newsroom import Newsroom
from tests.faults.rig import Daemon, write_config
from tests.faults.table import Row, make_row
from tests.servers import wait_for

Record = Callable[[Row], None]


def settle(predicate: Callable[[], object], timeout: float) -> bool:
    """Wait up to ``timeout`` for ``predicate``; whether it came true (the row is written
    either way, so a failure shows its figures)."""
    try:
        wait_for(predicate, timeout, interval=0.1)
    except AssertionError:
        return False
    return True


def all_arrive(rx: Receivers, channel: str, links: list[str], timeout: float) -> bool:
    """Wait until every article of ``links`` has arrived on ``channel``; whether it did."""
    return settle(lambda: rx.articles(channel) >= set(links), timeout)


def count_row(
    record: Record,
    scenario: str,
    rx: Receivers,
    expected: tuple[str, list[str]],
    faults: list[float],
    recovered_from: float,
    peak_rss: float | None,
) -> Row:
    """Count what arrived against ``expected`` (a channel and its articles) and record the
    scenario's row in the table (before any assertion, so a failure shows its figures)."""
    channel, links = expected
    counted = tally(rx.arrivals(), {channel: set(links)}, faults)
    row = make_row(scenario, len(links), counted, recovered_from, peak_rss)
    record(row)
    return row


def site_config(folder: Path, room: Newsroom, channels: dict[str, object], **extra: object) -> Path:
    """The news site's feed, polled every second, alerting to every one of ``channels``."""
    settings: dict[str, object] = {
        "feeds": [room.feed()],
        "channels": channels,
        "health": {"enabled": False},
        "shutdown_grace": "5s",
    }
    return write_config(folder, list(channels), **{**settings, **extra})


def hook_config(folder: Path, room: Newsroom, rx: Receivers, **extra: object) -> Path:
    """The news site's feed, alerting to the webhook."""
    return site_config(folder, room, {"hook": {"type": "webhook", "url": rx.hook_url}}, **extra)


SENT = re.compile(r"^alert (\S+) \(rule \S+\) sent to (\S+)$")


def sent_twice(*daemons: Daemon) -> list[tuple[str, ...]]:
    """(alert id, channel) the daemons logged as sent more than once. A resend is allowed
    only where the first send was never recorded (the sender died first)."""
    sent: Counter[tuple[str, ...]] = Counter()
    for log in {d.log: d for d in daemons}.values():  # daemons that share a log count once
        sent.update(m.groups() for line in log.lines() if (m := SENT.match(str(line.get("msg")))))
    return [key for key, n in sent.items() if n > 1]


def assert_clean(row: Row, *daemons: Daemon) -> None:
    """Nothing lost, nothing doubled, no alert recorded as sent twice, and no traceback:
    each fault was one line."""
    assert row.lost == 0 and row.duplicates == 0, row
    assert not sent_twice(*daemons), f"recorded as sent twice: {sent_twice(*daemons)}"
    for daemon in daemons:
        assert not daemon.tracebacks(), daemon.tracebacks()[:3]
