"""One way to make an alert: its scope says what it is distinct for, its id is hashed from that.

Three kinds of alert exist, and each gets the same kind of id: ``prefix + sha256(rule \\0 scope)``
cut to ID_CHARS characters.

- an entry's alert (workers/alerting.py), no prefix: the scope is its story (or article) and,
  for an update, the count that rose, so a retried job makes the same id and the delivery's
  sent guard recognises it;
- a digest (monitor/digests.py), ``dg``: the scope is the ids of the alerts it batches;
- a silent feed (the ``feed_silent`` check), ``sl``: the scope is the feed and its last entry.

The ids are stored in Redis (sent guards, delivery states, the alert store) and sent to
receivers as the Idempotency-Key and Message-ID, so they must never change shape.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from monitor.models import Alert, Article
from monitor.rules.schema import Rule

ID_CHARS = 24
ENTRY, DIGEST, SILENCE = "", "dg", "sl"  # id prefixes of the three kinds of alert


def once_scope(rule: Rule, article_id: str, story_id: str) -> str:
    """What a rule alerts once for: the story (``once_per: story``) or the article."""
    return f"s:{story_id}" if rule.once_per == "story" else f"a:{article_id}"


def entry_scope(rule: Rule, article_id: str, story_id: str, update_count: int | None) -> str:
    """An entry's alert: once per story (or article), plus the new count for an update."""
    scope = once_scope(rule, article_id, story_id)
    return scope if update_count is None else f"{scope}:{update_count}"


def digest_scope(alert_ids: Iterable[str]) -> str:
    return "\0".join(alert_ids)


def silence_scope(feed_url: str, last_new_at: float | None) -> str:
    return f"{feed_url}\0{last_new_at}"


def alert_id(rule_name: str, scope: str, prefix: str = ENTRY) -> str:
    digest = hashlib.sha256(f"{rule_name}\0{scope}".encode()).hexdigest()
    return prefix + digest[: ID_CHARS - len(prefix)]


def utc_stamp(at: datetime | None = None) -> str:
    return (at or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")


def make_alert(
    rule: Rule,
    scope: str,
    article: Article,
    prefix: str = ENTRY,
    created_at: str | None = None,
    **fields: Any,
) -> Alert:
    """The alert of ``rule`` for ``scope`` (see the module docstring), made now unless
    ``created_at`` says when; ``fields`` are the rest of the Alert's fields."""
    return Alert(
        id=alert_id(rule.name, scope, prefix),
        rule=rule.name,
        article=article,
        created_at=created_at or utc_stamp(),
        severity=rule.severity,
        **fields,
    )
