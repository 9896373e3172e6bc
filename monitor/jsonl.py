"""JSON Lines files that users hand to commands (articles, gold labels, predictions).

One reader, so every such file reports a bad line the same way: ``file:line`` and what is wrong.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from monitor.errors import ConfigError


def json_lines(lines: Iterable[str], name: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(``file:line``, object) per non-blank line; raises ConfigError on a line that is not a
    JSON object."""
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{name}:{lineno}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ConfigError(where, f"not JSON: {exc.msg}") from exc
        if not isinstance(row, dict):
            raise ConfigError(where, "each line must be a JSON object")
        yield where, row


def load_events(path: Path) -> dict[str, list[dict[str, Any]]]:
    """id -> events of a file of ``{"id", "events"}`` lines (gold labels, predictions)."""
    out = {}
    with path.open(encoding="utf-8") as f:
        for where, row in json_lines(f, str(path)):
            if "id" not in row:
                raise ConfigError(where, 'each line needs an "id" (and "events")')
            out[str(row["id"])] = row.get("events") or []
    return out
