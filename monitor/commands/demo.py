"""``newsmonitor demo``: see alerts with evidence in the console within a minute, offline."""

from __future__ import annotations

import argparse

from monitor.configsections import HealthConfig


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    p = sub.add_parser(
        "demo", help="sample news on 127.0.0.1, alerted with the shipped rules, in the console"
    )
    default_port = HealthConfig().port
    p.add_argument(
        "--port",
        type=int,
        default=default_port,
        help=f"console port ({default_port}; another free one when it is taken)",
    )
    p.add_argument("--workers", type=int, default=2, help="worker processes (2)")
    p.add_argument("--no-open", action="store_true", help="do not open a web browser")
    p.set_defaults(func=cmd_demo)


def cmd_demo(args: argparse.Namespace) -> int:
    from monitor.demo.run import run_demo

    return run_demo(args.port, not args.no_open, args.workers)
