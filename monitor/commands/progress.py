"""A progress bar for long CLI runs (``backtest``), drawn only on a terminal."""

from __future__ import annotations

import sys


class Progress:
    """A one-line progress bar on stderr (only when it is a terminal)."""

    def __init__(self, total: int, label: str) -> None:
        self.total, self.label, self.done = total, label, 0
        self.tty = sys.stderr.isatty()

    def step(self) -> None:
        self.done += 1
        if self.tty and (self.done == self.total or self.done % 10 == 0):
            width = 30
            filled = width * self.done // max(self.total, 1)
            sys.stderr.write(
                f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}"
            )
            if self.done == self.total:
                sys.stderr.write("\n")
            sys.stderr.flush()
