"""Digests: alerts of one rule batched into one message, sent when the digest is due.

An alert held for a digest is pushed onto the rule's list in Redis and the rule's due time is
set if none is (``ZADD NX``), so the first held alert starts the clock. Whoever flushes takes
the whole list in one transaction, so two daemons flushing at once cannot send a batch twice
and an alert pushed meanwhile waits for the next digest instead of being lost.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import UTC, datetime

import redis

from monitor import keys
from monitor.config import Config
from monitor.models import Alert
from monitor.redisconn import as_str
from monitor.rules.model import Rule, RuleSet
from workers.context import make_queue
from workers.decide import in_quiet_hours, quiet_hours_end
from workers.deliver import enqueue_delivery

log = logging.getLogger("newsmonitor.digest")


def due_at(rule: Rule, now: float) -> float:
    """When a digest started now goes out: the end of quiet hours, or now + ``digest``."""
    if rule.quiet_hours and in_quiet_hours(rule.quiet_hours, now):
        return quiet_hours_end(rule.quiet_hours, now)
    return now + (rule.digest or 0)


def hold_for_digest(r: redis.Redis, rule: Rule, alert: Alert, now: float) -> None:
    with r.pipeline() as pipe:
        pipe.rpush(keys.digest_items(rule.name), json.dumps(alert.to_dict()))
        pipe.zadd(keys.digests_due(), {rule.name: due_at(rule, now)}, nx=True)
        pipe.execute()


def _take(r: redis.Redis, rule_name: str) -> list[Alert]:
    with r.pipeline() as pipe:
        pipe.lrange(keys.digest_items(rule_name), 0, -1)
        pipe.delete(keys.digest_items(rule_name))
        pipe.zrem(keys.digests_due(), rule_name)
        raw = pipe.execute()[0]
    alerts = [Alert.from_dict(json.loads(x)) for x in raw]
    return list({a.id: a for a in alerts}.values())  # a replayed job may have pushed twice


def digest_alert(rule: Rule, alerts: list[Alert]) -> Alert:
    ids = "\0".join(a.id for a in alerts)
    return Alert(
        id="dg" + hashlib.sha256(f"{rule.name}\0{ids}".encode()).hexdigest()[:22],
        rule=rule.name,
        article=alerts[0].article,
        events=tuple(e for a in alerts for e in a.events),
        created_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        severity=rule.severity,
        reason=f"digest of {len(alerts)} alert(s)",
        subject_template=alerts[0].subject_template,
        body_template=alerts[0].body_template,
        items=tuple(alerts),
    )


def flush_due_digests(r: redis.Redis, ruleset: RuleSet, cfg: Config, now: float) -> int:
    """Send every digest that is due; returns how many digest messages were enqueued."""
    queue = make_queue(keys.QUEUE_ALERTS, r)
    sent = 0
    for raw_name in r.zrangebyscore(keys.digests_due(), 0, now):
        name = as_str(raw_name)
        rule = ruleset.get(name)
        alerts = _take(r, name)
        if rule is None or not alerts:
            if alerts:
                log.warning("rule %s is gone; its %d held alert(s) are dropped", name, len(alerts))
            continue
        if rule.quiet_hours and in_quiet_hours(rule.quiet_hours, now):
            for a in alerts:  # due, but quiet hours began meanwhile: hold them until they end
                hold_for_digest(r, rule, a, now)
            continue
        alert = digest_alert(rule, alerts)
        for channel in rule.notify:
            enqueue_delivery(queue, alert, channel, cfg)
        sent += 1
        log.info("digest for rule %s: %d alert(s)", name, len(alerts))
    return sent
