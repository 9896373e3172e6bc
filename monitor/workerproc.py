"""One worker process, as the supervisor spawns it: ``python -m monitor.workerproc ...``.

Its first act is to tie its life to its parent's (monitor/lifeline.py), before the heavy
imports: a daemon killed while this process boots must not leave it behind. Then the same
logging as its parent (level and format come on the command line: every line JSON under
``--log-format json``), a Redis client that waits out outages, and the NewsWorker loop.

The Redis URL comes in the environment (WORKER_REDIS_ENV), not on the command line, where
``ps`` would show a password in it.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from monitor.lifeline import hold_lifeline

WORKER_REDIS_ENV = "NEWSMONITOR_WORKER_REDIS_URL"


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="newsmonitor-worker-process")
    p.add_argument("--parent", type=int, required=True, help="pid to live and die with")
    p.add_argument("--name", required=True)
    p.add_argument("--queues", nargs="+", required=True)
    p.add_argument("--log-level", default="INFO")
    p.add_argument("--log-format", default="text")
    p.add_argument("--burst", action="store_true")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    hold_lifeline(args.parent)

    from rq.serializers import JSONSerializer

    from monitor.errors import NewsmonitorError
    from monitor.logs import setup_logging
    from monitor.newsworker import NewsWorker
    from monitor.producers import make_queue
    from monitor.redisconn import connect

    setup_logging(args.log_level, args.log_format)
    try:
        r = connect(os.environ[WORKER_REDIS_ENV], forever=True)
    except NewsmonitorError as exc:
        logging.getLogger("newsmonitor.worker").error("worker %s: %s", args.name, exc)
        return 2
    worker = NewsWorker(
        [make_queue(name, r) for name in args.queues],
        name=args.name,
        connection=r,
        serializer=JSONSerializer,
    )
    worker.work(burst=args.burst, logging_level=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
