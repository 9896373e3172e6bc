"""What an alert message says, as data: one place decides the words, every channel reuses them.

Channels differ in form (a mail, a JSON body, a terminal block), not in content, so the subject,
the texts and the webhook payload are built here from the Alert alone. Article titles come from
untrusted feeds: anything that lands in a one-line field is stripped of line breaks and control
characters, and the HTML is escaped.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from monitor.models import Alert, Event

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")
_NUMBER = r"\d{1,3}(?:[.,\u00a0 ]\d{3})+|\d+"
_NUMBER_THEN_WORD = re.compile(rf"(?<![\d.,])({_NUMBER})\s+(\w[\w-]*)")
UNTITLED = "(untitled)"


@dataclass(frozen=True, slots=True)
class Message:
    """One rendered alert: the same facts in each form a channel may want."""

    subject: str
    text: str
    html: str
    payload: dict[str, Any]


def one_line(value: str | None) -> str:
    """A value safe for a header or a subject: no CR/LF or other control characters."""
    return " ".join(_CONTROL.sub(" ", value or "").split())


def describe_event(event: Event) -> str:
    """An event in words: "261 gevechten (combat)", the noun taken from the evidence itself.

    The noun comes from the article's own sentence, so this holds no language knowledge.
    """
    qualifiers = event.type + (", approx." if event.approx else "")
    if event.count is None:
        return f"{qualifiers}" if not event.location else f"{qualifiers} in {event.location}"
    for number, word in _NUMBER_THEN_WORD.findall(event.evidence):
        if int(re.sub(r"\D", "", number)) == event.count:
            return f"{number} {word} ({qualifiers})"
    return f"{event.count} ({qualifiers})"


def _matched_lines(alert: Alert) -> list[tuple[str, str | None]]:
    """(what matched, evidence sentence or None) for each event or matched snippet."""
    if alert.events:
        return [(describe_event(e), one_line(e.evidence)) for e in alert.events]
    return [(f'"{one_line(m)}"', None) for m in alert.matched]


def render_subject(alert: Alert) -> str:
    what = _matched_lines(alert)
    head = f"[{one_line(alert.rule)}] {one_line(alert.article.title) or UNTITLED}"
    return f"{head} — {what[0][0]}" if what and alert.events else head


def render_text(alert: Alert) -> str:
    a = alert.article
    lines = [
        f"Rule:      {alert.rule}",
        f"Article:   {one_line(a.title) or UNTITLED}",
        f"URL:       {a.url}",
        f"Source:    {a.source} (feed {a.feed_name})",
    ]
    if a.published:
        lines.append(f"Published: {a.published}")
    lines.append("Matched:")
    for what, evidence in _matched_lines(alert):
        lines.append(f"  - {what}")
        if evidence:
            lines.append(f"    “{evidence}”")
    return "\n".join(lines) + "\n"


def render_html(alert: Alert) -> str:
    a, e = alert.article, html.escape
    items = "".join(
        f"<li>{e(what)}" + (f"<br><q>{e(ev)}</q>" if ev else "") + "</li>"
        for what, ev in _matched_lines(alert)
    )
    return (
        f"<p>Rule <b>{e(alert.rule)}</b> matched:</p>"
        f'<h3><a href="{e(a.url, quote=True)}">{e(one_line(a.title) or UNTITLED)}</a></h3>'
        f"<p>Source: {e(a.source)} (feed {e(a.feed_name)})"
        + (f"<br>Published: {e(a.published)}" if a.published else "")
        + f"</p><ul>{items}</ul>"
    )


def render_payload(alert: Alert, sent_at: datetime) -> dict[str, Any]:
    """The webhook body: stable field names a receiver can rely on."""
    a = alert.article
    return {
        "alert_id": alert.id,
        "rule": alert.rule,
        "article": {
            "url": a.url,
            "title": a.title,
            "source": a.source,
            "feed": a.feed_name,
            "published": a.published,
            "lang": a.lang,
        },
        "matched": list(alert.matched),
        "events": [{**e.to_dict(), "summary": describe_event(e)} for e in alert.events],
        "severity": alert.severity,
        "sent_at": sent_at.isoformat(timespec="seconds"),
    }


def render_message(alert: Alert, sent_at: datetime) -> Message:
    return Message(
        subject=render_subject(alert),
        text=render_text(alert),
        html=render_html(alert),
        payload=render_payload(alert, sent_at),
    )
