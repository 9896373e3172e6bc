"""Matching a ruleset against an article: pure functions over frozen data.

A RuleMatch says which events and text satisfied the rule, so the alert can show the evidence,
and carries one reason per condition, so ``rules test`` can explain a hit or a miss.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase

from monitor.models import Article, Event
from monitor.rules.compiled import CompiledRule, RuleSet
from monitor.rules.schema import Condition

MAX_SNIPPETS = 3
SNIPPET_CONTEXT = 80


@dataclass(frozen=True, slots=True)
class RuleMatch:
    rule: str
    fired: bool
    matched: tuple[str, ...] = ()
    events: tuple[Event, ...] = ()
    reasons: tuple[str, ...] = ()
    held: tuple[str, ...] = ()  # the conditions that held, in words (when it fired, explained)


@dataclass(frozen=True, slots=True)
class _Result:
    ok: bool
    events: tuple[Event, ...] = ()
    matched: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()


def _yn(ok: bool) -> str:
    return "yes" if ok else "no"


def _glob_any(globs: tuple[str, ...], values: tuple[str | None, ...]) -> bool:
    return any(fnmatchcase(v.lower(), g.lower()) for g in globs for v in values if v)


def _snippets(text: str, spans: list[tuple[int, int]]) -> tuple[str, ...]:
    out = []
    for start, end in spans:
        a, b = max(0, start - SNIPPET_CONTEXT), min(len(text), end + SNIPPET_CONTEXT)
        body = " ".join(text[a:b].split())
        out.append(("…" if a else "") + body + ("…" if b < len(text) else ""))
    return tuple(out)


def _article_checks(c: Condition, cr: CompiledRule, v: ArticleView, explain: bool) -> _Result:
    if not explain:
        return _article_checks_fast(c, cr, v)
    a = v.article
    ok, reasons = True, []
    matched: tuple[str, ...] = ()
    if c.lang is not None:
        hit = (a.lang or "").lower() in c.lang
        reasons.append(f"lang {a.lang!r} in {list(c.lang)}: {_yn(hit)}")
        ok &= hit
    if c.feed is not None:
        hit = _glob_any(c.feed, (a.feed_name, a.feed_url))
        reasons.append(f"feed {a.feed_name!r} matches {list(c.feed)}: {_yn(hit)}")
        ok &= hit
    if c.source is not None:
        hit = _glob_any(c.source, (a.source,))
        reasons.append(f"source {a.source!r} matches {list(c.source)}: {_yn(hit)}")
        ok &= hit
    if c.title is not None:
        hit = bool(cr.regexes[c.title].search(a.title or ""))
        reasons.append(f"title /{c.title}/: {_yn(hit)}")
        ok &= hit
    if c.text is not None:
        full = f"{a.title or ''}\n{a.text}"
        spans = [
            m.span()
            for _, m in zip(range(MAX_SNIPPETS), cr.regexes[c.text].finditer(full), strict=False)
        ]
        reasons.append(f"text /{c.text}/: {_yn(bool(spans))}")
        ok &= bool(spans)
        matched = _snippets(full, spans)
    return _Result(ok, (), matched, tuple(reasons))


def _article_checks_fast(c: Condition, cr: CompiledRule, v: ArticleView) -> _Result:
    """The same checks without explanations: the hot path of every worker."""
    a = v.article
    if c.lang is not None and (a.lang or "").lower() not in c.lang:
        return _NO
    if c.feed is not None and not _glob_any(c.feed, (a.feed_name, a.feed_url)):
        return _NO
    if c.source is not None and not _glob_any(c.source, (a.source,)):
        return _NO
    if c.title is not None and not cr.regexes[c.title].search(a.title or ""):
        return _NO
    if c.text is None:
        return _YES
    snippets = v.text_matches(c.text, cr.regexes[c.text])
    return _Result(True, (), snippets) if snippets else _NO


_YES = _Result(True)
_NO = _Result(False)


class ArticleView:
    """An article plus what every rule would otherwise recompute: events by type, and the
    regex results already found (rules often share a regex)."""

    __slots__ = ("article", "by_type", "spans")

    def __init__(self, article: Article) -> None:
        self.article = article
        self.by_type: dict[str, list[Event]] = {}
        for e in article.events:
            self.by_type.setdefault(e.type, []).append(e)
        self.spans: dict[str, tuple[str, ...] | None] = {}

    def text_matches(self, pattern: str, rx: re.Pattern[str]) -> tuple[str, ...] | None:
        if pattern not in self.spans:
            a = self.article
            full = f"{a.title or ''}\n{a.text}"
            found = [m.span() for _, m in zip(range(MAX_SNIPPETS), rx.finditer(full), strict=False)]
            self.spans[pattern] = _snippets(full, found) if found else None
        return self.spans[pattern]

    def candidate_events(self, c: Condition) -> list[Event]:
        if c.event is None:
            return list(self.article.events)
        if len(c.event) == 1:
            return self.by_type.get(c.event[0], [])
        return [e for t in c.event for e in self.by_type.get(t, ())]


def event_holds(c: Condition, e: Event) -> bool:
    if c.event is not None and e.type not in c.event:
        return False
    if c.count is not None and not c.count.holds(e.count):
        return False
    if c.approx is not None and e.approx != c.approx:
        return False
    for name in ("weapon", "side", "status"):
        want = getattr(c, name)
        if want is not None and (getattr(e, name) or "").lower() not in want:
            return False
    return c.location is None or _glob_any(c.location, (e.location,))


def _describe_event_keys(c: Condition) -> str:
    parts = [f"event {list(c.event)}" if c.event else "event any"]
    parts += [f"count {c.count.text}"] if c.count else []
    parts += [f"approx {c.approx}"] if c.approx is not None else []
    parts += [
        f"{n} {list(getattr(c, n))}"
        for n in ("weapon", "side", "status", "location")
        if getattr(c, n)
    ]
    return ", ".join(parts)


def evaluate(c: Condition, cr: CompiledRule, v: ArticleView, explain: bool = False) -> _Result:
    if c.feed_silent is not None:  # a feed-health rule never fires on an article
        return _Result(False, reasons=("feed_silent: checked on feeds, not articles",))
    res = _article_checks(c, cr, v, explain)
    if not res.ok and not explain:
        return _NO
    ok, matched, reasons = res.ok, res.matched, list(res.reasons)
    events: tuple[Event, ...] = ()
    if cr.event_keys[id(c)]:
        events = tuple(e for e in v.candidate_events(c) if event_holds(c, e))
        if explain:
            n = len(v.article.events)
            reasons.append(f"{_describe_event_keys(c)}: {len(events)} of {n} events")
        ok &= bool(events)
        if not ok and not explain:
            return _NO
    for sub_ok, sub in _blocks(c, cr, v, reasons, explain):
        ok &= sub_ok
        if sub.ok:
            events += sub.events
            matched += sub.matched
    return _Result(ok, _unique(events) if ok else (), matched if ok else (), tuple(reasons))


def _blocks(
    c: Condition, cr: CompiledRule, v: ArticleView, reasons: list[str], explain: bool
) -> Iterator[tuple[bool, _Result]]:
    if c.all:
        subs = [evaluate(s, cr, v, explain) for s in c.all]
        reasons.append(f"all of {len(subs)}: {_yn(all(s.ok for s in subs))}")
        reasons.extend("  " + r for s in subs for r in s.reasons)
        for s in subs:
            yield s.ok, s
    if c.any:
        subs = [evaluate(s, cr, v, explain) for s in c.any]
        hit = any(s.ok for s in subs)
        reasons.append(f"any of {len(subs)}: {_yn(hit)}")
        reasons.extend("  " + r for s in subs for r in s.reasons)
        yield (
            hit,
            _Result(
                hit,
                sum((s.events for s in subs if s.ok), ()),
                sum((s.matched for s in subs if s.ok), ()),
            ),
        )
    if c.not_ is not None:
        sub = evaluate(c.not_, cr, v, explain)
        reasons.append(f"not: {_yn(not sub.ok)}")
        reasons.extend("  " + r for r in sub.reasons)
        yield not sub.ok, _Result(not sub.ok)


def _unique(events: tuple[Event, ...]) -> tuple[Event, ...]:
    return tuple(dict.fromkeys(events))


def match_rule(
    compiled: CompiledRule, article: Article | ArticleView, explain: bool = True
) -> RuleMatch:
    view = article if isinstance(article, ArticleView) else ArticleView(article)
    res = evaluate(compiled.rule.match, compiled, view, explain)
    held = tuple(held_conditions(compiled.rule.match, compiled, view)) if res.ok and explain else ()
    return RuleMatch(compiled.rule.name, res.ok, res.matched, res.events, res.reasons, held)


def with_held(m: RuleMatch, compiled: CompiledRule, article: Article) -> RuleMatch:
    """The match with what held, in words, for an alert: worked out for the alerts that are
    made, not for every rule that fires (with 1,000 rules, ~125 fire per article; doing it
    for all of them in the matcher cut its throughput fivefold)."""
    held = held_conditions(compiled.rule.match, compiled, ArticleView(article))
    return replace(m, held=tuple(held))


def _describe_article_keys(c: Condition) -> list[str]:
    parts = [f"{name} {list(getattr(c, name))}" for name in ("lang", "feed", "source")
             if getattr(c, name) is not None]
    return parts + [f"{name} /{getattr(c, name)}/" for name in ("title", "text")
                    if getattr(c, name) is not None]


def describe_condition(c: Condition) -> str:
    """A condition block in words, keys only: for "not" blocks and explanations."""
    parts = _describe_article_keys(c)
    if c.event is not None or any(getattr(c, n) is not None for n in (
            "count", "approx", "weapon", "side", "status", "location")):
        parts.append(_describe_event_keys(c))
    parts += [f"all of {len(c.all)}"] if c.all else []
    parts += [f"any of {len(c.any)}"] if c.any else []
    return ", ".join(parts) or "(empty)"


def held_conditions(c: Condition, cr: CompiledRule, v: ArticleView) -> list[str]:
    """The conditions of a block that held, each with what satisfied it: for the alert's
    ``matched``, so a receiver sees why it fired."""
    a = v.article
    out = [f"{name} {value!r}" for name, value in (
        ("lang", a.lang), ("feed", a.feed_name), ("source", a.source))
        if getattr(c, name) is not None]
    for name in ("title", "text"):
        pattern = getattr(c, name)
        if pattern is None:
            continue
        body = a.title or "" if name == "title" else f"{a.title or ''}\n{a.text}"
        found = cr.regexes[pattern].search(body)
        snippet = _snippets(body, [found.span()])[0] if found else ""
        out.append(f"{name} /{pattern}/: “{snippet}”")
    if cr.event_keys.get(id(c)):
        events = [e for e in v.candidate_events(c) if event_holds(c, e)]
        counts = [str(e.count) for e in events if e.count is not None]
        detail = f" ({', '.join(counts)})" if counts else ""
        out.append(f"{_describe_event_keys(c)}: {len(events)} event(s){detail}")
    for sub in c.all or ():
        out += held_conditions(sub, cr, v)
    for sub in c.any or ():
        if evaluate(sub, cr, v).ok:
            out += held_conditions(sub, cr, v)
    if c.not_ is not None:
        out.append(f"not ({describe_condition(c.not_)})")
    return out


def match_every_rule(ruleset: RuleSet, article: Article) -> list[RuleMatch]:
    """The rules that fire on the article, by trying every rule (what the index in
    monitor/rules/index.py must agree with; ``match_ruleset`` is the fast way)."""
    view = ArticleView(article)
    return [rm for c in ruleset.compiled if (rm := match_rule(c, view, False)).fired]
