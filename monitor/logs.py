"""Logging setup: one human-readable line per event by default, JSON with --log-format json."""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import TextIO

# Third-party chatter that would drown our one-line-per-event log. urllib3 (under Apprise's
# requests) also logs each request's path at DEBUG, and Apprise URLs keep tokens in paths.
NOISY_LOGGERS = ("httpx", "httpcore", "apscheduler.executors", "trafilatura", "htmldate", "urllib3")


class JSONFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg,unused-ignore]
    """Writes to whatever ``sys.stderr`` is now, not the one at setup (tests swap it)."""

    @property  # type: ignore[override,unused-ignore]
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        pass


def setup_logging(level: str = "INFO", fmt: str = "text") -> None:
    handler = StderrHandler()
    if fmt == "json":
        handler.setFormatter(JSONFormatter())
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%H:%M:%S")
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in NOISY_LOGGERS:
        logging.getLogger(noisy).setLevel(logging.WARNING)
