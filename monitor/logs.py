"""Logging setup: one line per thing that matters; JSON lines with --log-format json.

Every process sets up the same way: the daemon, and each worker it spawns (they get level and
format on their command line). Libraries speak at WARNING unless --log-level DEBUG: RQ's
per-job lines ("cleaning registries", "result is kept for ...") and APScheduler's ("Adding
job tentatively") drowned ours four to one. Under JSON, *every* line is JSON: RQ's too (its
own handlers are never installed, as the root logger has ours), warnings, uncaught exceptions
in any thread, and tracebacks (the ``exc`` field).
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from types import TracebackType
from typing import TextIO

# Loggers of libraries that log per request, per job or per tick at INFO. RQ sets its own
# loggers to INFO on import, so each one is named here, not only the parent.
LIBRARIES = (
    "rq",
    "rq.worker",
    "rq.job",
    "rq.queue",
    "rq.scheduler",
    "rq.registry",
    "apscheduler",
    "httpx",
    "httpcore",
    "trafilatura",
    "htmldate",
    "courlan",
    "charset_normalizer",
    "asyncio",
)
# Quiet even under --log-level DEBUG: urllib3 (under Apprise's requests) logs each request's
# path at DEBUG, and Apprise URLs keep tokens in paths.
ALWAYS_QUIET = ("urllib3",)
NOISY_LOGGERS = (*LIBRARIES, *ALWAYS_QUIET)  # every logger whose level setup_logging sets


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
        if record.stack_info:
            out["stack"] = self.formatStack(record.stack_info)
        return json.dumps(out, ensure_ascii=False)


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg,unused-ignore]
    """Writes to whatever ``sys.stderr`` is now, not the one at setup (tests swap it)."""

    @property  # type: ignore[override,unused-ignore]
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        pass


class _SkippedRuns(logging.Filter):
    """APScheduler warns each time a periodic job is still running when its next tick comes;
    with ``max_instances=1`` and ``coalesce`` that skip is the design (a slow run is never
    doubled), not a problem, and during a Redis outage it would be a line per job per second."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "maximum number of running instances reached" not in record.getMessage()


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
    debug = root.level <= logging.DEBUG
    for name in LIBRARIES:
        lib = logging.getLogger(name)
        lib.setLevel(logging.DEBUG if debug else logging.WARNING)
        lib.handlers.clear()  # RQ may have installed its own (plain text, stdout) already
        lib.propagate = True
    for name in ALWAYS_QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    scheduler_log = logging.getLogger("apscheduler.scheduler")
    if not any(isinstance(f, _SkippedRuns) for f in scheduler_log.filters):
        scheduler_log.addFilter(_SkippedRuns())
    logging.captureWarnings(True)
    sys.excepthook = _log_uncaught
    threading.excepthook = _log_uncaught_in_thread


def _log_uncaught(
    kind: type[BaseException], error: BaseException, tb: TracebackType | None
) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, error, tb)
        return
    logging.getLogger("newsmonitor").critical("uncaught error", exc_info=(kind, error, tb))


def _log_uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit or args.exc_value is None:
        return
    logging.getLogger("newsmonitor").error(
        "thread %s died",
        args.thread.name if args.thread else "?",
        exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
    )
