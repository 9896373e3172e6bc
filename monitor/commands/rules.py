"""``newsmonitor rules check [DIR]``: validate rule files, every problem as file:line:column."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from monitor.config import load_config
from monitor.errors import RuleSetError
from monitor.rules import load_rules


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("rules", help="work with alert rules")
    rsub = p.add_subparsers(dest="rules_command", required=True, metavar="ACTION")
    check = rsub.add_parser("check", help="validate a rules folder; exit 1 on any problem")
    check.add_argument("folder", nargs="?", help="rules folder (default: the config's)")
    check.set_defaults(func=cmd_check)


def cmd_check(args: argparse.Namespace) -> int:
    cfg = load_config(args.config)
    folder = Path(args.folder) if args.folder else cfg.rules
    try:
        ruleset = load_rules(folder, cfg.channels.keys())
    except RuleSetError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{len(exc.problems)} problem(s) in {folder}", file=sys.stderr)
        return 1
    print(f"{folder}: {len(ruleset)} rule(s) OK (hash {ruleset.hash})")
    return 0
