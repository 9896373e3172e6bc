"""Match, decide, alert: what becomes of an understood article under the active rules.

Every rule that matches is decided (workers/decide.py); one that lets the alert pass gets its
alert made (monitor/alerts.py), recorded (monitor/alertstore.py), and either held for its
digest or enqueued for delivery to each of the rule's channels.
"""

from __future__ import annotations

import logging
import time

import redis

from monitor import alertstore, keys, metrics
from monitor.alerts import entry_scope, make_alert
from monitor.config import Config
from monitor.digests import hold_for_digest
from monitor.models import Alert, Article
from monitor.producers import enqueue_delivery, make_queue
from monitor.rules import match_ruleset
from monitor.rules.match import RuleMatch, with_held
from monitor.rules.publish import RulesetCache
from monitor.rules.schema import Rule
from workers.decide import Action, Decision, decide, top_count
from workers.render import describe_event
from workers.stories import Story, assign_story

log = logging.getLogger("newsmonitor.job")
_rules = RulesetCache()
# Deliveries carry the article without its full text: the message needs only the evidence.
ALERT_TEXT_CHARS = 2000
# How each decision reads in the log: "rule casualty-toll did not fire on <url>: already ...".
_VERDICT = {
    Action.SEND: "fired on",
    Action.DIGEST: "fired (into its digest) on",
    Action.SUPPRESS: "did not fire on",
    Action.HOLD: "did not fire yet on",
}


def build_alert(rule: Rule, m: RuleMatch, article: Article, story: Story, d: Decision) -> Alert:
    """The alert of a rule that fired on an article: once per story (or article), and once
    more per higher count for an update."""
    update_count = top_count(m.events) if d.update else None
    return make_alert(
        rule,
        entry_scope(rule, article.id, story.id, update_count),
        article.replace(text=article.text[:ALERT_TEXT_CHARS]),
        matched=m.matched,
        conditions=m.held,
        events=m.events,
        story=story.id,
        sources=d.sources or story.sources,
        update=d.update,
        reason=d.reason,
        subject_template=rule.template.subject if rule.template else None,
        body_template=rule.template.body if rule.template else None,
    )


def alert_on(r: redis.Redis, cfg: Config, article: Article) -> list[tuple[str, Decision]]:
    """Match, decide, and send or hold; returns (rule, decision) for every rule that matched."""
    ruleset = _rules.get(r)
    matches = match_ruleset(ruleset, article)
    if not matches:
        return []
    life = cfg.retention.lifetimes()
    story = assign_story(r, article, life)
    alerts_q = make_queue(keys.QUEUE_ALERTS, r)
    out = []
    for m in matches:
        compiled = ruleset.compiled_rule(m.rule)
        assert compiled is not None
        rule = compiled.rule
        d = decide(r, rule, article, story, m.events, life=life)
        out.append((rule.name, d))
        verdict = _VERDICT.get(d.action, d.action)
        log.info("rule %s %s %s: %s", rule.name, verdict, article.url, d.reason)
        if d.action not in (Action.SEND, Action.DIGEST):
            continue
        metrics.record_alert(r, rule.name)
        alert = build_alert(rule, with_held(m, compiled, article), article, story, d)
        alertstore.record_alert(r, alert, [describe_event(e) for e in alert.events], life)
        if d.action == Action.DIGEST:
            hold_for_digest(r, rule, alert, time.time(), life)
            continue
        for channel in rule.notify:
            enqueue_delivery(alerts_q, alert, channel, cfg)
    return out
