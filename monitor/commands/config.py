"""``newsmonitor config schema``: the JSON Schema of newsmonitor.yaml, for editors."""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    p = sub.add_parser("config", help="work with the config file")
    csub = p.add_subparsers(dest="config_command", required=True, metavar="ACTION")
    schema = csub.add_parser("schema", help="print the JSON Schema of newsmonitor.yaml")
    schema.set_defaults(func=cmd_schema)


def cmd_schema(args: argparse.Namespace) -> int:
    from monitor.schemas import schema_text

    sys.stdout.write(schema_text("config"))
    return 0
