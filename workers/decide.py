"""Whether a rule that matched an article sends an alert now, later, or not at all.

Matching is pure (monitor.rules.match); this is the stateful half, in Redis, because the
answer depends on what other workers on other machines already did: the first article of a
story alerts and its copies do not (``once_per``), a higher toll alerts again
(``update_when``), corroboration waits for distinct sources (``min_sources``), windows count
arrivals (``window``), novelty compares with the last similar story (``new_for``), and
``cooldown``/``quiet_hours``/``digest`` keep the noise down. The steps run in that order under
a per-(rule, story) lock, and state is written only once the earlier steps let the alert pass,
so a suppressed copy never uses up the rule's single alert for its story.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import StrEnum

import redis

from monitor import keys
from monitor.alerts import once_scope
from monitor.lifetimes import DEFAULT_LIFETIMES, STORY_TTL, Lifetimes
from monitor.locks import redis_lock
from monitor.models import Article, Event
from monitor.quiethours import in_quiet_hours
from monitor.redisconn import as_str
from monitor.rules.schema import Rule
from workers.context import current_owner
from workers.stories import Story


class Action(StrEnum):
    """What becomes of a rule's match; the value is what the job result and the log say."""

    SEND = "send"  # an alert goes out now
    DIGEST = "digest"  # an alert is made and held for the rule's digest
    SUPPRESS = "suppress"  # no alert (a copy, cooldown, window, novelty, quiet hours: drop)
    HOLD = "hold"  # no alert yet: waiting for more sources
    REPLAY = "replay"  # this article's alert again (a retried job); only inside decide()


@dataclass(frozen=True, slots=True)
class Decision:
    action: Action
    reason: str
    update: bool = False
    sources: tuple[str, ...] = field(default_factory=tuple)


def group_of(rule: Rule, article: Article, events: tuple[Event, ...]) -> str:
    by = rule.window.group_by if rule.window else None
    if by is None:
        return "*"
    if by in ("location", "event"):
        attr = "location" if by == "location" else "type"
        values = sorted({(getattr(e, attr) or "").lower() for e in events} - {""})
        return values[0] if values else "-"
    return str(
        getattr(article, {"source": "source", "feed": "feed_name", "lang": "lang"}[by]) or "-"
    )


def top_count(events: tuple[Event, ...]) -> int:
    return max((e.count for e in events if e.count is not None), default=0)


def decision_scope(rule: Rule, article: Article, story: Story) -> str:
    """What a rule alerts once for: the story (``once_per: story``) or the article."""
    return once_scope(rule, article.id, story.id)


def _once(
    r: redis.Redis, rule: Rule, article: Article, scope: str, events: tuple[Event, ...]
) -> Decision | None:
    prior = r.get(keys.fired(rule.name, scope))
    if prior is None:
        return None
    count_s, by, kind = as_str(prior).split("|")
    if by == article.id:
        # The same article again: a retried or duplicated job. Decide as before; the delivery
        # job's sent guard keeps the channel from getting it twice.
        return Decision(Action.REPLAY, "this article's alert again", update=kind == "update")
    if rule.update_when == "count_increases" and top_count(events) > int(count_s):
        rose = f"count rose from {count_s} to {top_count(events)}"
        return Decision(Action.SEND, rose, update=True)
    return Decision(Action.SUPPRESS, f"already alerted for this {rule.once_per}")


def _corroborated(
    r: redis.Redis, rule: Rule, article: Article, story: Story, now: float
) -> Decision | None:
    if rule.min_sources <= 1:
        return None
    key = keys.corroboration(rule.name, story.id)
    with r.pipeline() as pipe:
        pipe.zadd(key, {article.source: now}, nx=True)
        pipe.zremrangebyscore(key, 0, now - (rule.within or 0))
        pipe.expire(key, int(rule.within or 0) + 60)
        pipe.zrange(key, 0, -1)
        sources = tuple(s.decode() for s in pipe.execute()[-1])
    if len(sources) < rule.min_sources:
        return Decision(
            Action.HOLD, f"{len(sources)} of {rule.min_sources} sources so far", sources=sources
        )
    return Decision(Action.SEND, f"{len(sources)} sources", sources=sources)


def _windowed(
    r: redis.Redis, rule: Rule, article: Article, story: Story, group: str, now: float
) -> Decision | None:
    w = rule.window
    if w is None:
        return None
    key = keys.window(rule.name, group)
    member = story.id if w.of == "stories" else article.id
    with r.pipeline() as pipe:
        pipe.zadd(key, {member: now})
        pipe.zremrangebyscore(key, 0, now - w.within)
        pipe.zcard(key)
        pipe.expire(key, int(w.within) + 60)
        n = pipe.execute()[2]
    if n < w.count:
        return Decision(Action.SUPPRESS, f"window {n} of {w.count} {w.of} for {group!r}")
    r.delete(key)  # the window fired: the next alert needs a full new window
    return Decision(Action.SEND, f"{n} {w.of} within the window for {group!r}")


