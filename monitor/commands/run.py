"""``newsmonitor run``: the daemon."""

from __future__ import annotations

import argparse
import os

from monitor.config import load_config
from monitor.daemon import RunOptions, run_daemon
from monitor.stopping import exit_bounded


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    p = sub.add_parser("run", help="poll feeds, process entries and deliver alerts")
    p.add_argument("--workers", type=int, default=None, help="worker processes (default: cores)")
    p.add_argument(
        "--no-workers", action="store_true", help="scheduler only; workers run elsewhere"
    )
    p.set_defaults(func=cmd_run)


def cmd_run(args: argparse.Namespace) -> int:
    cfg = load_config(args.config)
    workers = args.workers or cfg.workers or os.cpu_count() or 1
    opts = RunOptions(
        workers=workers,
        no_workers=args.no_workers,
        config_path=args.config,
        log_level=args.log_level,
        log_format=args.log_format,
    )
    # The process ends here: threads a stop left behind (a poll stuck in a slow read) must not
    # hold it (monitor/stopping.py).
    return exit_bounded(run_daemon(cfg, opts))
