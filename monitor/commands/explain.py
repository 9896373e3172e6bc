"""Why a rule fired or did not, as ``rules test`` prints it: the match's reasons and events,
and the mentions the classifier read but did not count as events."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from monitor.models import Article, Event
from monitor.rules.match import RuleMatch

MAX_NOT_EVENTS = 8  # mentions that are no events, listed per article by ``rules test``


def not_events(article: Article, types: frozenset[str] | None) -> list[Any]:
    """Mentions of the rule's event types that the classifier read but did not count as
    events (background, a wish, a denial, ...), each with its reason: why a rule did not fire.
    Nothing for a rule without event conditions."""
    from workers.classify.reading import read_text

    if types is None:
        return []
    reading = read_text(article.text, article.lang, article.title, article.published)
    seen: dict[tuple[str, int | None, str], Any] = {}
    for d in reading.dropped:
        if d.event.type in types:
            seen.setdefault((d.event.type, d.event.count, d.reason), d)
    return list(seen.values())[:MAX_NOT_EVENTS]


def _count(e: Event) -> str:
    return f" {e.count}{'~' if e.approx else ''}" if e.count is not None else ""


def explain_lines(m: RuleMatch, article: Article, dropped: Iterable[Any] = ()) -> list[str]:
    head = f"{'FIRES' if m.fired else 'no'}  {article.id}  {article.title or article.url}"
    lines = [head]
    lines += [f"    {r}" for r in m.reasons]
    for e in m.events:
        lines.append(f"    event {e.type}{_count(e)}: {' '.join(e.evidence.split())[:200]}")
    for s in m.matched:
        lines.append(f"    text: {s[:200]}")
    for d in dropped:
        lines.append(f"    not an event: {d.event.type}{_count(d.event)} ({d.reason}): "
                     f"{' '.join(d.event.evidence.split())[:160]}")
    return lines
