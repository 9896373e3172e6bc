"""Digests: alerts of one rule batched into one message, sent when the digest is due.

An alert held for a digest is pushed onto the rule's list in Redis (once: a replayed job does
not push it again) and the rule's due time is set if none is (``ZADD NX``), so the first held
alert starts the clock. The flush renames the list to a "flushing" key in one step, so two
daemons flushing at once cannot send a batch twice and an alert pushed meanwhile waits for the
next digest; the flushing key is deleted only in the transaction that enqueues the digest, so a
failure in between leaves the batch to be sent by the next flush instead of losing it.
"""

from __future__ import annotations

import contextlib
import json
import logging

import redis

from monitor import alertstore, keys
from monitor.alerts import DIGEST, digest_scope, make_alert
from monitor.alertstore import DeliveryState
from monitor.config import Config
from monitor.lifetimes import DEFAULT_LIFETIMES, Lifetimes
from monitor.models import Alert
from monitor.producers import enqueue_delivery, make_queue
from monitor.quiethours import in_quiet_hours, quiet_hours_end
from monitor.redisconn import as_str
from monitor.rules.compiled import RuleSet
from monitor.rules.schema import Rule

log = logging.getLogger("newsmonitor.digest")


def due_at(rule: Rule, now: float) -> float:
    """When a digest started now goes out: the end of quiet hours, or now + ``digest``."""
    if rule.quiet_hours and in_quiet_hours(rule.quiet_hours, now):
        return quiet_hours_end(rule.quiet_hours, now)
    return now + (rule.digest or 0)


def hold_for_digest(
    r: redis.Redis,
    rule: Rule,
    alert: Alert,
    now: float,
    life: Lifetimes = DEFAULT_LIFETIMES,
) -> bool:
    """Hold the alert for the rule's next digest; False if it was held before (a replay)."""
    if not r.set(keys.digested(alert.id), 1, nx=True, ex=life.sent):
        return False
    with r.pipeline() as pipe:
        pipe.rpush(keys.digest_items(rule.name), json.dumps(alert.to_dict()))
        pipe.zadd(keys.digests_due(), {rule.name: due_at(rule, now)}, nx=True)
        for channel in rule.notify:
            alertstore.set_delivery_state(
                pipe, [alert.id], channel, DeliveryState.HELD, ttl=life.articles
            )
        pipe.execute()
    return True


def _take(r: redis.Redis, rule_name: str) -> list[Alert]:
    """Move the held alerts aside (unless a failed flush left some there already)."""
    items, flushing = keys.digest_items(rule_name), keys.digest_flushing(rule_name)
    if not r.exists(flushing):
        with contextlib.suppress(redis.ResponseError):  # no such key: nothing is held
            r.rename(items, flushing)
    raw = r.lrange(flushing, 0, -1)
    alerts = []
    for x in raw:
        try:
            alerts.append(Alert.from_dict(json.loads(x)))
        except (ValueError, TypeError, KeyError) as exc:
            log.error("digest of rule %s: dropping an unreadable held alert (%s)", rule_name, exc)
    return list({a.id: a for a in alerts}.values())


def digest_alert(rule: Rule, alerts: list[Alert]) -> Alert:
    return make_alert(
        rule,
        digest_scope(a.id for a in alerts),
        alerts[0].article,
        DIGEST,
        events=tuple(e for a in alerts for e in a.events),
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
        if rule is not None and rule.quiet_hours and in_quiet_hours(rule.quiet_hours, now):
            # due, but quiet hours began meanwhile: hold the batch until they end
            r.zadd(keys.digests_due(), {name: quiet_hours_end(rule.quiet_hours, now)})
            continue
        alerts = _take(r, name)
        with r.pipeline() as pipe:
            if rule is not None and alerts:
                alert = digest_alert(rule, alerts)
                for channel in rule.notify:
                    enqueue_delivery(queue, alert, channel, cfg, pipeline=pipe)
            pipe.delete(keys.digest_flushing(name))
            pipe.zrem(keys.digests_due(), name)
            pipe.execute()
        if rule is None and alerts:
            log.warning("rule %s is gone; its %d held alert(s) are dropped", name, len(alerts))
        elif alerts:
            sent += 1
            log.info("digest for rule %s: %d alert(s)", name, len(alerts))
    return sent
