"""The ``newsmonitor`` command: one subcommand module each, listed explicitly below.

The global options (``--config``, ``--log-level``, ``--log-format``) are accepted before and
after the subcommand, because people write ``newsmonitor run --config FILE`` as often as
``newsmonitor --config FILE run``. Given in both places, the later one (after the subcommand)
wins: it is the one the user typed last, next to the command it is meant for.
"""

from __future__ import annotations

import signal
import threading

# A Ctrl-C during the imports below ends the process as an unhandled SIGINT does (a shell
# shows 130), not with a traceback from deep in the standard library; right after them
# SIGINT is KeyboardInterrupt again, for main() to catch and for any module that imports
# this one (the test suite). An inherited "ignore" (nohup, a background job) is left as it is.
_CATCH_INT = (
    signal.getsignal(signal.SIGINT) is signal.default_int_handler
    and threading.current_thread() is threading.main_thread()  # only it may set handlers
)
if _CATCH_INT:
    signal.signal(signal.SIGINT, signal.SIG_DFL)

import argparse  # noqa: E402
import importlib  # noqa: E402
import logging  # noqa: E402
import sys  # noqa: E402
from collections.abc import Iterator, Sequence  # noqa: E402
from importlib.metadata import PackageNotFoundError, version  # noqa: E402

from monitor.errors import NewsmonitorError  # noqa: E402

if _CATCH_INT:
    signal.signal(signal.SIGINT, signal.default_int_handler)

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
    "monitor.commands.config",
    "monitor.commands.console",
    "monitor.commands.demo",
)
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
GLOBAL_DEFAULTS = {"config": None, "log_level": "INFO", "log_format": "text"}
GLOBAL_TITLE = "global options (before or after the command; after it wins when given twice)"
EPILOG = (
    "Global options may stand before or after the command: `newsmonitor run --config FILE` "
    "equals `newsmonitor --config FILE run`. Given in both places, the one after the command "
    "wins."
)


def package_version() -> str:
    """From the installed package's metadata, so it always says what pip installed."""
    try:
        return version("newsmonitor")
    except PackageNotFoundError:
        return "unknown (not installed)"


def _log_level(value: str) -> str:
    level = value.upper()
    if level not in LOG_LEVELS:
        raise argparse.ArgumentTypeError(
            f"invalid level {value!r} (choose from {', '.join(LOG_LEVELS)})"
        )
    return level


def add_global_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    """The options every command takes. Below the top level their default is SUPPRESS: a
    subcommand's parser copies every attribute it sets over the top level's, so it must set
    only what the user gave there."""

    def default(dest: str) -> object:
        return GLOBAL_DEFAULTS[dest] if top else argparse.SUPPRESS

    group = parser.add_argument_group(GLOBAL_TITLE)
    group.add_argument(
        "--config",
        "-c",
        metavar="FILE",
        default=default("config"),
        help="config file (default: ./newsmonitor.yaml, else the built-in default)",
    )
    group.add_argument(
        "--log-level",
        type=_log_level,
        metavar="LEVEL",
        default=default("log_level"),
        help=f"{', '.join(LOG_LEVELS)} (default INFO)",
    )
    group.add_argument(
        "--log-format",
        choices=("text", "json"),
        default=default("log_format"),
        help="text, or json: one object per line (default text)",
    )


def subparsers_of(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """Every parser below ``parser`` (``feeds``, ``feeds add``, ...), depth first."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):  # aliases share a parser
                yield child
                yield from subparsers_of(child)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsmonitor",
        description="Watch news feeds, recognise events, alert on rules.",
        epilog=EPILOG,
    )
    parser.add_argument(
        "--version", "-V", action="version", version=f"newsmonitor {package_version()}"
    )
    add_global_options(parser, top=True)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    for child in subparsers_of(parser):
        add_global_options(child, top=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # Until a command installs its own handlers, SIGTERM stops like Ctrl-C: with exit 130
    # and the cleanups of ``finally`` blocks, not the default silent death mid-import.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        return _run(argv)
    except KeyboardInterrupt:
        return 130


def _run(argv: Sequence[str] | None) -> int:
    # Imported here, not at the top: a Ctrl-C right after start lands in the imports (on a
    # busy machine they take longer than a user waits), and there main() catches it.
    from redis.exceptions import RedisError

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
    except RedisError as exc:  # e.g. the daemon stopped its embedded Redis under a command
        logging.getLogger("newsmonitor").debug("fatal", exc_info=True)
        print(f"newsmonitor: Redis: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        if exc.filename is None:  # not about a file the user named: a real fault, show it all
            raise
        print(f"newsmonitor: {exc.filename}: {exc.strerror or exc}", file=sys.stderr)
        return 2


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
