"""The ``newsmonitor`` command: one subcommand module each, listed explicitly below."""

from __future__ import annotations

import argparse
import importlib
import logging
import signal
import sys
from collections.abc import Sequence

from monitor.errors import NewsmonitorError

# Each module defines ``register(subparsers)`` and sets ``func`` on its parsers. An explicit
# list, not folder scanning: the set of commands is part of the interface.
COMMAND_MODULES = (
    "monitor.commands.run",
    "monitor.commands.worker",
    "monitor.commands.rules",
    "monitor.commands.deliveries",
    "monitor.commands.classify",
    "monitor.commands.backtest",
    "monitor.commands.feeds",
    "monitor.commands.status",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsmonitor", description="Watch news feeds, recognise events, alert on rules."
    )
    parser.add_argument(
        "--config", "-c", help="config file (default: ./newsmonitor.yaml or built-in)"
    )
    parser.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING (default INFO)")
    parser.add_argument("--log-format", choices=("text", "json"), default="text")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # Until a command installs its own handlers, SIGTERM stops like Ctrl-C: with exit 130
    # and the cleanups of ``finally`` blocks, not the default silent death mid-import.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        from monitor.logs import setup_logging

        setup_logging(args.log_level, args.log_format)
        return int(args.func(args) or 0)
    except NewsmonitorError as exc:
        logging.getLogger("newsmonitor").debug("fatal", exc_info=True)
        print(f"newsmonitor: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
