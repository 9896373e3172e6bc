"""Matching a ruleset against an article: pure functions over frozen data.

A RuleMatch says which events and text satisfied the rule, so the alert can show the evidence
and ``rules test`` can explain a miss.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase

from monitor.models import Article, Event
from monitor.rules.model import CompiledRule, Match, RuleSet

MAX_SNIPPETS = 3
SNIPPET_CONTEXT = 80


@dataclass(frozen=True, slots=True)
class RuleMatch:
    rule: str
    fired: bool
    matched: tuple[str, ...] = ()
    events: tuple[Event, ...] = ()
    reasons: tuple[str, ...] = ()  # one line per condition, for explanations


def _snippets(rx_search: list[tuple[int, int]], text: str) -> tuple[str, ...]:
    out = []
    for start, end in rx_search[:MAX_SNIPPETS]:
        a, b = max(0, start - SNIPPET_CONTEXT), min(len(text), end + SNIPPET_CONTEXT)
        out.append(("…" if a else "") + " ".join(text[a:b].split()) + ("…" if b < len(text) else ""))
    return tuple(out)


def _feed_ok(m: Match, article: Article) -> bool:
    if not m.feed:
        return True
    targets = (article.feed_name, article.feed_url, article.source)
    return any(fnmatchcase(t.lower(), g.lower()) for g in m.feed for t in targets if t)


def _events_ok(m: Match, article: Article) -> tuple[Event, ...]:
    out = []
    for ev in article.events:
        if m.event and ev.type not in m.event:
            continue
        if m.count is not None and not m.count.holds(ev.count):
            continue
        out.append(ev)
    return tuple(out)


def match_rule(compiled: CompiledRule, article: Article) -> RuleMatch:
    rule, m = compiled.rule, compiled.rule.match
    reasons: list[str] = []
    ok = True
    if m.lang:
        hit = (article.lang or "").lower() in m.lang
        reasons.append(f"lang {article.lang!r} in {list(m.lang)}: {'yes' if hit else 'no'}")
        ok &= hit
    if m.feed:
        hit = _feed_ok(m, article)
        reasons.append(f"feed {article.feed_name!r} matches {list(m.feed)}: {'yes' if hit else 'no'}")
        ok &= hit
    matched: tuple[str, ...] = ()
    if compiled.title_re is not None:
        hit = bool(compiled.title_re.search(article.title or ""))
        reasons.append(f"title /{m.title}/: {'yes' if hit else 'no'}")
        ok &= hit
    if compiled.text_re is not None:
        full = f"{article.title or ''}\n{article.text}"
        spans = [mo.span() for _, mo in zip(range(MAX_SNIPPETS), compiled.text_re.finditer(full), strict=False)]
        matched = _snippets(spans, full)
        reasons.append(f"text /{m.text}/: {len(spans) and 'yes' or 'no'}")
        ok &= bool(spans)
    events: tuple[Event, ...] = ()
    if m.event or m.count is not None:
        events = _events_ok(m, article)
        want = f"event {list(m.event or ['any'])}" + (f" count {m.count.text}" if m.count else "")
        reasons.append(f"{want}: {len(events)} of {len(article.events)} events")
        ok &= bool(events)
    return RuleMatch(rule.name, ok, matched if ok else (), events if ok else (), tuple(reasons))


def match_ruleset(ruleset: RuleSet, article: Article) -> list[RuleMatch]:
    """The rules that fire on the article."""
    return [rm for c in ruleset.compiled if (rm := match_rule(c, article)).fired]
