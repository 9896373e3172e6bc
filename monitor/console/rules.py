"""The rules view as data: each rule file with its hits per day, when it last fired, whether
the daemon runs it as it is on disk, and every problem ``rules check`` would list."""

from __future__ import annotations

import json
import time
from collections.abc import Collection
from pathlib import Path
from typing import Any

import redis

from monitor import alertstore, keys
from monitor.errors import RuleSetError
from monitor.redisconn import as_str
from monitor.rules.load import load_rules, parse_rule_file, rule_files
from monitor.rules.schema import Rule

DAYS_SHOWN = 14


def published(r: redis.Redis) -> tuple[str | None, list[dict[str, Any]]]:
    """(hash, rules as dicts) of the ruleset the workers run; (None, []) before any."""
    digest, rules = r.hmget(keys.ruleset(), ["hash", "rules"])
    return (as_str(digest) if digest else None), json.loads(as_str(rules)) if rules else []


def folder_state(folder: Path, channels: Collection[str]) -> tuple[str | None, list[str]]:
    """(hash of the folder's ruleset, problems): the hash is None when the folder is invalid,
    and then the daemon keeps its last good ruleset."""
    try:
        return load_rules(folder, channels).hash, []
    except RuleSetError as exc:
        return None, [str(p) for p in exc.problems]


def _file_rule(path: Path, channels: Collection[str]) -> tuple[Rule | None, list[str]]:
    try:
        return parse_rule_file(path, channels), []
    except RuleSetError as exc:
        return None, [str(p) for p in exc.problems]


def rules_view(
    r: redis.Redis,
    folder: Path,
    channels: Collection[str],
    days: int = DAYS_SHOWN,
    now: float | None = None,
) -> dict[str, Any]:
    now = time.time() if now is None else now
    running_hash, running = published(r)
    running_names = {x.get("name") for x in running}
    folder_hash, problems = folder_state(folder, channels)
    last = alertstore.read_last_fired(r)
    rows = []
    files = rule_files(folder) if folder.is_dir() else []
    for path in files:
        rule, file_problems = _file_rule(path, channels)
        name = rule.name if rule else path.stem
        row = _row(r, name, path.name, rule, days, now, last)
        row["in_force"] = rule is not None and name in running_names
        row["problems"] = [p for p in problems if p.startswith(str(path))] or file_problems
        rows.append(row)
    on_disk = {row["name"] for row in rows}
    for data in running:  # run by the daemon but not in this folder (a console elsewhere)
        if data.get("name") not in on_disk:
            row = _row(r, data["name"], None, None, days, now, last)
            row.update(description=data.get("description"), severity=data.get("severity"))
            row.update(notify=data.get("notify") or [], in_force=True, problems=[])
            rows.append(row)
    return {
        "days": days,
        "published_hash": running_hash,
        "folder_hash": folder_hash,
        "up_to_date": folder_hash is not None and folder_hash == running_hash,
        "problems": problems,
        "rules": rows,
    }


def _row(
    r: redis.Redis,
    name: str,
    file: str | None,
    rule: Rule | None,
    days: int,
    now: float,
    last: dict[str, float],
) -> dict[str, Any]:
    hits = alertstore.read_rule_hits(r, name, days, now)
    return {
        "name": name,
        "file": file,
        "description": rule.description if rule else None,
        "severity": rule.severity if rule else None,
        "notify": list(rule.notify) if rule else [],
        "hits": hits,
        "hits_total": sum(hits),
        "last_fired": last.get(name),
    }