def _novel(r: redis.Redis, rule: Rule, story: Story, group: str, now: float) -> Decision | None:
    """A story is judged new or not once, by its first article; later articles get the same
    verdict (a story found not new stays not new)."""
    if rule.new_for is None:
        return None
    verdicts = keys.novelty_stories(rule.name)
    known = r.hget(verdicts, story.id)
    if known is not None:
        return (
            Decision(Action.SUPPRESS, "a similar story was seen before this one")
            if as_str(known) == "old"
            else None
        )
    key = keys.novelty(rule.name, group)
    last = r.get(key)
    r.set(key, now, ex=int(rule.new_for) + 60)
    old = last is not None and now - float(last) < rule.new_for
    r.hset(verdicts, story.id, "old" if old else "new")
    r.expire(verdicts, int(rule.new_for) + STORY_TTL)
    if old:
        return Decision(
            Action.SUPPRESS, f"a similar story was seen {int(now - float(as_str(last)))}s ago"
        )
    return None


def _cooling(r: redis.Redis, rule: Rule, group: str) -> Decision | None:
    """Read-only: the cooldown starts only once an alert goes out (see _start_cooldown)."""
    if rule.cooldown is None or not r.exists(keys.cooldown(rule.name, group)):
        return None
    return Decision(Action.SUPPRESS, f"cooldown {int(rule.cooldown)}s for {group!r}")


def _start_cooldown(r: redis.Redis, rule: Rule, group: str) -> bool:
    if rule.cooldown is None:
        return True
    return bool(r.set(keys.cooldown(rule.name, group), time.time(), nx=True, ex=int(rule.cooldown)))


def decide(
    r: redis.Redis,
    rule: Rule,
    article: Article,
    story: Story,
    events: tuple[Event, ...],
    now: float | None = None,
    life: Lifetimes = DEFAULT_LIFETIMES,
) -> Decision:
    now = time.time() if now is None else now
    group = group_of(rule, article, events)
    scope = decision_scope(rule, article, story)
    with redis_lock(r, keys.rule_lock(rule.name, scope), owner=current_owner()):
        once = _once(r, rule, article, scope, events)
        if once is not None and once.action == Action.SUPPRESS:
            return once
        if once is not None and once.action == Action.REPLAY:
            return _quiet_hours_or_digest(rule, once.reason, once.update, story.sources, now)
        corroboration = _corroborated(r, rule, article, story, now)
        if corroboration is not None and corroboration.action == Action.HOLD:
            return corroboration
        # Cooldown, novelty and windows are per group, shared by stories: one lock for them.
        with redis_lock(
            r, keys.rule_lock(rule.name, f"g:{keys.content_hash(group)}"), owner=current_owner()
        ):
            for step in (
                lambda: _cooling(r, rule, group),
                lambda: _novel(r, rule, story, group, now) if once is None else None,
                lambda: _windowed(r, rule, article, story, group, now),
            ):
                verdict = step()
                if verdict is not None and verdict.action == Action.SUPPRESS:
                    return verdict
            if not _start_cooldown(r, rule, group):
                cooling = f"cooldown {int(rule.cooldown or 0)}s for {group!r}"
                return Decision(Action.SUPPRESS, cooling)
        update = bool(once and once.update)
        marker = f"{top_count(events)}|{article.id}|{'update' if update else 'first'}"
        r.set(keys.fired(rule.name, scope), marker, ex=life.sent)
    sources = corroboration.sources if corroboration else story.sources
    reason = once.reason if once else "first alert"
    return _quiet_hours_or_digest(rule, reason, update, sources, now)


def _quiet_hours_or_digest(
    rule: Rule, reason: str, update: bool, sources: tuple[str, ...], now: float
) -> Decision:
    """The rule lets the alert pass: now, into its digest, or in quiet hours that drop, not."""
    if rule.quiet_hours and in_quiet_hours(rule.quiet_hours, now):
        if rule.quiet_hours.then == "drop":
            return Decision(Action.SUPPRESS, "quiet hours")
        return Decision(Action.DIGEST, "quiet hours: held for the digest", update, sources)
    if rule.digest is not None:
        batched = f"batched into the {int(rule.digest)}s digest"
        return Decision(Action.DIGEST, batched, update, sources)
    return Decision(Action.SEND, reason, update, sources)

