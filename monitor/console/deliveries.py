"""The deliveries view as data: the dead letters with their errors, and the latest deliveries.

A dead letter holds the whole alert; the view keeps what a person needs to decide on a retry
(rule, article, channel, error, tries) and masks secrets in the error text.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import redis

from monitor import keys
from monitor.console.safety import scrub
from monitor.models import DeadLetter
from monitor.redisconn import as_str

MAX_LIMIT = 500


def deliveries_view(
    r: redis.Redis, limit: int = 100, recent: int = 50, secrets: Sequence[str] = ()
) -> dict[str, Any]:
    limit = max(1, min(limit, MAX_LIMIT))
    with r.pipeline(transaction=False) as pipe:
        pipe.lrange(keys.dead_letters(), 0, limit - 1)
        pipe.llen(keys.dead_letters())
        pipe.lrange(keys.deliveries_log(), 0, max(recent, 1) - 1)
        letters, total, log = pipe.execute()
    return {
        "dead_total": int(total),
        "dead_letters": [
            letter_row(DeadLetter.from_dict(json.loads(as_str(x))), secrets) for x in letters
        ],
        "recent": [recent_row(json.loads(as_str(x)), secrets) for x in log],
    }


def letter_row(letter: DeadLetter, secrets: Sequence[str] = ()) -> dict[str, Any]:
    return {
        "id": letter.id,
        "alert_id": letter.alert.get("id"),
        "at": letter.at,
        "channel": letter.channel,
        "rule": letter.rule,
        "title": letter.article.get("title"),
        "url": letter.article.get("url"),
        "digest_of": len(letter.alert.get("items") or ()),
        "error": scrub(letter.error, secrets),
        "error_type": letter.error_type,
        "attempts": letter.attempts,
    }


def recent_row(record: dict[str, Any], secrets: Sequence[str] = ()) -> dict[str, Any]:
    return {**record, "error": scrub(record.get("error"), secrets)}
