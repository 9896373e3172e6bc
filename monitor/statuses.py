"""The words the daemon reports a feed's state in, as str-Enums: what a poll found and how a
feed is doing. A member is its value wherever it is written (``str()``, f-strings, ``json``,
metric labels), so Redis, JSON, metrics and the CLI read exactly as the bare strings did."""

from __future__ import annotations

from enum import StrEnum


class PollStatus(StrEnum):
    """What one poll of one feed found (monitor/feeds/poll.py)."""

    NEW = "new"  # entries not seen before, enqueued
    UNCHANGED = "unchanged"  # a 304, the same bytes, or nothing new in them
    ERROR = "error"  # no usable answer: the state records why
    BACKLOG = "backlog"  # a feed's first poll: its entries were marked seen, not enqueued

    @property
    def metric(self) -> str:
        """The ``polls`` metric's outcome label: a poll with news is ``ok`` there."""
        return "ok" if self is PollStatus.NEW else self.value


class FeedHealth(StrEnum):
    """How a feed is doing, from its state (monitor/feeds/state.py ``FeedState.health``)."""

    OK = "ok"
    FAILING = "failing"  # the last poll failed
    SILENT = "silent"  # nothing new for much longer than usual
    NEW = "new"  # never polled successfully yet
