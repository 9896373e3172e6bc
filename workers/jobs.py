"""The RQ job for one entry: decode its payload, run the pipeline, encode the result.

``workers.jobs.process_entry`` is the job's path as RQ stores it with every queued entry job
(monitor/producers.py names it): it stays here, whatever else moves. The stages themselves are
workers/pipeline.py's.
"""

from __future__ import annotations

from typing import Any

from monitor.models import Entry
from workers.context import current_config, current_owner, current_redis
from workers.pipeline import Outcome, process


def process_entry(entry_data: dict[str, Any], reread: bool = False) -> dict[str, Any]:
    entry = Entry.from_dict(entry_data)
    cfg = current_config()
    return encode(process(current_redis(), cfg, entry, reread, current_owner()))


def encode(outcome: Outcome) -> dict[str, Any]:
    """The job's result as RQ stores it (JSON)."""
    if outcome.skipped is not None:
        return {"article": outcome.article, "skipped": outcome.skipped}
    return {
        "article": outcome.article,
        "read_from": outcome.read_from,
        "events": outcome.events,
        "update": outcome.update,
        "rules": {name: str(d.action) for name, d in outcome.decisions},
    }
